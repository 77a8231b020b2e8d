"""Screenshots of every web page for the README: `.venv/bin/python docs/screenshots.py`.

A real Hotline server runs in this process on a free loopback port, over a fresh SQLite database
holding the shared sample knowledge (../shared/kb/). It is filled the way a working day fills it
(docs/screenshot_day.py): dev corpus calls played by the built-in softphone (the seat files and
dispatches their orders), units accepting and reporting, callback surveys answered. Then, with two
callers live on the line and a call placed from the start page's own browser phone, Debian's
Chromium logs in as each role and saves the pages into docs/screenshots/.

Needs Chromium (`apt-get install chromium`), a Chinese font for it (`apt-get install
fonts-wqy-microhei`: without one every character is a box), Playwright (the project's test extras)
and the shared dev corpus beside this repository. Takes about two and a half minutes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import numpy as np
from screenshot_day import (
    DESK_UNIT,
    DEV,
    ROOT,
    SAMPLE_KB,
    LineCaller,
    Site,
    Unfit,
    corpus_clips,
    hotline_server,
    line_speech,
    place_calls,
    say,
    wait_for,
    work_orders,
    write_wav,
)

OUT = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
FONT_PACKAGE = "fonts-wqy-microhei"
# Chromium draws its own widgets (the dashboard's month field) in its UI language, which needs its
# translations (Debian's chromium-l10n) and LANGUAGE in its environment; the page's text does not.
CHROMIUM_CHINESE = Path("/usr/lib/chromium/locales/zh-CN.pak")
CHROMIUM_ENV = {"LANG": "zh_CN.UTF-8", "LANGUAGE": "zh_CN"}
# As root and on a closed network: no sandbox, none of Chromium's own connections out; the fake
# microphone lets the start page's phone place a call from a recording.
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required", "--use-fake-device-for-media-stream", "--lang=zh-CN",
]
VIEWPORT = {"width": 1280, "height": 800}
# Long pages are cut near here: the README shows what a page is, not all of it.
MAX_HEIGHT = 1400

# Two callers the console shows live: one asks for a person, then says what it is about while
# waiting; the other is still telling the seat about a broken street light.
# (Whisper base mishears the offline voice over μ-law: 我姓王 came out 我希望, and no name was
# read; 我姓张，张女士 gives 张女士.)
WAITING_CALLER = ["你好，我不想跟机器说话，请帮我转人工。",
                  "楼上有人装修，每天晚上十一点多还在砸墙，吵得孩子都睡不着。",
                  "在朝阳区望京街道望京西园三区。", "我姓张，张女士。"]
TALKING_CALLER = ["你好，我要反映一下，西城区德胜街道新街口外大街那边的路灯，已经坏了一个多礼拜了，晚上黑乎乎的。"]
# The start page's phone calls with d021 (a bin not emptied, 石景山区八角街道, in one turn).
BROWSER_CALL = "d021"
TRY_QUESTION = "我的社保卡丢了，要去哪儿补办？"
ITEM = "kb/item/kb-002"  # the knowledge item whose form is shown, after an admin adds a tag
ITEM_TAGS = "社保卡，补办，挂失，丢失"
# Who each role's key is made out to: the pages name a person by their key's label.
LABELS = {"agent": "座席 07", "supervisor": "夜班值班长", "unit": "朝阳城管值班室", "admin": "知识管理员"}


def check_machine() -> None:
    if not CHROMIUM.exists():
        raise Unfit(f"Chromium is missing ({CHROMIUM}): apt-get install chromium")
    if not (DEV / "calls.jsonl").is_file() or not (SAMPLE_KB / "catalogue.json").is_file():
        raise Unfit(f"the shared corpus and sample knowledge are missing: {DEV}/calls.jsonl, {SAMPLE_KB}/")
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True) if shutil.which("fc-list") else None
    if fonts is None or not fonts.stdout.strip():
        raise Unfit(f"no Chinese font for Chromium (every character would be a box): apt-get install {FONT_PACKAGE}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise Unfit("Playwright is missing: .venv/bin/pip install -e '.[test]' (make test installs it)") from None
    if not CHROMIUM_CHINESE.exists():
        say("note: the dashboard's month field will read in English (apt-get install chromium-l10n)")


# How far down a long page to take: the whole page up to MAX_HEIGHT, else to the end of the last
# card that ends above it, so that no card is cut in half.
CUT_AT = """(limit) => {
  const page = document.documentElement.scrollHeight;
  if (page <= limit) return page;
  const ends = [...document.querySelectorAll(".card")].map((card) => card.getBoundingClientRect().bottom + scrollY);
  return Math.ceil(Math.max(800, ...ends.filter((end) => end <= limit - 16)) + 16);
}"""


def shoot(page, name: str, full: bool = False) -> None:  # noqa: ANN001 - a Playwright Page
    """Viewport shots read best for most pages; `full` takes the whole page, or its top MAX_HEIGHT."""
    path = OUT / f"{name}.png"
    if full:
        height = page.evaluate(CUT_AT, MAX_HEIGHT)
        page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": VIEWPORT["width"],
                                                              "height": height})
    else:
        page.screenshot(path=str(path))
    say(f"{path.relative_to(ROOT)} ({path.stat().st_size // 1024} KB)")


def new_page(browser):  # noqa: ANN001, ANN201 - a Playwright Browser → Page
    return browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai").new_page()


def logged_in(browser, site: Site, role: str, unit: str | None = None):  # noqa: ANN001, ANN201 - Browser → Page
    """A page of its own (its own cookies) logged in through /login with a new key for `role`."""
    page = new_page(browser)
    page.goto(f"http://{site.address}/login")
    page.fill("#key", site.key(role, unit, LABELS[role])[1])
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()
    return page


def console_pages(browser, site: Site, waiting: list[bytes], talking: list[bytes]) -> None:  # noqa: ANN001
    with LineCaller(site, waiting, "13912345678") as waiter, LineCaller(site, talking, "13700001111") as talker:
        wait_for(lambda: waiter.answered.is_set() and talker.answered.is_set(), 240, "the callers on the line")
        say("two callers on the line, one waiting for a person")
        agent = logged_in(browser, site, "agent")
        # Both lines are taken (the embedded default's max_calls = 2): a third caller waits in the queue.
        with LineCaller(site, [], "13600002222") as queued:
            agent.goto(f"http://{site.address}/console")
            agent.wait_for_selector(f'#live-calls tr[data-call="{waiter.call_sid}"]')
            agent.wait_for_selector(f'#queued-calls tr[data-call="{queued.call_sid}"]', timeout=30_000)
            shoot(agent, "console", full=True)
        agent.goto(f"http://{site.address}/console/calls/{waiter.call_sid}")
        agent.wait_for_selector("#suggestions *", timeout=30_000)
        agent.wait_for_timeout(800)
        shoot(agent, "console-call", full=True)


def audit_page(browser, site: Site) -> None:  # noqa: ANN001 - a Playwright Browser
    """An agent plays a finished call's recording on the console; the admin's audit log lists it."""
    import httpx

    _, reader = site.key("supervisor")
    calls = httpx.get(f"http://{site.address}/api/calls", params={"limit": 20}, timeout=30,
                      headers={"Authorization": f"Bearer {reader}"}).json()["calls"]
    ended = [c["call_sid"] for c in calls if c["status"] == "ended"]
    if not ended:
        raise Unfit("no finished call to play the recording of")
    agent = logged_in(browser, site, "agent")
    agent.goto(f"http://{site.address}/console/calls/{ended[0]}")
    agent.evaluate("document.querySelector('#recording').play()")
    wait_for(lambda: agent.evaluate("document.querySelector('#recording').duration > 1"), 30, "the recording")
    admin = logged_in(browser, site, "admin")
    admin.goto(f"http://{site.address}/admin/audit")
    admin.wait_for_selector("#audit-entries tbody tr")
    shoot(admin, "audit")


def browser_phone_call(browser, site: Site) -> None:  # noqa: ANN001 - a Playwright Browser
    """The start page while its phone is on a call from the fake microphone, the order filling in."""
    page = new_page(browser)
    page.goto(f"http://{site.address}/")
    page.click("#call-button")
    page.wait_for_selector("#transcript .seat", timeout=90_000)
    # Polled, not page.wait_for_function: that evals in the page, which the pages' CSP refuses.
    wait_for(lambda: page.evaluate("document.querySelector('[data-field=district]').textContent !== '—'"), 90,
             "the reading's district")
    page.wait_for_timeout(1500)
    shoot(page, "start")
    page.click("#hangup-button")
    page.wait_for_selector("#filed:not([hidden])", timeout=60_000)


def take_screenshots(site: Site, launch: Callable[[Path | None], object], waiting: list[bytes],
                     talking: list[bytes]) -> None:
    """`launch(microphone)` starts a Chromium whose microphone plays that WAV file."""
    from server.storage.tickets import list_tickets
    from voice.audio_file import load_audio

    browser = launch(None)
    login = new_page(browser)
    login.goto(f"http://{site.address}/login")
    shoot(login, "login")

    console_pages(browser, site, waiting, talking)

    audit_page(browser, site)

    unit = logged_in(browser, site, "unit", DESK_UNIT)
    unit.goto(f"http://{site.address}/desk?view=all")
    shoot(unit, "desk")
    closed = [d.ticket for d in list_tickets(site.engine, unit=DESK_UNIT, limit=50) if d.ticket.status == "closed"]
    if not closed:
        raise Unfit(f"{DESK_UNIT} has no closed order to show (did its calls file orders?)")
    unit.goto(f"http://{site.address}/desk/orders/{closed[0].id}")
    shoot(unit, "desk-order", full=True)

    admin = logged_in(browser, site, "admin")
    # An edit through the item form, so that the item's history and the overview's latest changes show one.
    admin.goto(f"http://{site.address}/admin/knowledge/{ITEM}")
    admin.fill("#f-tags", ITEM_TAGS)
    admin.click("#save-button")
    admin.wait_for_selector("#saved-notice")
    shoot(admin, "knowledge-item", full=True)
    admin.goto(f"http://{site.address}/admin/knowledge")
    shoot(admin, "knowledge")
    admin.goto(f"http://{site.address}/admin/knowledge/try?question={quote(TRY_QUESTION)}")
    shoot(admin, "knowledge-try")

    supervisor = logged_in(browser, site, "supervisor")
    supervisor.goto(f"http://{site.address}/dashboard")
    wait_for(lambda: supervisor.evaluate(
        "[...document.querySelectorAll('[data-figure]')].every((card) => card.dataset.state)"), 30, "the figures")
    supervisor.wait_for_timeout(1500)  # ECharts' opening animation
    shoot(supervisor, "dashboard", full=True)

    # Chromium loops its fake microphone: the caller's turn, then a long enough silence to be answered.
    audio = [load_audio(clip, 16000) for clip in corpus_clips(BROWSER_CALL)] + [np.zeros(16000 * 8, np.float32)]
    microphone = write_wav(site.folder / "browser_caller.wav", np.concatenate(audio), 16000)
    browser_phone_call(launch(microphone), site)


def main() -> int:
    try:
        check_machine()
    except Unfit as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 1
    from playwright.sync_api import Error as BrowserError
    from playwright.sync_api import sync_playwright

    try:
        OUT.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="hotline-screens-") as folder, hotline_server(Path(folder)) as site:
            waiting, talking = line_speech(site, WAITING_CALLER), line_speech(site, TALKING_CALLER)
            place_calls(site)
            work_orders(site)
            # Playwright's sync API keeps an event loop on this thread, so the calls above,
            # which run their own, come first.
            with sync_playwright() as playwright:
                def launch(microphone: Path | None) -> object:  # a Playwright Browser
                    args = CHROMIUM_FLAGS + ([f"--use-file-for-fake-audio-capture={microphone}"] if microphone else [])
                    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=args,
                                                      env={**os.environ, **CHROMIUM_ENV})

                take_screenshots(site, launch, waiting, talking)
    except Unfit as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 1
    except BrowserError as exc:
        print(f"screenshots: the browser failed: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    say(f"done: {len(list(OUT.glob('*.png')))} screenshots in {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())

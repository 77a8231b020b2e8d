"""A real browser for the page tests: Debian's Chromium driven by Playwright (no browser download),
headless, with a fake microphone that plays a WAV file, and helpers to log in as a role."""

from __future__ import annotations

import shutil
import time
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from voice.audio_file import load_audio
from voice.codec import float_to_int16

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root and on a closed network: no sandbox, and none of Chromium's own connections out.
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps",
    "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required",
]


def chromium_or_skip() -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `apt-get install chromium` (make test installs it)")
    return CHROMIUM


def microphone_wav(sources: list[Path], out: Path, silence_s: float = 3.0, rate: int = 16000) -> Path:
    """A 16-bit PCM WAV for Chromium's fake microphone (it reads no μ-law): each source's audio
    followed by `silence_s` of silence, so a turn ends before the file starts over."""
    parts = []
    for source in sources:
        parts += [load_audio(source, rate), np.zeros(int(silence_s * rate), dtype=np.float32)]
    samples = float_to_int16(np.concatenate(parts))
    with wave.open(str(out), "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(samples.tobytes())
    return out


@contextmanager
def chromium(microphone: Path | None = None) -> Iterator[Browser]:
    """Headless Chromium; with `microphone`, getUserMedia hears that WAV (looped) and is granted."""
    args = list(FLAGS)
    if microphone is not None:
        args += ["--use-fake-device-for-media-stream", f"--use-file-for-fake-audio-capture={microphone}"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_or_skip(), args=args)
        try:
            yield browser
        finally:
            browser.close()


def log_in(browser: Browser, address: str, key: str) -> Page:
    """A new browser context (its own cookies) logged in with `key`; the page it landed on."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(f"http://{address}/login")
    page.fill("#key", key)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()
    return page


def wait_for_script(page: Page, expression: str, timeout: float = 30_000) -> None:
    """Wait until a JavaScript expression is true in the page, polling it (timeout in ms, as
    Playwright's). Not Playwright's wait_for_function: that runs its predicate through eval inside
    the page, which the pages' Content-Security-Policy refuses (no 'unsafe-eval')."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout / 1000:.0f} s: {expression}")
        page.wait_for_timeout(100)

"""Every page under its Content-Security-Policy, in Chromium: each role's pages load with nothing
refused (no inline script or <style>, no eval, nothing from elsewhere) and their scripts run.
What the pages do under it is what tests/test_web_*.py drive."""

from __future__ import annotations

from browser_harness import chromium, log_in, wait_for_script
from playwright.sync_api import Page
from server_harness import make_key, running_server

from server.storage.keys import Role

# Collects the browser's own reports of what the policy refused, from before any script runs.
WATCH_VIOLATIONS = """
window.refused = [];
document.addEventListener("securitypolicyviolation",
  (event) => window.refused.push(`${event.violatedDirective} ${event.blockedURI} line ${event.lineNumber}`));
"""

PAGES = {
    Role.AGENT: ["/console", "/"],
    Role.SUPERVISOR: ["/dashboard", "/console"],
    Role.UNIT: ["/desk"],
    Role.ADMIN: ["/admin/knowledge", "/admin/knowledge/kb", "/admin/knowledge/catalogue", "/admin/knowledge/gazetteer",
                 "/admin/knowledge/history", "/admin/knowledge/try?q=社保卡丢了怎么办", "/admin/audit"],
}


def refused_on(page: Page, url: str) -> list[str]:
    answer = page.goto(url)
    assert answer is not None and answer.status == 200, url
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # module scripts and what they fetch
    return page.evaluate("window.refused")


def test_each_roles_pages_load_with_nothing_refused(settings, tmp_path, models) -> None:
    database_url = f"sqlite:///{tmp_path / 'hotline.db'}"
    with running_server(settings, database_url, *models) as address, chromium() as browser:
        anonymous = browser.new_context().new_page()
        anonymous.add_init_script(WATCH_VIOLATIONS)
        assert refused_on(anonymous, f"http://{address}/login") == []
        for role, paths in PAGES.items():
            unit = "海淀区城管执法局" if role == Role.UNIT else None
            page = log_in(browser, address, make_key(database_url, role, unit=unit))
            page.context.add_init_script(WATCH_VIOLATIONS)
            for path in paths:
                assert refused_on(page, f"http://{address}{path}") == [], (role, path)
            if role == Role.SUPERVISOR:
                # The dashboard's script ran: every figure was read (and said so, or drawn).
                page.goto(f"http://{address}/dashboard")
                wait_for_script(page, "[...document.querySelectorAll('.figure-status')].every("
                                       "(status) => !status.textContent.includes('正在读取'))", timeout=20_000)
                assert page.evaluate("window.refused") == []

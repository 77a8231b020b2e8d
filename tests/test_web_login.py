"""Logging in to the pages (server/web/login.py): a role key opens a session cookie, a bad key is
shown beside the field, a page refuses no session with the login form and a wrong role with 403,
and a change sent with the cookie but without the session's CSRF token is refused. In Chromium."""

from __future__ import annotations

import httpx
from browser_harness import chromium, log_in
from server_harness import make_key, running_server

from server.access import SESSION_COOKIE
from server.storage.db import make_engine
from server.storage.keys import Role, find_key, revoke_key


def test_a_role_key_logs_in_and_out_and_a_bad_key_is_told_beside_the_field(settings, database_url, models) -> None:
    with running_server(settings, database_url, *models) as address, chromium() as browser:
        agent = make_key(database_url, Role.AGENT)
        page = log_in(browser, address, "hk_not-a-key")
        assert page.locator("#key-error").inner_text() == "密钥无效或已停用，请向管理员确认"
        assert page.locator("#key").get_attribute("aria-invalid") == "true"
        page = log_in(browser, address, agent)
        assert page.url.endswith("/console")
        assert page.locator(".who .role").inner_text() == "人工座席"
        cookie = {c["name"]: c for c in page.context.cookies()}[SESSION_COOKIE]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        page.click(".who button")
        page.wait_for_url(f"http://{address}/login")
        # The old cookie opens nothing once logged out.
        gone = httpx.get(f"http://{address}/console", cookies={SESSION_COOKIE: cookie["value"]}, timeout=10)
        assert gone.status_code == 401 and 'id="login-form"' in gone.text


def test_pages_refuse_no_session_with_the_login_form_and_a_wrong_role_with_403(settings, database_url, models) -> None:
    with running_server(settings, database_url, *models) as address, chromium() as browser:
        unit = make_key(database_url, Role.UNIT, unit="海淀区城管执法局")
        anonymous = browser.new_page()
        response = anonymous.goto(f"http://{address}/console")
        assert response is not None and response.status == 401
        assert anonymous.locator("#login-form").is_visible()
        # Logging in from there goes back to the page asked for.
        supervisor = make_key(database_url, Role.SUPERVISOR)
        anonymous.fill("#key", supervisor)
        anonymous.click("#login-form button[type=submit]")
        anonymous.wait_for_url(f"http://{address}/console")
        page = log_in(browser, address, unit)
        response = page.goto(f"http://{address}/console")
        assert response is not None and response.status == 403
        assert "不能打开这个页面" in page.content()


def test_a_session_ends_with_its_key_and_changes_need_the_csrf_token(settings, database_url, models) -> None:
    with running_server(settings, database_url, *models) as address:
        key = make_key(database_url, Role.SUPERVISOR)
        with httpx.Client(base_url=f"http://{address}", timeout=10) as client:
            assert client.post("/login", data={"key": key}).status_code == 303
            assert client.get("/api/calls").status_code == 200  # the cookie stands for the key
            # A change without the session's CSRF token is refused, whoever's cookie it carries.
            refused = client.post("/api/tickets/no-such-id/assign", json={"unit": "x"})
            assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
            engine = make_engine(database_url)
            try:
                revoke_key(engine, find_key(engine, key).id)
            finally:
                engine.dispose()
            assert client.get("/api/calls").status_code == 401

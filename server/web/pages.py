"""What every page shares: its access rule and how it is rendered.

A page admits the roles it names, like an API route, from a session cookie (a login with a role
key) or a bearer key. Refused, it is still a page: no or a dead session shows the login form
(401), a role the page does not admit the "not yours" page (403), too many wrong keys from this
address the login form saying how long to wait (429), each in Chinese and with the status a script
or test can read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from server.access import SESSION_COOKIE, AccessDenied, Caller, identify, with_rule
from server.storage.keys import Role
from server.storage.web_sessions import find_session

BEIJING = ZoneInfo("Asia/Shanghai")
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")

ROLE_NAMES = {
    Role.ADMIN: "管理员",
    Role.SUPERVISOR: "值班长",
    Role.AGENT: "人工座席",
    Role.UNIT: "承办单位",
    Role.GATEWAY: "话务网关",
}
# Where each role starts after logging in.
HOME_OF = {
    Role.AGENT: "/console",
    Role.SUPERVISOR: "/console",
    Role.UNIT: "/desk",
    Role.ADMIN: "/admin/knowledge",
    Role.GATEWAY: "/",
}


class PageDenied(Exception):
    """A page refused: 401 shows the login form, 403 says the page is not this role's, 429 (too
    many wrong keys) the login form with how long to wait."""

    def __init__(self, status: int, detail: str, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.retry_after = retry_after


def wait_message(seconds: int) -> str:
    """What the login form says to an address refused for too many wrong keys."""
    return f"密钥错误次数过多，请 {max(1, round(seconds / 60))} 分钟后再试"


def beijing(moment: datetime | None, form: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time as Beijing reads it; an empty string for none."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING).strftime(form)


TEMPLATES.env.filters["beijing"] = beijing
TEMPLATES.env.globals["ROLE_NAMES"] = ROLE_NAMES


def page(*roles: Role) -> Any:
    """A page's rule: `caller: Caller = page(Role.AGENT, …)`."""

    def caller_of_page(request: Request) -> Caller:
        try:
            return identify(request, roles)
        except AccessDenied as exc:
            raise PageDenied(exc.status, exc.detail, exc.retry_after) from None

    return with_rule(caller_of_page, roles)


def viewer_of(request: Request) -> Caller | None:
    """Who is logged in on this browser, if anyone (for pages anyone may open)."""
    opened = find_session(request.app.state.engine, request.cookies.get(SESSION_COOKIE, ""))
    if opened is None:
        return None
    return Caller.of_key(opened.key, opened.csrf_token)


def render(
    request: Request, template: str, caller: Caller | None, status: int = 200,
    headers: dict[str, str] | None = None, **context: Any,
) -> HTMLResponse:
    """A page in the site's frame: the navigation the caller's role may use, and the CSRF token
    that htmx and the page's scripts send with every change."""
    return TEMPLATES.TemplateResponse(
        request, template, {"caller": caller, "Role": Role, **context}, status_code=status, headers=headers
    )


def denied_page(request: Request, exc: PageDenied) -> HTMLResponse:
    if exc.status == 401:
        return render(request, "login.html", None, status=401, next=request.url.path, error=None)
    if exc.status == 429 and exc.retry_after is not None:
        return render(request, "login.html", None, status=429, headers={"Retry-After": str(exc.retry_after)},
                      next=request.url.path, error=wait_message(exc.retry_after))
    return render(request, "denied.html", viewer_of(request), status=exc.status, detail=exc.detail)

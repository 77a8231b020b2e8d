"""Log in with a role key (`hotline key create`): the key is checked once and a session cookie
carries the login after that (HttpOnly, SameSite=Strict); log out ends the session."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from server.access import SESSION_COOKIE, guessing_wait, key_failed, public
from server.storage.keys import Role
from server.storage.web_sessions import SESSION_HOURS, end_session, open_session
from server.web.pages import HOME_OF, render, viewer_of, wait_message

router = APIRouter()


def safe_next(target: str | None) -> str | None:
    """Only a path of this site: a login must not send the browser anywhere else."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@router.get("/login", dependencies=[public()])
def login_form(request: Request, next: str | None = None) -> Any:  # noqa: A002 - the query's name
    return render(request, "login.html", viewer_of(request), next=safe_next(next), error=None)


@router.post("/login", dependencies=[public()])
def log_in(request: Request, key: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "") -> Any:  # noqa: A002
    key = key.strip()
    if key and (wait := guessing_wait(request)) is not None:
        # Too many wrong keys from this address lately: this one is not even checked.
        return render(request, "login.html", None, status=429, headers={"Retry-After": str(wait)},
                      next=safe_next(next), error=wait_message(wait))
    opened = open_session(request.app.state.engine, key) if key else None
    if opened is None:
        if key:
            key_failed(request, key)
        # No key is a form left empty (422, as any bad form); a key we do not know is 401.
        error, status = ("密钥无效或已停用，请向管理员确认", 401) if key else ("请填写密钥", 422)
        return render(request, "login.html", None, status=status, next=safe_next(next), error=error)
    token, session = opened
    target = safe_next(next) or HOME_OF[Role(session.key.role)]
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, max_age=SESSION_HOURS * 3600, httponly=True, samesite="strict",
        secure=request.url.scheme == "https", path="/",
    )
    return response


@router.post("/logout", dependencies=[public()])
def log_out(request: Request) -> Any:
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        end_session(request.app.state.engine, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response

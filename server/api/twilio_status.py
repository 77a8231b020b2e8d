"""`POST /twilio/call-status`: how a survey call placed through Twilio ended (server/dialer/twilio_rest.py).

Twilio posts the call's status as a form (CallSid, CallStatus, AccountSid, To, From, …), signed
with X-Twilio-Signature over the URL it posted to (`[dialer] twilio_status_url`, as a proxy in
front may change what we see) and the POST parameters, keyed with the account's auth token
(`[gateway] twilio_auth_token`). A gateway key is admitted too, as on `/media-stream`.

busy, no-answer, failed and canceled are the attempt's outcome; `completed` means the call was
answered and has ended, so the survey has recorded its outcome — unless it never ran or never
finished, which is then recorded as unclear (tried again later). A call we do not know (or whose
attempt has ended) is acknowledged and ignored: Twilio would otherwise report it again.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request, Response

from server.access import AccessDenied, Caller, bearer_key, identify, with_rule
from server.storage.keys import Role
from server.telephony.twilio_signature import signature_is_valid
from server.workflow.callback_attempts import attempt_of_call
from server.workflow.callbacks import Outcome, finish

log = logging.getLogger("hotline.dialer")

router = APIRouter()

MAX_FORM_BYTES = 64 * 1024
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
ENDED = {
    "busy": (Outcome.BUSY, "Twilio: busy"),
    "no-answer": (Outcome.NO_ANSWER, "Twilio: not answered"),
    "failed": (Outcome.FAILED, "Twilio: the call could not be connected"),
    "canceled": (Outcome.FAILED, "Twilio: the call was canceled"),
}
UNDER_WAY = frozenset({"queued", "initiated", "ringing", "in-progress"})


async def form_of(request: Request) -> dict[str, str]:
    """The POST parameters (application/x-www-form-urlencoded, as Twilio sends them)."""
    body = await request.body()  # kept by the request: read once for the signature, once by the route
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(status_code=413, detail=f"a status callback of {len(body)} bytes; the limit is "
                                                    f"{MAX_FORM_BYTES}")
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        raise HTTPException(status_code=400, detail="the form is not valid UTF-8") from None


def signed_urls(request: Request, status_url: str) -> list[str]:
    """The URLs Twilio may have signed: the configured one, else the one requested, as http:// and as
    the https:// a TLS front end took off."""
    if status_url:
        return [status_url]
    seen = str(request.url)
    return [seen, seen.replace("http://", "https://", 1)]


async def twilio_of(request: Request) -> Caller | AccessDenied:
    settings = request.app.state.services.settings
    signature = request.headers.get("x-twilio-signature", "")
    if not signature:
        if bearer_key(request) is None:
            return AccessDenied(401, "Twilio signs its status callbacks (X-Twilio-Signature); "
                                     "anyone else needs a gateway key ('Authorization: Bearer <key>')")
        try:
            return identify(request, (Role.GATEWAY,))
        except AccessDenied as exc:
            return exc
    token = settings.raw.get("gateway", {}).get("twilio_auth_token", "")
    if not token:
        return AccessDenied(403, "X-Twilio-Signature cannot be checked: no Twilio auth token is configured "
                                 "([gateway] twilio_auth_token, HOTLINE_GATEWAY_TWILIO_AUTH_TOKEN)")
    params = await form_of(request)
    urls = signed_urls(request, settings.raw.get("dialer", {}).get("twilio_status_url", ""))
    if any(signature_is_valid(token, url, signature, params) for url in urls):
        return Caller(role=Role.GATEWAY)
    return AccessDenied(403, "X-Twilio-Signature does not match this request")


TwilioDep = Annotated[Caller | AccessDenied, with_rule(twilio_of, (Role.GATEWAY,))]


def _twiml(status: int = 200) -> Response:
    return Response(EMPTY_TWIML, status_code=status, media_type="application/xml")


@router.post("/twilio/call-status")
async def call_status(request: Request, twilio: TwilioDep) -> Response:
    if isinstance(twilio, AccessDenied):
        log.info("refused a Twilio status callback: %s", twilio.detail)
        raise HTTPException(status_code=twilio.status, detail=twilio.detail)
    form = await form_of(request)
    for field in ("CallSid", "CallStatus"):
        if not form.get(field):
            raise HTTPException(status_code=422, detail=f"the status callback has no '{field}'")
    call_sid, status = form["CallSid"], form["CallStatus"]
    if status in UNDER_WAY:
        return _twiml()
    if status == "completed":
        outcome, note = Outcome.UNCLEAR, "the call ended before the survey did"
    elif status in ENDED:
        outcome, note = ENDED[status]
    else:
        log.warning("Twilio call %s: unknown status %r ignored", call_sid, status[:40])
        return _twiml()
    engine = request.app.state.engine
    target = await asyncio.to_thread(attempt_of_call, engine, call_sid)
    if target is None:
        # Not ours, or its attempt has ended (the survey recorded it): nothing left to say.
        log.info("Twilio call %s %s: no open attempt is that call", call_sid, status)
        return _twiml()
    await asyncio.to_thread(
        finish, engine, target.callback_id, node=target.node, outcome=outcome, now=datetime.now(UTC),
        rules=request.app.state.callback_rules, note=note, attempt_id=target.attempt_id,
    )
    log.info("Twilio call %s: callback %d attempt %d %s", call_sid, target.callback_id, target.attempt_id, outcome)
    return _twiml()

"""The `/media-stream` WebSocket route: Twilio Media Streams in, clean closes on bad input.

A stream is a citizen calling in (server/telephony/session.py, behind the line limit of
server/telephony/line_queue.py), or, when its `start` names a
callback, the survey call a dialler placed (server/telephony/survey_call.py). Either way both legs are
recorded here and kept once the stream is closed (server/telephony/call_recorder.py).

Who may open it ([gateway] in the config): a gateway key; Twilio itself, by a valid
X-Twilio-Signature over the stream's URL when the account's auth token is set; and, with
`open_on_loopback` (the embedded default), any client on this machine without a key.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Annotated

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from server import heap_trim
from server.access import AccessDenied, Caller, deny, identify, with_rule
from server.storage.keys import Role
from server.telephony.call_recorder import CallRecorder, keep_recording
from server.telephony.line_queue import GatedCall
from server.telephony.protocol import (
    CLOSE_INVALID,
    CLOSE_NORMAL,
    CLOSE_SERVER_ERROR,
    CLOSE_TOO_BIG,
    ProtocolError,
    Start,
    parse_message,
)
from server.telephony.session import CallSession
from server.telephony.survey_call import SurveyCall, is_survey
from server.telephony.twilio_signature import signature_is_valid

log = logging.getLogger("hotline.media")

router = APIRouter()


def from_this_machine(websocket: WebSocket) -> bool:
    host = websocket.client.host if websocket.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def signed_urls(websocket: WebSocket, public_url: str) -> list[str]:
    """The URLs Twilio may have signed: the configured public one (a proxy in front changes what
    we see), else the one requested, as ws:// and as the wss:// a TLS front end took off."""
    query = websocket.url.query
    if public_url:
        return [f"{public_url}?{query}" if query else public_url]
    seen = str(websocket.url)
    return [seen, seen.replace("ws://", "wss://", 1)]


def gateway_of(websocket: WebSocket) -> Caller | AccessDenied:
    gateway = websocket.app.state.services.settings.raw.get("gateway", {})
    if gateway.get("open_on_loopback", False) and from_this_machine(websocket):
        return Caller(role=Role.GATEWAY)
    token = gateway.get("twilio_auth_token", "")
    signature = websocket.headers.get("x-twilio-signature", "")
    if token and signature:
        urls = signed_urls(websocket, gateway.get("public_url", ""))
        if any(signature_is_valid(token, url, signature) for url in urls):
            return Caller(role=Role.GATEWAY)
        return AccessDenied(403, "X-Twilio-Signature does not match this stream's URL")
    try:
        return identify(websocket, (Role.GATEWAY,))
    except AccessDenied as exc:
        return exc


GatewayDep = Annotated[Caller | AccessDenied, with_rule(gateway_of, (Role.GATEWAY,))]


def message_bytes(raw: str | bytes) -> int:
    """A frame's size in bytes as it came over the wire (a text frame is UTF-8: a Chinese
    character is three bytes, so counting characters would let through three times the limit)."""
    if isinstance(raw, bytes) or raw.isascii():
        return len(raw)
    return len(raw.encode("utf-8", "surrogatepass"))


@router.websocket("/media-stream")
async def media_stream(websocket: WebSocket, gateway: GatewayDep) -> None:
    if isinstance(gateway, AccessDenied):
        await deny(websocket, gateway)
        return
    await websocket.accept()
    services = websocket.app.state.services
    max_bytes: int = services.settings.get("server", "max_message_bytes")

    async def hang_up() -> None:
        # The call's own loop may be closing the stream at the same moment (the call has ended).
        if websocket.application_state == WebSocketState.CONNECTED:
            try:
                await websocket.close(code=CLOSE_NORMAL, reason="call over")
            except (RuntimeError, WebSocketDisconnect):
                pass

    # Both legs are recorded here, whoever answers (server/telephony/call_recorder.py).
    recorder = CallRecorder(services.recordings)
    send = recorder.send_through(websocket.send_text)
    # A citizen's call waits for a line past [server] max_calls (server/telephony/line_queue.py).
    citizen = CallSession(services, send, hang_up)
    session: GatedCall | SurveyCall = GatedCall(services, citizen, send, hang_up)
    close_code, close_reason, error = CLOSE_NORMAL, "call ended", None
    try:
        while not session.ended:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                error = None if session.state is None else "caller disconnected without 'stop'"
                break
            raw = message.get("text")
            if raw is None:
                raw = message.get("bytes") or b""
            size = message_bytes(raw)
            if size > max_bytes:
                raise ProtocolError(CLOSE_TOO_BIG, f"message of {size} bytes; the limit is {max_bytes}")
            event = parse_message(raw)
            recorder.received(event)
            if isinstance(event, Start) and session.state is None and is_survey(event):
                # A callback survey a dialler placed (server/dialer/), not a citizen calling in.
                session = SurveyCall(services, websocket.app.state.callback_rules, send, hang_up)
            await session.handle(event)
    except ProtocolError as exc:
        close_code, close_reason, error = exc.code, exc.reason, exc.reason
        log.warning("call %s refused: %s (close %d)", session.label, exc.reason, exc.code)
    except WebSocketDisconnect:
        error = "caller disconnected without 'stop'"
    except UnicodeDecodeError:
        close_code, close_reason = CLOSE_INVALID, "text frame is not valid UTF-8"
        error = close_reason
        log.warning("call %s refused: %s", session.label, close_reason)
    except Exception:
        log.exception("call %s: internal error", session.label)
        close_code, close_reason, error = CLOSE_SERVER_ERROR, "internal error", "internal error"
    finally:
        try:
            await session.end(error=error)
        except Exception:
            log.exception("call %s: could not store the end of the call", session.label)
        if websocket.application_state == WebSocketState.CONNECTED and (
            websocket.client_state == WebSocketState.CONNECTED
        ):
            try:
                await websocket.close(code=close_code, reason=close_reason)
            except (RuntimeError, WebSocketDisconnect):
                pass  # the peer went away while we were finishing
        await keep_recording(services, recorder)  # once the line is closed: nobody waits for it
        await heap_trim.after_call()

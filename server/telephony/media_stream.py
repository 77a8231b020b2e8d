"""The `/media-stream` WebSocket route: Twilio Media Streams in, clean closes on bad input."""

from __future__ import annotations

import logging

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from server.telephony.protocol import (
    CLOSE_INVALID,
    CLOSE_NORMAL,
    CLOSE_SERVER_ERROR,
    CLOSE_TOO_BIG,
    ProtocolError,
    parse_message,
)
from server.telephony.session import CallSession

log = logging.getLogger("hotline.media")

router = APIRouter()


@router.websocket("/media-stream")
async def media_stream(websocket: WebSocket) -> None:
    await websocket.accept()
    services = websocket.app.state.services
    max_bytes: int = services.settings.get("server", "max_message_bytes")
    session = CallSession(services, websocket.send_text)
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
            if len(raw) > max_bytes:
                raise ProtocolError(CLOSE_TOO_BIG, f"message of {len(raw)} bytes; the limit is {max_bytes}")
            await session.handle(parse_message(raw))
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

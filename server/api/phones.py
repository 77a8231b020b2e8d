"""`/phones`: where softphones register to be rung for callback surveys (server/dialer/softphone.py).

Who may register is who may open `/media-stream` (a gateway key, or any client on this machine in
the embedded default): a registered phone is answered on the media stream like a carrier's line.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from server.access import AccessDenied, Caller, deny, with_rule
from server.dialer.softphone import PHONE_NUMBER, REPLIES, RegisteredPhone, RegisteredPhones
from server.storage.keys import Role
from server.telephony.media_stream import gateway_of
from server.telephony.protocol import CLOSE_INVALID, CLOSE_PROTOCOL

log = logging.getLogger("hotline.dialer")

router = APIRouter()

PhoneDep = Annotated[Caller | AccessDenied, with_rule(gateway_of, (Role.GATEWAY,))]
CLOSE_REPLACED = 4000  # the number registered again, on another connection


class _Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def _message(raw: str) -> dict:
    try:
        message = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise _Refused(CLOSE_INVALID, f"not JSON: {exc.msg}") from None
    if not isinstance(message, dict) or not isinstance(message.get("event"), str):
        raise _Refused(CLOSE_INVALID, "a message must be an object with an 'event'")
    return message


@router.websocket("/phones")
async def phones(websocket: WebSocket, gateway: PhoneDep) -> None:
    if isinstance(gateway, AccessDenied):
        await deny(websocket, gateway)
        return
    await websocket.accept()
    registry: RegisteredPhones = websocket.app.state.phones
    phone: RegisteredPhone | None = None
    try:
        while True:
            message = _message(await websocket.receive_text())
            event = message["event"]
            if phone is None:
                number = message.get("number")
                if event != "register" or not isinstance(number, str) or not PHONE_NUMBER.fullmatch(number):
                    raise _Refused(CLOSE_PROTOCOL, "first register: {'event': 'register', 'number': '<digits>'}")
                phone = RegisteredPhone(number, websocket.send_text, _closer(websocket))
                displaced = registry.register(phone)
                if displaced is not None:
                    registry.unregister(displaced)
                    await _close(displaced, CLOSE_REPLACED, "this number registered again elsewhere")
                await websocket.send_text(json.dumps({"event": "registered", "number": number}))
                log.info("a softphone registered (%d on this node)", len(registry))
            elif event in REPLIES:
                if not phone.replied(str(message.get("callSid", "")), event):
                    log.info("a softphone answered a call that is not ringing")
            else:
                log.info("softphone: ignoring unknown event %r", event)
    except _Refused as exc:
        await websocket.close(code=exc.code, reason=exc.reason)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        if phone is not None:
            registry.unregister(phone)


def _closer(websocket: WebSocket):  # noqa: ANN202
    async def close(code: int, reason: str) -> None:
        await websocket.close(code=code, reason=reason)

    return close


async def _close(phone: RegisteredPhone, code: int, reason: str) -> None:
    try:
        await phone.close(code, reason)
    except (RuntimeError, WebSocketDisconnect):
        pass  # already gone

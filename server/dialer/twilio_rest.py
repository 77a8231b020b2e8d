"""Ringing through Twilio's REST API: one `POST …/Accounts/{sid}/Calls.json` a callback.

The call's TwiML connects whoever answers to our `/media-stream` (`<Connect><Stream>`), the
stream's `start` carrying the ring's parameters as `<Parameter>`s, so the survey runs there as for
any other dialler. Twilio answers the request at once with the call's sid (its status `queued`);
how the call ended it tells later, by a signed POST to our status route (server/api/twilio_status.py,
`[dialer] twilio_status_url`), which finds the attempt by that sid.

Phone numbers and tokens never reach the log or the attempt's note: Twilio's own error messages,
which may repeat the number, have their digits blanked.
"""

from __future__ import annotations

import logging
import re
from xml.sax.saxutils import quoteattr

import httpx

from server.dialer.base import Placed, SurveyRing
from server.workflow.callbacks import Outcome

log = logging.getLogger("hotline.dialer")

REQUEST_TIMEOUT_S = 15.0
CHINESE_MOBILE = re.compile(r"1[3-9]\d{9}")
# A run of digits long enough to be (part of) a phone number, in a message we keep.
_NUMBERISH = re.compile(r"\+?\d[\d\s-]{4,}\d")


def e164(phone: str) -> str:
    """The number as Twilio wants it: a Chinese mobile ('139…') or landline ('010…') with +86, an
    international one ('+…', '00…') as it is."""
    number = re.sub(r"[\s-]", "", phone)
    if number.startswith("+"):
        return number
    if number.startswith("00"):
        return "+" + number[2:]
    if CHINESE_MOBILE.fullmatch(number):
        return "+86" + number
    if number.startswith("0"):
        return "+86" + number[1:]
    return number


def stream_twiml(stream_url: str, parameters: dict[str, str]) -> str:
    """`<Connect><Stream>` to `stream_url`, each parameter a `<Parameter>` the stream's start carries."""
    inner = "".join(f"<Parameter name={quoteattr(name)} value={quoteattr(value)}/>"
                    for name, value in parameters.items())
    return f"<Response><Connect><Stream url={quoteattr(stream_url)}>{inner}</Stream></Connect></Response>"


def _blanked(text: str) -> str:
    return _NUMBERISH.sub("…", text)


def _refusal(response: httpx.Response) -> str:
    """What Twilio said when it refused: its HTTP status, error code and message."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return f"Twilio refused the call: HTTP {response.status_code}"
    code, message = body.get("code"), _blanked(str(body.get("message") or "")[:200])
    return f"Twilio refused the call: HTTP {response.status_code}, error {code}: {message}"


class TwilioDialer:
    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        api_base: str,
        status_url: str,
        ring_seconds: float,
    ) -> None:
        self._calls_url = f"{api_base.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Calls.json"
        self._from = e164(from_number)
        self._status_url = status_url
        self._ring_seconds = ring_seconds
        self._client = httpx.AsyncClient(auth=httpx.BasicAuth(account_sid, auth_token), timeout=REQUEST_TIMEOUT_S)

    def call_form(self, ring: SurveyRing, stream_url: str) -> dict[str, str]:
        form = {
            "To": e164(ring.phone),
            "From": self._from,
            "Twiml": stream_twiml(stream_url, ring.stream_parameters()),
            "Timeout": str(max(1, int(self._ring_seconds))),
        }
        if self._status_url:
            # Only `completed` is asked for: busy, no-answer, failed and canceled end the call too,
            # and come as that event's CallStatus.
            form |= {"StatusCallback": self._status_url, "StatusCallbackEvent": "completed",
                     "StatusCallbackMethod": "POST"}
        return form

    async def place(self, ring: SurveyRing, stream_url: str) -> Placed:
        try:
            response = await self._client.post(self._calls_url, data=self.call_form(ring, stream_url))
        except httpx.HTTPError as exc:
            note = f"Twilio could not be reached ({type(exc).__name__})"
            log.warning("callback %d attempt %d: %s", ring.callback_id, ring.attempt_id, note)
            return Placed(Outcome.FAILED, note=note)
        if response.is_error:
            note = _refusal(response)
            log.warning("callback %d attempt %d: %s", ring.callback_id, ring.attempt_id, note)
            return Placed(Outcome.FAILED, note=note)
        try:
            body = response.json()
        except ValueError:
            body = None
        call_sid = body.get("sid") if isinstance(body, dict) else None
        if not isinstance(call_sid, str) or not call_sid:
            note = f"Twilio answered HTTP {response.status_code} without a call sid"
            log.warning("callback %d attempt %d: %s", ring.callback_id, ring.attempt_id, note)
            return Placed(Outcome.FAILED, note=note)
        log.info("callback %d attempt %d: Twilio call %s %s", ring.callback_id, ring.attempt_id, call_sid,
                 body.get("status", "placed"))
        return Placed(None, call_sid=call_sid)

    async def close(self) -> None:
        await self._client.aclose()

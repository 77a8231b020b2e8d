"""Twilio's request signature (X-Twilio-Signature), as Twilio publishes it: HMAC-SHA1 keyed with
the account's auth token over the full URL Twilio requested followed by the POST parameters sorted
by name, each name then value, base64-encoded. A media-stream handshake is a GET, so its URL alone
(query string included) is signed."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str] | None = None) -> str:
    data = url + "".join(name + params[name] for name in sorted(params or {}))
    digest = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_is_valid(auth_token: str, url: str, signature: str, params: Mapping[str, str] | None = None) -> bool:
    return bool(auth_token and signature) and hmac.compare_digest(twilio_signature(auth_token, url, params), signature)

"""The start page: what Hotline is, and a browser phone that calls the seat.

The phone (static/js/phone.js) speaks the same media-stream protocol a gateway does, from the
browser: the microphone resampled to 8 kHz μ-law in 20 ms frames, the seat's voice played back,
marks echoed once played. Who may call from here is who may open /media-stream: on the embedded
default any browser on this machine; elsewhere, a gateway key. Beside it the page shows the call's
words and the order being filled, from the call's own events (/media-stream/events)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from server.access import public
from server.web.pages import render, viewer_of

router = APIRouter()


@router.get("/", dependencies=[public()])
def start_page(request: Request) -> Any:
    gateway = request.app.state.services.settings.raw.get("gateway", {})
    return render(request, "home.html", viewer_of(request), open_line=bool(gateway.get("open_on_loopback")))

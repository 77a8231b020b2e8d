"""A stand-in OpenAI-compatible speech service (`POST /v1/audio/speech`) on a real loopback socket.

It speaks the wire protocol as OpenAI and the self-hosted servers that copy it do (JSON in, WAV
out, JSON errors with an HTTP status) and answers at 22.05 kHz, so resampling gets exercised.
Voice "nobody" is refused (400), voice "garbled" gets bytes that are not WAV.
"""

from __future__ import annotations

import io
import json
import threading
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

SERVICE_RATE = 22050
SECONDS_PER_CHAR = 0.2


class SpeechService(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        if body.get("voice") == "nobody":
            self._send(400, "application/json", json.dumps({"error": {"message": "voice 'nobody' not found"}}).encode())
        elif body.get("voice") == "garbled":
            self._send(200, "audio/wav", b"RIFF....not really a wav file")
        else:
            self._send(200, "audio/wav", _tone_wav(len(body["input"]) * SECONDS_PER_CHAR))

    def _send(self, status: int, kind: str, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


def _tone_wav(seconds: float) -> bytes:
    t = np.arange(int(seconds * SERVICE_RATE)) / SERVICE_RATE
    pcm = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SERVICE_RATE)
        wav.writeframes(pcm.tobytes())
    return out.getvalue()


@contextmanager
def speech_service() -> Iterator[str]:
    """The service's base URL (…/v1) for as long as the block runs; requests land in `SpeechService.requests`."""
    SpeechService.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), SpeechService)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()

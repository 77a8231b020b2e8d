"""A stand-in OpenAI-compatible chat server (`POST /v1/chat/completions`) on a real loopback socket.

It speaks the wire protocol as OpenAI and the servers that copy it (vLLM, llama.cpp) do: a JSON
chat.completion with `message.content` or `message.tool_calls`, or, when the request asks to
stream, `text/event-stream` over chunked HTTP/1.1: `data: {chat.completion.chunk}` events whose
deltas carry the content or the tool call's arguments in pieces, then `data: [DONE]`. Errors are
JSON bodies with an HTTP status. What it answers is scripted per test, one step per request, and it
records every request and the moment each streamed chunk went out.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    """A model's answer: text, or a call of `tool_name` with these arguments (a JSON string,
    possibly malformed). A sequence is the pieces a stream sends, with `pause_s` between them."""

    content: str | Sequence[str] | None = None
    tool_arguments: str | Sequence[str] | None = None
    tool_name: str = "read_turn"
    pause_s: float = 0.0


@dataclass
class Failure:
    status: int = 500
    message: str = "model crashed"


@dataclass
class Hang:
    """Accept the request and say nothing for this long (the client's timeout should fire first)."""

    seconds: float = 30.0


Step = Answer | Failure | Hang


def _pieces(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    standin: LlmStandin

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        standin = self.standin
        with standin.lock:
            standin.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
            step = standin.script.pop(0) if standin.script else Failure(500, "the stand-in has no answer scripted")
        if self.path != "/v1/chat/completions":
            step = Failure(404, f"no route {self.path}")
        if isinstance(step, Hang):
            standin.released.wait(step.seconds)
            self.close_connection = True
        elif isinstance(step, Failure):
            error = {"error": {"message": step.message, "type": "server_error", "code": step.status}}
            self._send_json(step.status, error)
        elif body.get("stream"):
            self._stream(step, body["model"])
        else:
            self._send_json(200, _completion(step, body["model"]))

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, answer: Answer, model: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._event(_chunk(model, {"role": "assistant", "content": ""}))
        for index, piece in enumerate(_pieces(answer.content)):
            if index:
                time.sleep(answer.pause_s)
            self._event(_chunk(model, {"content": piece}))
        arguments = _pieces(answer.tool_arguments)
        if answer.tool_arguments is not None:
            call = {"index": 0, "id": "call_0", "type": "function", "function": {"name": answer.tool_name,
                                                                              "arguments": ""}}
            self._event(_chunk(model, {"tool_calls": [call]}))
        for index, piece in enumerate(arguments):
            if index:
                time.sleep(answer.pause_s)
            self._event(_chunk(model, {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}))
        finish = "tool_calls" if answer.tool_arguments is not None else "stop"
        self._event(_chunk(model, {}, finish))
        self._event("[DONE]")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _event(self, data: dict[str, Any] | str) -> None:
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        payload = f"data: {text}\n\n".encode()
        self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
        self.wfile.flush()
        self.standin.chunk_times.append(time.monotonic())

    def log_message(self, *args: object) -> None:
        pass


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}


def _completion(answer: Answer, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": None}
    finish = "stop"
    if answer.tool_arguments is not None:
        function = {"name": answer.tool_name, "arguments": "".join(_pieces(answer.tool_arguments))}
        message["tool_calls"] = [{"id": "call_0", "type": "function", "function": function}]
        finish = "tool_calls"
    if answer.content is not None:
        message["content"] = "".join(_pieces(answer.content))
    return {"id": "chatcmpl-standin", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


class LlmStandin:
    """`with LlmStandin([Answer(...), Failure(), ...]) as llm:` serves at `llm.base_url` (…/v1)."""

    def __init__(self, script: Sequence[Step] = ()) -> None:
        self.script: list[Step] = list(script)
        self.requests: list[dict[str, Any]] = []
        self.chunk_times: list[float] = []
        self.lock = threading.Lock()
        self.released = threading.Event()  # ends hangs when the stand-in stops
        handler = type("Handler", (_Handler,), {"standin": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        # A short poll so that stopping the stand-in does not hold each test up for half a second.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> LlmStandin:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()

    def prompt_text(self) -> str:
        """Everything the client sent in its messages (and tools), for checking what left."""
        return "\n".join(json.dumps({k: r.get(k) for k in ("messages", "tools", "response_format")},
                                    ensure_ascii=False) for r in self.requests)

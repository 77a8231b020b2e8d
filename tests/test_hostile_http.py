"""Hostile HTTP over a real socket: bodies over [server] max_request_bytes are refused with 413
before they are read (by their Content-Length, or by counting a chunked body as it comes); an
address that tries many wrong keys is refused (429, Retry-After) at bearer keys, session cookies,
the login form and WebSocket handshakes, while good keys and other addresses go on; pages carry a
Content-Security-Policy and the other headers that keep them from being framed or sniffed."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, replace

import httpx
import pytest
import websockets
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from server_harness import make_key, running_server
from sqlalchemy import text
from websockets.exceptions import InvalidStatus

from server.access import SESSION_COOKIE
from server.storage.db import make_engine
from server.storage.keys import Role

LIMIT = 64 * 1024
WRONG_KEYS = 4


@dataclass(frozen=True)
class Server:
    address: str
    database_url: str

    def key(self, role: Role) -> str:
        return make_key(self.database_url, role)


@pytest.fixture(scope="module")
def server(settings, models, tmp_path_factory) -> Iterator[Server]:
    """One server for the module, with a small body limit and few wrong keys allowed; each test
    speaks from loopback addresses of its own (127.0.0.N), so their wrong keys do not meet."""
    section = {**settings.raw["server"], "max_request_bytes": LIMIT, "failed_key_limit": WRONG_KEYS}
    small = replace(settings, raw={**settings.raw, "server": section})
    database_url = f"sqlite:///{tmp_path_factory.mktemp('hostile_http') / 'hotline.db'}"
    with running_server(small, database_url, *models) as address:
        yield Server(address, database_url)


def client_from(host: str) -> httpx.Client:
    """An HTTP client whose connections come from `host` (any 127.x address reaches the loopback)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=host), timeout=10)


def raw_request(address: str, head: str, body_parts: list[bytes], source: str = "127.0.0.1") -> bytes:
    """Send a request's head and body parts on a plain socket (stopping if the server closes it),
    then read the answer until the server closes or 10 s pass."""
    host, port = address.split(":")
    with socket.create_connection((host, int(port)), timeout=10, source_address=(source, 0)) as conn:
        conn.sendall(head.encode("ascii"))
        try:
            for part in body_parts:
                conn.sendall(part)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the rest was sent
        answer = b""
        try:
            while chunk := conn.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and answer.split(b"\r\n\r\n", 1)[1].rstrip().endswith(b"}"):
                    break
        except (TimeoutError, ConnectionResetError):
            pass
        return answer


def status_and_json(answer: bytes) -> tuple[int, dict]:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head, "no answer"
    if b"transfer-encoding: chunked" in head.lower():
        body = body.split(b"\r\n", 1)[1].rsplit(b"\r\n0\r\n", 1)[0]
    return int(head.split()[1]), json.loads(body)


# ---- request size limits ------------------------------------------------------------------------


def test_a_body_declared_too_large_is_refused_before_it_is_sent(server: Server) -> None:
    address = server.address
    # A gigabyte announced and a few bytes sent: the answer comes at once, nothing waits for the rest.
    head = (f"POST /login HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {10**9}\r\n\r\n")
    status, body = status_and_json(raw_request(address, head, [b"key=hk_"]))
    assert status == 413 and f"({LIMIT} bytes)" in body["detail"]


def test_a_chunked_body_is_refused_once_its_chunks_pass_the_limit(server: Server) -> None:
    address = server.address
    # No Content-Length: the chunks are counted as they come. The body is never finished, so an
    # answer at all shows the server stopped reading at the limit.
    head = (f"POST /api/tickets/T-1/assign HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"a" * 8192
    parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * (2 * LIMIT // len(chunk))
    status, body = status_and_json(raw_request(address, head, parts))
    assert status == 413 and "larger than this server takes" in body["detail"]


def test_a_body_within_the_limit_is_read_as_usual(server: Server) -> None:
    address, supervisor = server.address, server.key(Role.SUPERVISOR)
    note = "说" * (LIMIT // 4)  # 48 kB of UTF-8: within the limit, far past the note's 2000 characters
    answer = httpx.post(f"http://{address}/api/tickets/T-none/assign", json={"unit": "某单位", "note": note},
                        headers={"Authorization": f"Bearer {supervisor}"}, timeout=10)
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "note"]
    assert answer.headers["x-content-type-options"] == "nosniff"


# ---- wrong keys ---------------------------------------------------------------------------------



def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def handshake(url: str, key: str, source: str) -> int:
    """The HTTP status a WebSocket handshake from `source` gets (101 where it is accepted)."""

    async def attempt() -> int:
        try:
            async with websockets.connect(url, additional_headers=bearer(key), local_addr=(source, 0),
                                          open_timeout=10):
                return 101
        except InvalidStatus as exc:
            assert exc.response.status_code != 429 or int(exc.response.headers["Retry-After"]) > 0
            return exc.response.status_code

    return asyncio.run(attempt())


def test_an_address_trying_many_wrong_keys_is_refused_and_others_are_not(server: Server) -> None:
    calls = f"http://{server.address}/api/calls"
    good = server.key(Role.SUPERVISOR)
    with client_from("127.0.0.2") as guesser, client_from("127.0.0.3") as colleague:
        # The same stale key again and again is one mistake: it keeps hearing why (401).
        assert {guesser.get(calls, headers=bearer("hk_stale")).status_code for _ in range(3 * WRONG_KEYS)} == {401}
        # Different keys are guessing: past the limit the address is refused, before any check.
        for n in range(1, WRONG_KEYS):
            assert guesser.get(calls, headers=bearer(f"hk_guess-{n}")).status_code == 401
        refused = guesser.get(calls, headers=bearer("hk_guess-next"))
        assert refused.status_code == 429 and "too many wrong keys" in refused.json()["detail"]
        assert 0 < int(refused.headers["Retry-After"]) <= 900
        # Even a good key: were it let through, a hit would stand out from the refusals.
        assert guesser.get(calls, headers=bearer(good)).status_code == 429
        assert guesser.get(calls).status_code == 401  # no key, nothing checked
        assert handshake(f"ws://{server.address}/api/events", "hk_guess-ws", "127.0.0.2") == 429
        # Another address is not held back by the guesser's tries, nor by a wrong key of its own.
        assert colleague.get(calls, headers=bearer("hk_typo")).status_code == 401
        assert colleague.get(calls, headers=bearer(good)).status_code == 200
        assert handshake(f"ws://{server.address}/api/events", good, "127.0.0.3") == 101
    assert httpx.get(f"http://{server.address}/healthz", timeout=10).status_code == 200


def test_good_keys_never_count(server: Server) -> None:
    good = server.key(Role.ADMIN)
    with client_from("127.0.0.4") as admin:
        statuses = {admin.get(f"http://{server.address}/api/calls", headers=bearer(good)).status_code
                    for _ in range(3 * WRONG_KEYS)}
        assert statuses == {200}


def test_wrong_session_cookies_count_as_wrong_keys(server: Server) -> None:
    with client_from("127.0.0.5") as browser:
        for n in range(WRONG_KEYS):
            page = browser.get(f"http://{server.address}/console", headers={"Cookie": f"{SESSION_COOKIE}=forged-{n}"})
            assert page.status_code == 401 and 'id="login-form"' in page.text
        page = browser.get(f"http://{server.address}/console", headers={"Cookie": f"{SESSION_COOKIE}=forged-last"})
        assert page.status_code == 429 and int(page.headers["Retry-After"]) > 0
        assert "密钥错误次数过多" in page.text and 'id="login-form"' in page.text


def test_the_login_form_refuses_an_address_guessing_keys(server: Server) -> None:
    login = f"http://{server.address}/login"
    good = server.key(Role.AGENT)
    with client_from("127.0.0.6") as guesser, client_from("127.0.0.7") as agent:
        for n in range(WRONG_KEYS):
            assert guesser.post(login, data={"key": f"hk_wrong-{n}"}).status_code == 401
        refused = guesser.post(login, data={"key": good})
        assert refused.status_code == 429 and "密钥错误次数过多" in refused.text
        assert int(refused.headers["Retry-After"]) > 0 and SESSION_COOKIE not in refused.cookies
        logged_in = agent.post(login, data={"key": good})
        assert logged_in.status_code == 303 and SESSION_COOKIE in logged_in.cookies


def sessions_in(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM web_sessions")).scalar_one()
    finally:
        engine.dispose()


FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "application/json",
              "text/plain", "multipart/form-data"]


def test_hostile_login_forms_get_4xx_and_open_no_session(server: Server) -> None:
    login = f"http://{server.address}/login"
    sessions = sessions_in(server.database_url)
    with client_from("127.0.0.8") as client:

        @examples(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(st.sampled_from(FORM_TYPES), st.one_of(
            st.binary(max_size=300),
            st.dictionaries(st.sampled_from(["key", "next", "other"]), st.text(max_size=50), max_size=3).map(
                lambda fields: "&".join(f"{k}={v}" for k, v in fields.items()).encode("utf-8", "surrogatepass")),
            st.just(b"key=" + b"%ff%fe" * 1000), st.just(b"key=" + b"a" * (LIMIT - 10)),
        ))
        def every(content_type: str, body: bytes) -> None:
            answer = client.post(login, content=body, headers={"Content-Type": content_type})
            assert 400 <= answer.status_code < 500, (content_type, body[:100], answer.status_code, answer.text[:300])

        every()
    assert sessions_in(server.database_url) == sessions


# ---- headers ------------------------------------------------------------------------------------


def test_pages_say_what_they_may_load_and_that_they_may_not_be_framed(server: Server) -> None:
    page = httpx.get(f"http://{server.address}/login", timeout=10)
    assert page.headers["content-type"].startswith("text/html")
    policy = dict(part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["x-content-type-options"] == "nosniff"
    for path in ("/healthz", "/static/site.css", "/api/calls"):
        other = httpx.get(f"http://{server.address}{path}", timeout=10)
        assert other.headers["x-content-type-options"] == "nosniff", path
        assert "content-security-policy" not in other.headers, path

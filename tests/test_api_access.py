"""Who may use which route (server/access.py): every route of the app's own route table declares
its rule and is probed with no key, a revoked key and a key of every role, over a real socket on
both databases; a unit sees only its own orders; keys are made, listed and revoked from the CLI
and only their hashes are stored; /media-stream also admits Twilio's signature, or, by default,
clients on this machine."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
import websockets
from fastapi.routing import APIRoute, APIWebSocketRoute
from server_harness import close_call, make_key, running_server
from sqlalchemy import text
from starlette.websockets import WebSocket
from typer.testing import CliRunner
from websockets.exceptions import InvalidStatus

from agent.types import CallOutcome, WorkOrderDraft
from server.access import RULE_ATTRIBUTE
from server.app import create_app
from server.cli import app as hotline_app
from server.config import load_settings
from server.storage import repository
from server.storage.db import make_engine
from server.storage.keys import Role, find_key, hash_key, revoke_key
from server.telephony.media_stream import from_this_machine
from server.telephony.twilio_signature import twilio_signature

# FastAPI's own documentation pages: they describe the routes and hold no data.
FRAMEWORK_DOCS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
TWILIO_TOKEN = "test-auth-token"
UNIT = "海淀区城管执法局"


def route_rules(route: APIRoute | APIWebSocketRoute) -> list[tuple[Role, ...]]:
    """The rules among a route's dependencies, however deep."""

    def walk(dependant) -> Iterator[tuple[Role, ...]]:  # noqa: ANN001 - FastAPI's Dependant
        for dependency in dependant.dependencies:
            if hasattr(dependency.call, RULE_ATTRIBUTE):
                yield getattr(dependency.call, RULE_ATTRIBUTE)
            yield from walk(dependency)

    return list(walk(route.dependant))


def every_route(routes: list) -> Iterator:
    """The app's routes, those of the routers it includes too (FastAPI keeps an included router
    whole, as one entry holding its `original_router`)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from every_route(inner.routes)
        else:
            yield route


def the_routes(settings, models) -> list[APIRoute | APIWebSocketRoute]:  # noqa: ANN001
    app = create_app(settings, "sqlite://", *models)
    found = list(every_route(app.routes))
    routes = [r for r in found if isinstance(r, APIRoute | APIWebSocketRoute)]
    others = {r.path for r in found if not isinstance(r, APIRoute | APIWebSocketRoute)}
    assert others <= FRAMEWORK_DOCS, f"routes outside FastAPI's routing, with no rule: {others - FRAMEWORK_DOCS}"
    return routes


def test_every_route_declares_who_may_use_it(settings, models) -> None:
    for route in the_routes(settings, models):
        assert len(route_rules(route)) == 1, f"{route.path} has no access rule (or more than one)"


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'hotline.db'}"


@pytest.fixture
def gateway_settings():
    """No open line: /media-stream wants a gateway key or Twilio's signature."""
    return load_settings(
        environ={"HOTLINE_GATEWAY_OPEN_ON_LOOPBACK": "false", "HOTLINE_GATEWAY_TWILIO_AUTH_TOKEN": TWILIO_TOKEN}
    )


def handshake(url: str, headers: dict[str, str] | None = None) -> int:
    """The HTTP status a WebSocket handshake gets (101 where it is accepted)."""

    async def attempt() -> int:
        try:
            async with websockets.connect(url, additional_headers=headers or {}, open_timeout=10):
                return 101
        except InvalidStatus as exc:
            return exc.response.status_code

    return asyncio.run(attempt())


def status_of(route: APIRoute | APIWebSocketRoute, address: str, key: str | None) -> int:
    # Ids nobody has: a route that admits the key then answers 404, never 401 or 403.
    path = re.sub(r"\{[^}]+\}", "no-such-id", route.path)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if isinstance(route, APIWebSocketRoute):
        return handshake(f"ws://{address}{path}", headers)
    method = sorted(route.methods)[0]
    return httpx.request(method, f"http://{address}{path}", headers=headers, timeout=10).status_code


def test_each_route_refuses_no_key_a_revoked_key_and_roles_it_does_not_admit(
    gateway_settings, database_url, models
) -> None:
    routes = the_routes(gateway_settings, models)
    with running_server(gateway_settings, database_url, *models) as address:
        keys = {role: make_key(database_url, role, unit=UNIT if role == Role.UNIT else None) for role in Role}
        revoked = make_key(database_url, Role.ADMIN)
        engine = make_engine(database_url)
        try:
            revoke_key(engine, find_key(engine, revoked).id)
        finally:
            engine.dispose()
        for route in routes:
            (roles,) = route_rules(route)
            if not roles:
                # public: anyone (an unknown file or an empty form is still 404 or 422)
                assert status_of(route, address, None) not in (401, 403), route.path
                continue
            assert status_of(route, address, None) == 401, route.path
            assert status_of(route, address, "hk_not-a-key") == 401, route.path
            assert status_of(route, address, revoked) == 401, route.path
            for role, key in keys.items():
                status = status_of(route, address, key)
                if role in roles:
                    assert status not in (401, 403), (route.path, role, status)
                else:
                    assert status == 403, (route.path, role, status)


def file_ticket(engine, call_sid: str, district: str, topic: str, unit_keyword: str) -> str:  # noqa: ANN001
    """A finished call that filed an order, dispatched by the sample catalogue; its ticket id."""
    call_id = repository.create_call(
        engine,
        call_sid,
        stream_sid=f"MZ-{call_sid}",
        caller_number=None,
        started_at=datetime(2026, 12, 7, 2, 0, tzinfo=UTC),
    )
    order = WorkOrderDraft(
        topic=topic,
        category="投诉",
        district=district,
        street=None,
        address=unit_keyword,
        caller_name=None,
        phone=None,
        urgent=False,
        police=False,
        summary=topic,
    )
    outcome = CallOutcome(
        category="投诉",
        route="ticket",
        topic=topic,
        kb_article=None,
        urgent=False,
        police=False,
        handoff_reason=None,
        work_order=order,
    )
    close_call(
        engine, call_id=call_id, outcome=outcome, heard_marks=[], ended_at=datetime(2026, 12, 7, 2, 5, tzinfo=UTC)
    )
    return repository.get_call_detail(engine, call_sid).ticket.ticket.id


def test_a_unit_sees_only_its_own_orders(settings, database_url, models) -> None:
    with running_server(settings, database_url, *models) as address:
        engine = make_engine(database_url)
        try:
            ours = file_ticket(engine, "CA-ours", "海淀区", "餐饮油烟扰民", "清河中街")
            theirs = file_ticket(engine, "CA-theirs", "朝阳区", "餐饮油烟扰民", "望京")
            unit_of = {t: repository.get_ticket(engine, t).ticket.unit for t in (ours, theirs)}
        finally:
            engine.dispose()
        assert unit_of[ours] != unit_of[theirs]
        key = make_key(database_url, Role.UNIT, unit=unit_of[ours])
        headers = {"Authorization": f"Bearer {key}"}
        listed = httpx.get(f"http://{address}/api/tickets", headers=headers, timeout=10).json()["tickets"]
        assert [t["id"] for t in listed] == [ours]
        assert httpx.get(f"http://{address}/api/tickets/{ours}", headers=headers, timeout=10).status_code == 200
        other = httpx.get(f"http://{address}/api/tickets/{theirs}", headers=headers, timeout=10)
        assert other.status_code == 403 and "another unit" in other.json()["detail"]
        # Calls hold what citizens said: not a unit's to read.
        assert httpx.get(f"http://{address}/api/calls", headers=headers, timeout=10).status_code == 403


def test_twilio_signed_handshakes_are_admitted_and_forged_ones_refused(gateway_settings, sqlite_url, models) -> None:
    with running_server(gateway_settings, sqlite_url, *models) as address:
        url = f"ws://{address}/media-stream"
        assert handshake(url, {"X-Twilio-Signature": twilio_signature(TWILIO_TOKEN, url)}) == 101
        assert handshake(url, {"X-Twilio-Signature": twilio_signature("another-token", url)}) == 403
        assert handshake(url) == 401


def test_the_embedded_default_line_is_open_to_this_machine_only(settings, sqlite_url, models) -> None:
    with running_server(settings, sqlite_url, *models) as address:
        assert handshake(f"ws://{address}/media-stream") == 101
        assert handshake(f"ws://{address}/api/events") == 401  # the rest still wants a key

    def from_host(host: str) -> bool:
        scope = {"type": "websocket", "path": "/media-stream", "headers": [], "client": (host, 40000)}
        return from_this_machine(WebSocket(scope, receive=None, send=None))  # type: ignore[arg-type]

    assert from_host("127.0.0.1") and from_host("::1")
    assert not from_host("10.0.0.7") and not from_host("testclient")


def test_the_twilio_signature_is_the_published_one() -> None:
    # The worked example of Twilio's own request-validator tests.
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
        "Caller": "+14158675309",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature("12345", url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


runner = CliRunner()


def hotline(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(hotline_app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_keys_are_made_listed_and_revoked_from_the_cli_and_only_hashes_are_kept(database_url) -> None:
    code, out, err = hotline("key", "create", "--role", "unit", "--unit", UNIT, "--quiet", "--database", database_url)
    assert code == 0, err
    key = out.strip()
    assert key.startswith("hk_") and len(key) > 40
    code, out, _ = hotline("key", "list", "--database", database_url)
    assert code == 0 and UNIT in out and key[:10] in out and key not in out
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = [str(value) for row in connection.execute(text("SELECT * FROM api_keys")) for value in row]
        key_id = find_key(engine, key).id
    finally:
        engine.dispose()
    assert hash_key(key) in stored and not any(key in value for value in stored)
    code, out, _ = hotline("key", "revoke", str(key_id), "--database", database_url)
    assert code == 0 and "revoked" in out
    code, out, _ = hotline("key", "list", "--database", database_url)
    assert UNIT not in out
    assert UNIT in hotline("key", "list", "--all", "--database", database_url)[1]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--role", "unit"), "needs the unit"),
        (("--role", "agent", "--unit", UNIT), "only a unit key"),
    ],
)
def test_a_key_that_cannot_be_made_is_a_one_line_error(sqlite_url, args, words) -> None:
    code, out, err = hotline("key", "create", *args, "--database", sqlite_url)
    assert code == 1 and words in err and "Traceback" not in out + err
    assert len(err.strip().splitlines()) == 1


def test_revoking_an_unknown_key_is_a_one_line_error(sqlite_url) -> None:
    hotline("key", "create", "--role", "admin", "--database", sqlite_url)
    code, out, err = hotline("key", "revoke", "999", "--database", sqlite_url)
    assert code == 1 and "no key 999" in err and "Traceback" not in out + err


def test_simulate_against_a_running_server_asks_for_a_key_before_placing_calls(settings, sqlite_url, models) -> None:
    from server.telephony.simulate import SimulationError, check_key

    with running_server(settings, sqlite_url, *models) as address:
        with pytest.raises(SimulationError, match="--key"):
            check_key(f"ws://{address}", None)
        with pytest.raises(SimulationError, match="refused"):
            check_key(f"ws://{address}", make_key(sqlite_url, Role.UNIT, unit=UNIT))
        check_key(f"ws://{address}", make_key(sqlite_url, Role.SUPERVISOR))

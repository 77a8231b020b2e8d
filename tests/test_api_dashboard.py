"""The dashboard's figures over the REST API (server/api/dashboard.py): JSON, the same rows as CSV
that Excel reads (UTF-8 with a BOM, Chinese headings), a clear 422 for a bad parameter, for
supervisors and admins only; and the surge alert reaching a console watching /api/events."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import websockets
from dashboard_rows import Rows, utc
from server_harness import make_key, serving
from sqlalchemy import Engine
from workflow_orders import as_role

from server.app import create_app, prepare_database
from server.config import ConfigError
from server.storage.db import make_engine
from server.storage.keys import Role
from server.workflow.surge_alerts import SurgeAlerts

UNIT = "朝阳区城管执法局"


def get(base: str, path: str, headers: dict[str, str], **params: str) -> httpx.Response:
    return httpx.get(f"{base}{path}", params=params, headers=headers, timeout=10)


@pytest.fixture
def december(engine: Engine) -> None:
    rows = Rows(engine)
    first = rows.order(utc(2026, 12, 3, 4, 0), "噪音扰民", "朝阳区", "望京街道")
    rows.order(utc(2026, 11, 30, 16, 0), "噪音扰民", "朝阳区", "望京街道")  # 1 Dec 00:00 Beijing
    rows.order(utc(2026, 12, 9, 4, 0), "违章停车", "海淀区", "中关村街道")
    rows.order(utc(2026, 11, 30, 15, 0), "违章停车", "海淀区", "中关村街道")  # November
    rows.call(utc(2026, 12, 3, 3, 55))
    rows.answered(first, "基本满意", utc(2026, 12, 8, 4, 0))


def test_each_figure_as_json_and_as_csv(engine: Engine, december: None, rest_api: str) -> None:
    supervisor = as_role(engine, Role.SUPERVISOR)
    answer = get(rest_api, "/api/dashboard/hotspots", supervisor, month="2026-12")
    assert answer.status_code == 200
    assert answer.json() == {"figure": "hotspots", "month": "2026-12", "level": "district", "rows": [
        {"district": "朝阳区", "street": None, "orders": 2, "share": 2 / 3, "rank": 1},
        {"district": "海淀区", "street": None, "orders": 1, "share": 1 / 3, "rank": 2}]}

    as_csv = get(rest_api, "/api/dashboard/hotspots", supervisor, month="2026-12", level="street", format="csv")
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert 'filename="hotspots-2026-12-street.csv"' in as_csv.headers["content-disposition"]
    assert as_csv.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert table == [["排名", "区", "街道", "工单", "占比"], ["1", "朝阳区", "望京街道", "2", str(2 / 3)],
                     ["2", "海淀区", "中关村街道", "1", str(1 / 3)]]

    rates = get(rest_api, "/api/dashboard/rates/unit", supervisor, month="2026-12", format="csv")
    (heading, row) = list(csv.reader(io.StringIO(rates.content.decode("utf-8-sig"))))
    assert heading[:3] == ["排名", "承办单位", "回访数"] and row[2] == "1" and row[heading.index("满意率")] == "0.8"

    days = get(rest_api, "/api/dashboard/volume", supervisor, month="2026-12").json()["rows"]
    assert len(days) == 31 and days[0] == {"start": "2026-12-01", "calls": 0, "orders": 1}
    assert days[2] == {"start": "2026-12-03", "calls": 1, "orders": 1}
    weeks = get(rest_api, "/api/dashboard/volume", supervisor, month="2026-12", by="week").json()["rows"]
    assert [(w["start"], w["orders"]) for w in weeks][:2] == [("2026-11-30", 3), ("2026-12-07", 1)]

    surges = get(rest_api, "/api/dashboard/surges", supervisor, week="2026-12-10").json()
    assert surges["week"] == "2026-12-07"
    assert [(r["topic"], r["orders"], r["surge"]) for r in surges["rows"]] == [("违章停车", 1, False)]
    candidates = get(rest_api, "/api/dashboard/topic-candidates", supervisor, month="2026-12").json()["rows"]
    assert [(c["topic"], c["orders"], c["satisfaction_rate"]) for c in candidates] == [
        ("噪音扰民", 2, 0.8), ("违章停车", 2, None)]
    monthly = get(rest_api, "/api/dashboard/rates-by-month", supervisor, month="2026-12", format="csv")
    lines = monthly.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 13 and lines[-1].startswith("2026-12,1,1.0,0.0,0.8,") and lines[-2] == "2026-11,0,,,,"


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/api/dashboard/hotspots", {"month": "2026-13"}, "month"),
    ("/api/dashboard/hotspots", {"month": "December"}, "month"),
    ("/api/dashboard/hotspots", {"month": "2026-12", "level": "city"}, "level"),
    ("/api/dashboard/volume", {"month": "2026-12", "by": "hour"}, "by"),
    ("/api/dashboard/topic-candidates", {"month": "2026-12", "format": "xlsx"}, "format"),
    ("/api/dashboard/surges", {"week": "2026-02-30"}, "week"),
    ("/api/dashboard/rates/street", {"month": "2026-12"}, "dimension"),
])
def test_a_bad_parameter_is_a_422_naming_it(engine: Engine, rest_api: str, path: str, params: dict, field: str) -> None:
    answer = get(rest_api, path, as_role(engine, Role.ADMIN), **params)
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"][-1] == field, answer.text


def test_only_supervisors_and_admins_read_the_figures(engine: Engine, rest_api: str) -> None:
    for role, status in ((Role.SUPERVISOR, 200), (Role.ADMIN, 200), (Role.AGENT, 403), (Role.UNIT, 403)):
        headers = as_role(engine, role, unit=UNIT if role == Role.UNIT else None)
        assert get(rest_api, "/api/dashboard/rates/district", headers, month="2026-12").status_code == status
    assert get(rest_api, "/api/dashboard/surges", {}).status_code == 401


def test_surge_checks_are_configured_in_minutes(settings, engine: Engine) -> None:  # noqa: ANN001
    def with_minutes(minutes: object):  # noqa: ANN202
        return replace(settings, raw={**settings.raw, "dashboard": {"surge_check_minutes": minutes}})

    assert SurgeAlerts.from_settings(with_minutes(0), engine, print) is None
    assert SurgeAlerts.from_settings(with_minutes(15.0), engine, print) is not None
    with pytest.raises(ConfigError, match="surge_check_minutes"):
        SurgeAlerts.from_settings(with_minutes(-1), engine, print)


def test_a_surge_is_announced_once_to_a_console_watching_events(settings, database_url: str, models) -> None:  # noqa: ANN001
    """This week's orders are made while the server runs (a surge needs five against nothing before)."""
    quick = replace(settings, raw={**settings.raw, "dashboard": {"surge_check_minutes": 0.005}})  # 0.3 s
    prepare_database(quick, database_url)
    key = make_key(database_url, Role.SUPERVISOR)
    engine = make_engine(database_url)
    try:
        with serving(create_app(quick, database_url, *models)) as address:
            heard = asyncio.run(watch_while_surging(f"ws://{address}/api/events", key, Rows(engine)))
    finally:
        engine.dispose()
    surges = [event for event in heard if event["type"] == "surge"]
    assert len(surges) == 1, heard
    (surge,) = surges
    assert surge["topic"] == "井盖缺失" and surge["orders"] == 5 and surge["baseline_mean"] == 0
    assert set(surge) == {"type", "at", "topic", "week", "orders", "baseline_mean", "baseline_spread", "rise"}


async def watch_while_surging(url: str, key: str, rows: Rows) -> list[dict]:
    """What a watcher hears from before five orders of one topic are filed until 1.5 s (five checks)
    after the first surge event."""
    heard: list[dict] = []
    async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {key}"}) as socket:
        await asyncio.to_thread(rows.orders, 5, datetime.now(UTC) - timedelta(seconds=1), "井盖缺失")
        deadline = time.monotonic() + 20
        quiet_until = None
        while time.monotonic() < (quiet_until or deadline):
            try:
                event = json.loads(await asyncio.wait_for(socket.recv(), 0.2))
            except TimeoutError:
                continue
            heard.append(event)
            if event["type"] == "surge" and quiet_until is None:
                quiet_until = time.monotonic() + 1.5
    return heard

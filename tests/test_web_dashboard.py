"""The dashboard page in a real browser: every figure's table (read from the DOM) and the charts'
series say what the API's JSON says for the same month, each table is one click away and each
figure's CSV link gives the same figure; a supervisor may open it, an agent is refused (403), a
browser not logged in gets the login form (401), and a month that is no month is a 422 beside the
field."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
from browser_harness import chromium, log_in, wait_for_script
from dashboard_rows import Rows, utc
from server_harness import make_key

from server.storage.db import make_engine
from server.storage.keys import Role

MONTH = "2026-12"
CHAOYANG_UNIT, HAIDIAN_UNIT = "朝阳区城管执法局", "海淀区城管执法局"


def fixed(value: float, places: int) -> str:
    """What JavaScript's toFixed writes: the float's exact value rounded half away from zero."""
    return str(Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def percent(v: float | None) -> str:
    return "—" if v is None else fixed(v * 100, 1) + "%"


def points(v: float | None) -> str:
    return "—" if v is None else fixed(v * 100, 1)


def decimal(v: float | None) -> str:
    return "—" if v is None else fixed(v, 2)


def place(v: str | None) -> str:
    return "未知" if v is None else v


RATES = [("response_rate", percent), ("resolution_rate", percent), ("satisfaction_rate", percent), ("score", points)]
RANKED = [("answered", str), ("contacted", str), ("solved", str), ("satisfied", str), ("basically_satisfied", str),
          *RATES]
# Each figure: the API path it reads, and how its table shows each field.
FIGURES: dict[str, tuple[str, list[tuple[str, Callable[[Any], str]]]]] = {
    "rates-unit": (f"/api/dashboard/rates/unit?month={MONTH}", [("rank", str), ("key", place), *RANKED]),
    "rates-district": (f"/api/dashboard/rates/district?month={MONTH}", [("rank", str), ("key", place), *RANKED]),
    "rates-by-month": (f"/api/dashboard/rates-by-month?month={MONTH}", [("month", str), ("answered", str), *RATES]),
    "volume": (f"/api/dashboard/volume?month={MONTH}&by=day", [("start", str), ("calls", str), ("orders", str)]),
    "hotspots-district": (f"/api/dashboard/hotspots?month={MONTH}&level=district",
                          [("rank", str), ("district", place), ("orders", str), ("share", percent)]),
    "hotspots-street": (f"/api/dashboard/hotspots?month={MONTH}&level=street",
                        [("rank", str), ("district", place), ("street", place), ("orders", str), ("share", percent)]),
    "surges": ("/api/dashboard/surges", [("rank", str), ("topic", str), ("orders", str), ("baseline_mean", decimal),
                                         ("baseline_spread", decimal), ("rise", decimal),
                                         ("surge", lambda v: "是" if v else "否")]),
    "topic-candidates": (f"/api/dashboard/topic-candidates?month={MONTH}",
                         [("rank", str), ("topic", str), ("orders", str), ("answered", str),
                          ("satisfaction_rate", percent), ("unsatisfied", decimal)]),
}


def a_month_of_work(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        rows = Rows(engine)
        for day, district, street, unit, topic, answer in [
            (1, "朝阳区", "望京街道", CHAOYANG_UNIT, "噪音扰民", "满意"),
            (2, "朝阳区", "望京街道", CHAOYANG_UNIT, "噪音扰民", "基本满意"),
            (3, "朝阳区", "酒仙桥街道", CHAOYANG_UNIT, "违章停车", None),
            (3, "海淀区", "中关村街道", HAIDIAN_UNIT, "违章停车", "不满意"),
            (4, "海淀区", "中关村街道", HAIDIAN_UNIT, "噪音扰民", "满意"),
            (5, "海淀区", None, HAIDIAN_UNIT, "餐饮油烟扰民", "基本满意"),
        ]:
            order = rows.order(utc(2026, 11, 30, 18, 0) + timedelta(days=day), topic, district, street, unit)
            rows.call(utc(2026, 11, 30, 17, 55) + timedelta(days=day))
            if answer:
                rows.answered(order, answer, utc(2026, 12, 6, 3, 0) + timedelta(hours=day))
        rows.answered(rows.order(utc(2026, 10, 5, 4, 0), "噪音扰民", "朝阳区", unit=CHAOYANG_UNIT), "不满意",
                      utc(2026, 10, 20, 4, 0))
        rows.orders(5, datetime.now(UTC) - timedelta(minutes=1), "井盖缺失")  # a surge this week
    finally:
        engine.dispose()


def dom_table(page, name: str) -> tuple[list[str], list[list[str]]]:  # noqa: ANN001 - Playwright's Page
    return page.eval_on_selector(f"#figure-{name} table.numbers", """table => [
        [...table.tHead.rows[0].cells].map(cell => cell.textContent),
        [...table.tBodies[0].rows].map(row => [...row.cells].map(cell => cell.textContent))]""")


def chart_series(page, name: str) -> list[list[Any]]:  # noqa: ANN001
    return page.evaluate("name => echarts.getInstanceByDom(document.querySelector(`#figure-${name} .chart`))"
                         ".getOption().series.map(series => series.data)", name)


def test_the_dashboards_figures_are_the_apis(server: str, database_url: str) -> None:
    a_month_of_work(database_url)
    supervisor = make_key(database_url, Role.SUPERVISOR)
    api = {name: httpx.get(f"http://{server}{path}", headers={"Authorization": f"Bearer {supervisor}"},
                           timeout=10).json()["rows"] for name, (path, _) in FIGURES.items()}
    assert len(api["rates-unit"]) == 2 and api["surges"][0]["surge"]  # figures with something in them

    with chromium() as browser:
        page = log_in(browser, server, supervisor)
        page.goto(f"http://{server}/dashboard?month={MONTH}")
        wait_for_script(page, "document.querySelectorAll('[data-figure][data-state=loaded]').length === 8")
        for name, (path, fields) in FIGURES.items():
            headings, shown = dom_table(page, name)
            assert len(headings) == len(fields), name
            assert shown == [[show(row[field]) for field, show in fields] for row in api[name]], name
            link = page.get_attribute(f"#figure-{name} a.csv", "href")
            assert link == f"{path}{'&' if '?' in path else '?'}format=csv"
            as_csv = page.request.get(f"http://{server}{link}")
            assert as_csv.status == 200 and as_csv.body().startswith(b"\xef\xbb\xbf")
            assert as_csv.body().decode("utf-8-sig").splitlines()[0].split(",") == headings, name

        table = page.locator("#figure-rates-unit table.numbers")
        assert not table.is_visible()
        page.click("#figure-rates-unit summary")
        assert table.is_visible()

        def tenth(v: float | None) -> float | None:
            return None if v is None else math.floor(v * 1000 + 0.5) / 10  # as Math.round does

        units = api["rates-unit"]
        rates = ("response_rate", "resolution_rate", "satisfaction_rate")
        assert chart_series(page, "rates-unit") == [[tenth(row[key]) for row in units] for key in rates]
        assert chart_series(page, "volume") == [[row["calls"] for row in api["volume"]],
                                                [row["orders"] for row in api["volume"]]]

        agent = log_in(browser, server, make_key(database_url, Role.AGENT))
        assert agent.goto(f"http://{server}/dashboard").status == 403
        stranger = browser.new_context().new_page()
        refused = stranger.goto(f"http://{server}/dashboard")
        assert refused.status == 401 and stranger.locator("#login-form").is_visible()
        bad = page.goto(f"http://{server}/dashboard?month=2026-13")
        assert bad.status == 422 and "年-月" in page.inner_text("#month-error")
        assert page.get_attribute("#month", "aria-invalid") == "true"

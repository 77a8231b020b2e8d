"""The unit desk (/desk) on a real server: in Chromium (SQLite), a unit logs in, sees its own orders
only, the overdue one in red, and accepts, fails to return without a reason, asks for more time and
reports — each step as the REST API then reads the order; over plain HTTP on both databases, who
may open the desk and an order, and bad input or a step out of turn answered beside the field with
the order unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from browser_harness import chromium, log_in
from playwright.sync_api import expect
from server_harness import api_get, make_key, running_server
from workflow_orders import NOISE, NOISE_UNIT, file_order

from server.storage import repository
from server.storage.db import make_engine
from server.storage.keys import Role

OTHER_UNIT = "海淀区城管执法局"
STREET_OFFICE = "望京街道"  # NOISE's co-handling unit for an order in 望京街道
RED = "rgb(200, 16, 46)"  # site.css --accent


def file_orders(database_url: str) -> dict[str, str]:
    """The unit's orders (one overdue, one urgent) and another unit's, each at a place of its own so
    none joins another; their ids by name."""
    now = datetime.now(UTC)
    engine = make_engine(database_url)
    try:
        repository.replace_catalogue(engine, [NOISE])
        made = {
            "late": dict(address="阜通东大街6号工地", ended=now - timedelta(hours=100)),
            "fresh": dict(address="望京西园四区南门", ended=now - timedelta(hours=2)),
            "urgent": dict(address="广顺北大街33号", ended=now - timedelta(minutes=30), urgent=True),
        }
        ids = {name: file_order(engine, f"CA-desk-{name}", NOISE.topic, "朝阳区", street=STREET_OFFICE, **fields)
               for name, fields in made.items()}
        ids["theirs"] = file_order(engine, "CA-desk-theirs", NOISE.topic, "海淀区", street="清河街道",
                                   address="清河中街68号", phone="13700001111", ended=now)
        assert {repository.get_ticket(engine, t).ticket.unit for t in ids.values()} == {NOISE_UNIT, OTHER_UNIT}
        return ids
    finally:
        engine.dispose()


def order_as_api_reads(address: str, ticket_id: str) -> dict[str, Any]:
    answer = api_get(address, f"/api/tickets/{ticket_id}")
    assert answer.status_code == 200
    return answer.json()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'hotline.db'}"


def test_a_unit_handles_its_orders_in_the_browser(settings, sqlite_url, models) -> None:
    with running_server(settings, sqlite_url, *models) as address:
        ids = file_orders(sqlite_url)
        key = make_key(sqlite_url, Role.UNIT, unit=NOISE_UNIT)
        with chromium() as browser:
            page = log_in(browser, address, key)
            assert page.url.endswith("/desk")
            # Its own orders, soonest due first, the overdue one in red; not another unit's.
            rows = page.locator("table.orders tbody tr")
            expect(rows).to_have_count(3)
            assert [r.get_attribute("id") for r in rows.all()] == [f"row-{ids[n]}" for n in ("late", "urgent", "fresh")]
            late = page.locator(f"#row-{ids['late']}")
            expect(late).to_have_class("overdue")
            assert late.locator("td").first.evaluate("cell => getComputedStyle(cell).color") == RED
            assert "已超时" in late.inner_text()
            fresh = page.locator(f"#row-{ids['fresh']}")
            assert fresh.get_attribute("class") is None and "剩" in fresh.inner_text()
            assert "紧急" in page.locator(f"#row-{ids['urgent']}").inner_text()
            assert ids["theirs"] not in page.content() and "清河中街" not in page.content()

            # Accept the fresh order.
            page.click(f"#row-{ids['fresh']} a")
            expect(page.locator("#order-status")).to_have_text("待签收")
            expect(page.locator("[data-field=phone]")).to_have_text(order_as_api_reads(address, ids["fresh"])["phone"])
            page.click("#accept-form button")
            expect(page.locator("#step-notice")).to_contain_text("已签收")
            expect(page.locator("#order-status")).to_have_text("办理中")
            assert order_as_api_reads(address, ids["fresh"])["status"] == "accepted"

            # A return without a reason: said beside the field, the order unchanged.
            page.goto(f"http://{address}/desk/orders/{ids['late']}")
            before = order_as_api_reads(address, ids["late"])
            page.click("#return-form button")
            expect(page.locator("#return-reason-error")).to_have_text("请填写退回理由")
            expect(page.locator("#return-reason")).to_have_attribute("aria-invalid", "true")
            assert order_as_api_reads(address, ids["late"]) == before

            # More time: a bad number is said beside it and the reason typed is kept; then it goes.
            page.fill("#extension-hours", "0")
            page.fill("#extension-reason", "需要协调产权单位")
            page.click("#extension-form button")
            expect(page.locator("#extension-hours-error")).to_have_text("延期小时数须大于 0")
            expect(page.locator("#extension-reason")).to_have_value("需要协调产权单位")
            assert order_as_api_reads(address, ids["late"]) == before
            page.fill("#extension-hours", "48")
            page.click("#extension-form button")
            expect(page.locator("#step-notice")).to_contain_text("延期申请已提交")
            expect(page.locator("[data-field=extension]")).to_contain_text("48 小时")
            asked = order_as_api_reads(address, ids["late"])
            assert (asked["extension_hours"], asked["extension_reason"]) == (48, "需要协调产权单位")

            # A step the order's status no longer allows (accepted meanwhile elsewhere): 409, said.
            stale = page.context.new_page()
            stale.goto(f"http://{address}/desk/orders/{ids['urgent']}")
            unit_headers = {"Authorization": f"Bearer {key}"}
            httpx.post(f"http://{address}/api/tickets/{ids['urgent']}/accept", headers=unit_headers, timeout=10)
            stale.click("#accept-form button")
            expect(stale.locator("#step-problem")).to_contain_text("不能签收")
            expect(stale.locator("#order-status")).to_have_text("办理中")

            # Report the accepted order's result.
            page.goto(f"http://{address}/desk/orders/{ids['fresh']}")
            page.select_option("#report-result", "solved")
            page.fill("#report-text", "已责令工地夜间停工")
            page.click("#report-form button")
            expect(page.locator("#order-status")).to_have_text("已反馈")
            reported = order_as_api_reads(address, ids["fresh"])
            assert (reported["status"], reported["result"], reported["result_text"]) == (
                "reported", "solved", "已责令工地夜间停工")
            expect(page.locator("#order-history")).to_contain_text("办结反馈")

            # Another unit's order by its id: the 403 page, none of its data.
            answer = page.goto(f"http://{address}/desk/orders/{ids['theirs']}")
            assert answer is not None and answer.status == 403
            assert "清河中街" not in page.content() and "13700001111" not in page.content()

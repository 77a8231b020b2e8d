"""The unit desk (/desk) on a real server, on both databases: in Chromium, a unit logs in, sees its own orders
only, the overdue one in red, and accepts, fails to return without a reason, asks for more time and
reports — each step as the REST API then reads the order; over plain HTTP, who
may open the desk and an order, and bad input or a step out of turn answered beside the field with
the order unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from browser_harness import chromium, log_in
from playwright.sync_api import expect
from server_harness import api_get, make_key
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


def test_a_unit_handles_its_orders_in_the_browser(server, database_url) -> None:
    address = server
    ids = file_orders(database_url)
    key = make_key(database_url, Role.UNIT, unit=NOISE_UNIT)
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


def snapshot(database_url: str, ticket_id: str) -> tuple[dict[str, Any], int]:
    """The order as stored and how many steps its history has."""
    engine = make_engine(database_url)
    try:
        detail = repository.get_ticket(engine, ticket_id)
        return detail.ticket.model_dump(), len(detail.events)
    finally:
        engine.dispose()


def test_who_may_use_the_desk_and_what_bad_input_gets(server, database_url) -> None:
    ids = file_orders(database_url)
    base = f"http://{server}"

    def as_key(key: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"} if key else {}

    def get(path: str, key: str | None) -> httpx.Response:
        return httpx.get(f"{base}{path}", headers=as_key(key), timeout=10)

    def post(path: str, key: str | None, **form: str) -> httpx.Response:
        return httpx.post(f"{base}{path}", data=form, headers=as_key(key), timeout=10)

    unit = make_key(database_url, Role.UNIT, unit=NOISE_UNIT)
    # No key: the login form; any other role: the 403 page.
    refused = get("/desk", None)
    assert refused.status_code == 401 and 'id="login-form"' in refused.text
    for role in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.GATEWAY):
        other = make_key(database_url, role)
        assert get("/desk", other).status_code == 403
        assert get(f"/desk/orders/{ids['fresh']}", other).status_code == 403
    listed = get("/desk", unit)
    assert listed.status_code == 200 and ids["fresh"] in listed.text and ids["theirs"] not in listed.text
    assert get("/desk?view=nonsense", unit).status_code == 422

    # Another unit's order: 403 on every way in, none of its data, nothing changed.
    theirs = snapshot(database_url, ids["theirs"])
    answers = [get(f"/desk/orders/{ids['theirs']}", unit), post(f"/desk/orders/{ids['theirs']}/accept", unit),
               post(f"/desk/orders/{ids['theirs']}/return", unit, reason="不归我们管"),
               post(f"/desk/orders/{ids['theirs']}/extension", unit, hours="4", reason="人手不够"),
               post(f"/desk/orders/{ids['theirs']}/report", unit, result="solved", text="已处理")]
    assert [a.status_code for a in answers] == [403] * 5
    assert not any("清河中街" in a.text or "13700001111" in a.text for a in answers)
    assert snapshot(database_url, ids["theirs"]) == theirs
    missing = get("/desk/orders/HL20990101-0001", unit)
    assert missing.status_code == 404 and "没有找到工单 HL20990101-0001" in missing.text
    assert post("/desk/orders/HL20990101-0001/accept", unit).status_code == 404

    # Bad input: 422, said beside the field, the order unchanged.
    fresh = f"/desk/orders/{ids['fresh']}"
    before = snapshot(database_url, ids["fresh"])
    limit = "延期小时数不能超过 2160"
    bad = [
        (post(f"{fresh}/return", unit, reason="   "), "return-reason", "请填写退回理由"),
        (post(f"{fresh}/return", unit, reason="很" * 2001), "return-reason", "退回理由不能超过 2000 字"),
        (post(f"{fresh}/extension", unit, hours="", reason="等材料"), "extension-hours", "请填写延期小时数"),
        (post(f"{fresh}/extension", unit, hours="两天", reason="等材料"), "extension-hours", "延期小时数须是数字"),
        (post(f"{fresh}/extension", unit, hours="99999", reason="等材料"), "extension-hours", limit),
        (post(f"{fresh}/extension", unit, hours="24", reason=""), "extension-reason", "请填写延期理由"),
    ]
    # The report's fields on an accepted order (a dispatched one may not report at all).
    accepted = f"/desk/orders/{ids['urgent']}"
    assert post(f"{accepted}/accept", unit).status_code == 200
    taken = snapshot(database_url, ids["urgent"])
    bad += [
        (post(f"{accepted}/report", unit, result="done", text="已处理"), "report-result", "请选择办理结果"),
        (post(f"{accepted}/report", unit, result="", text="已处理"), "report-result", "请选择办理结果"),
        (post(f"{accepted}/report", unit, result="solved", text=""), "report-text", "请填写办理情况"),
    ]
    for answer, field, message in bad:
        assert answer.status_code == 422, (field, message)
        assert f'id="{field}" name=' in answer.text and f'id="{field}-error">{message}' in answer.text.replace(
            "\n", ""), (field, message)
        assert f'aria-describedby="{field}-error"' in answer.text
    too_long = bad[4][0].text
    assert ">等材料</textarea>" in too_long and 'value="99999"' in too_long  # what was typed is given back
    assert snapshot(database_url, ids["fresh"]) == before and snapshot(database_url, ids["urgent"]) == taken

    # A step the status does not allow, or one extension while another waits: 409, unchanged.
    early = post(f"{fresh}/report", unit, result="solved", text="已处理")
    assert early.status_code == 409 and "不能办结反馈" in early.text and 'id="step-problem"' in early.text
    badly_early = post(f"{fresh}/report", unit, result="", text="")
    assert badly_early.status_code == 409 and "不能办结反馈" in badly_early.text  # the status speaks first
    assert snapshot(database_url, ids["fresh"]) == before
    assert post(f"{fresh}/extension", unit, hours="24", reason="等材料").status_code == 200
    asked = snapshot(database_url, ids["fresh"])
    again = post(f"{fresh}/extension", unit, hours="12", reason="再等等")
    assert again.status_code == 409 and "已有 24 小时的延期申请在等待值班长审批" in again.text
    assert snapshot(database_url, ids["fresh"]) == asked

    # The co-handling unit reads the orders but takes no step on them.
    office = make_key(database_url, Role.UNIT, unit=STREET_OFFICE)
    assert ids["late"] in get("/desk", office).text
    read = get(fresh, office)
    assert read.status_code == 200 and 'id="co-handling"' in read.text and 'id="order-steps"' not in read.text
    assert post(f"{fresh}/accept", office).status_code == 403
    assert post(f"{fresh}/return", office, reason="").status_code == 403  # bad input or not, not its step
    assert snapshot(database_url, ids["fresh"]) == asked

    # A logged-in browser's change needs the session's CSRF token.
    with httpx.Client(base_url=base, timeout=10) as browser:
        assert browser.post("/login", data={"key": unit}).status_code == 303
        assert browser.post(f"{fresh}/accept").status_code == 403
        assert snapshot(database_url, ids["fresh"]) == asked
        token = browser.get(fresh).text.split('name="csrf-token" content="')[1].split('"')[0]
        assert browser.post(f"{fresh}/accept", headers={"X-CSRF-Token": token}).status_code == 200

    # Returned, the order goes back to review and is no longer this unit's to read.
    back = post(f"{fresh}/return", unit, reason="工地在海淀区，不属我局")
    assert back.status_code == 200 and "已退回" in back.text
    assert order_as_api_reads(server, ids["fresh"])["status"] == "review"
    assert get(fresh, unit).status_code == 403

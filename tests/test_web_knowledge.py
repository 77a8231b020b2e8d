"""知识管理 (server/web/knowledge_*.py) on a whole server, on both databases: an admin edits an
article in a real browser, and the "try it" box and then a real call (recorded speech over the
media stream) answer with the new text, no restart; bad input comes back beside its field with
nothing stored changed; files go in and out in the import formats; other roles are refused."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest
from browser_harness import chromium, log_in, wait_for_script
from server_harness import DEV, api_get, make_key

from server.storage import repository
from server.storage.db import make_engine
from server.storage.keys import Role
from server.telephony.softphone import Softphone

pytestmark = pytest.mark.slow

# d004's caller asks whether rent may be paid from the housing fund: kb-005 answers it.
QUESTION = "你好，我想问一下啊，我在北京租房子住，自己没买房，那我的住房公积金能不能取出来交房租？"
NEW_ANSWER = "可以。请带上备案的租房合同，到公积金中心柜台或者网上办理提取。"


def test_an_admin_edit_reaches_the_try_box_and_the_next_call(server: str, database_url: str) -> None:
    admin = make_key(database_url, Role.ADMIN)
    with chromium() as browser:
        page = log_in(browser, server, admin)
        assert page.url.endswith("/admin/knowledge")
        page.click(".subnav >> text=知识库")
        page.fill("#q", "公积金 租房")  # htmx searches as one types
        wait_for_script(page, "document.querySelectorAll('#items tbody tr').length === 1")
        page.click("#items a[href='/admin/knowledge/kb/item/kb-005']")

        # A title left empty is refused beside the field; what was typed stays in the form.
        page.fill("#f-title", "")
        page.fill("#f-answer", NEW_ANSWER)
        page.click("#save-button")
        page.wait_for_selector("#f-title-error")
        assert page.get_attribute("#f-title", "aria-invalid") == "true"
        assert page.input_value("#f-answer") == NEW_ANSWER
        assert "提取住房公积金支付房租" in lookup_answer(database_url)  # nothing stored

        page.fill("#f-title", "住房公积金提取(租房)")
        page.click("#save-button")
        page.wait_for_selector("#saved-notice")
        history = page.inner_text("table")
        assert "tests" in history and "修改" in history and "答复口径" in history
        assert lookup_answer(database_url) == NEW_ANSWER

        page.click(".subnav >> text=试一试")
        page.fill("#f-question", QUESTION)
        page.click("#try-button")
        page.wait_for_selector("#try-answer")
        assert NEW_ANSWER in page.inner_text("#try-answer")
        assert page.inner_text("#try-article").startswith("kb-005")
        score = float(re.match(r"[\d.]+", page.inner_text("#try-score")).group())
        runner_up = float(re.search(r"([\d.]+) 分", page.inner_text("#try-runner-up")).group(1))
        assert score > runner_up > 0

        # An upload goes through htmx (multipart, with the session's CSRF header); a broken file is
        # named beside the field, line and all, and nothing is imported.
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(f"http://{server}/admin/knowledge/kb")
        page.set_input_files("#f-file", files=[{"name": "kb.jsonl", "mimeType": "application/json",
                                                "buffer": b'{"id": "kb-1"}\n'}])
        page.click("#import-form button[type=submit]")
        page.wait_for_selector("#f-file-error")
        assert "kb.jsonl，第 1 行" in page.inner_text("#f-file-error")
        assert lookup_answer(database_url) == NEW_ANSWER

    phone = Softphone(f"ws://{server}/media-stream", realtime=False)
    call = asyncio.run(phone.call([DEV / "d004_1.wav"]))
    detail = api_get(server, f"/api/calls/{call.call_sid}").json()
    assert detail["call"]["kb_article"] == "kb-005"
    assert NEW_ANSWER in detail["turns"][0]["reply_text"]


def lookup_answer(database_url: str) -> str:
    engine = make_engine(database_url)
    try:
        return next(a.answer for a in repository.load_kb(engine) if a.id == "kb-005")
    finally:
        engine.dispose()


def test_forms_files_and_roles(server: str, database_url: str) -> None:
    base = f"http://{server}"
    admin = {"Authorization": f"Bearer {make_key(database_url, Role.ADMIN)}"}
    for role in (Role.UNIT, Role.AGENT, Role.SUPERVISOR):
        key = make_key(database_url, role, unit="海淀区城管执法局" if role == Role.UNIT else None)
        refused = httpx.get(f"{base}/admin/knowledge/kb", headers={"Authorization": f"Bearer {key}"})
        assert refused.status_code == 403 and "无权访问" in refused.text
    assert httpx.get(f"{base}/admin/knowledge/try").status_code == 401  # the login form

    with httpx.Client(base_url=base, headers=admin, timeout=60) as http:
        # A dual entry with no co-handling unit and no time limit: both named beside their fields.
        bad = {"topic": "古树损坏", "keywords": "古树，树皮", "category_hint": "举报", "unit": "区园林绿化局",
               "dispatch": "dual", "co_unit": "", "time_limit_hours": "三天"}
        refused = http.post("/admin/knowledge/catalogue/new", data=bad)
        assert refused.status_code == 422
        assert re.search(r'id="f-co_unit"[^>]*aria-invalid="true"', refused.text)
        assert 'id="f-co_unit-error">双派需要填写协办单位' in refused.text
        assert 'id="f-time_limit_hours-error">请填写大于 0 的小时数' in refused.text
        assert "共 0 项" in http.get("/admin/knowledge/catalogue", params={"q": "古树"}).text
        good = bad | {"co_unit": "属地街道(乡镇)", "time_limit_hours": "72"}
        made = http.post("/admin/knowledge/catalogue/new", data=good)
        assert made.status_code == 303
        entry = http.get(made.headers["location"])
        assert "古树损坏" in entry.text and "已保存" in entry.text

        # Retired, an article is kept but not answered from; restored, it is again.
        http.post("/admin/knowledge/kb/item/kb-005/retire")
        tried = http.get("/admin/knowledge/try", params={"question": QUESTION})
        assert 'id="try-article"><a href="/admin/knowledge/kb/item/kb-005"' not in tried.text
        assert "已停用" in http.get("/admin/knowledge/kb", params={"state": "retired"}).text
        exported = http.get("/admin/knowledge/kb/export")
        assert exported.headers["content-disposition"] == 'attachment; filename="kb.jsonl"'
        ids = [json.loads(line)["id"] for line in exported.text.splitlines()]
        assert len(ids) == 34 and "kb-005" not in ids
        http.post("/admin/knowledge/kb/item/kb-005/restore")
        tried = http.get("/admin/knowledge/try", params={"question": QUESTION})
        assert 'id="try-article"><a href="/admin/knowledge/kb/item/kb-005"' in tried.text

        # A whole file in: one logged import, the gazetteer replaced; a bad one changes nothing.
        broken = http.post("/admin/knowledge/gazetteer/import", files={"file": ("g.json", b'{"A": "B"}')})
        assert broken.status_code == 422 and "g.json" in broken.text and "field-error" in broken.text
        places = {"延庆区": ["香水园街道", "百泉街道"]}
        upload = json.dumps(places, ensure_ascii=False).encode()
        imported = http.post("/admin/knowledge/gazetteer/import", files={"file": ("yq.json", upload)})
        assert imported.status_code == 303
        assert json.loads(http.get("/admin/knowledge/gazetteer/export").text) == places
        change_id = re.search(r'href="/admin/knowledge/history/(\d+)"', http.get(imported.headers["location"]).text)
        change = http.get(f"/admin/knowledge/history/{change_id.group(1)}").text
        assert "导入文件" in change and "yq.json" in change and "朝阳区" in change  # the state it replaced

        assert http.get("/admin/knowledge/kb/item/kb-404").status_code == 404
        assert http.get("/admin/knowledge/recipes").status_code == 404
        assert http.get("/admin/knowledge/history/no-such-id").status_code == 404

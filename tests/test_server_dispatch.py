"""Unit, co-unit and due time of a ticket from its catalogue entry and place."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from knowledge.catalogue import CatalogueEntry
from server.workflow.dispatch import Dispatch, resolve_dispatch, resolve_unit

SHARED = Path(__file__).resolve().parents[2] / "shared"
NOW = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("template", "district", "street", "unit"),
    [
        ("区城管执法局", "朝阳区", "望京街道", "朝阳区城管执法局"),
        ("区城管执法局", "朝阳区", None, "朝阳区城管执法局"),
        ("区市场监督管理局", "海淀区", "清河街道", "海淀区市场监督管理局"),
        ("区城管执法局", None, None, "区城管执法局"),  # place unknown: say no more than we know
        ("属地街道(乡镇)", "朝阳区", "望京街道", "望京街道"),
        ("属地街道(乡镇)", "海淀区", "温泉镇", "温泉镇"),
        ("属地街道(乡镇)", "朝阳区", None, "朝阳区属地街道(乡镇)"),
        ("属地街道(乡镇)", None, None, "属地街道(乡镇)"),
        ("属地派出所", "朝阳区", "望京街道", "朝阳区望京街道属地派出所"),
        ("属地燃气公司", "西城区", None, "西城区属地燃气公司"),
        ("属地供电公司", None, "回龙观街道", "回龙观街道属地供电公司"),
        ("市交通委员会", "朝阳区", "望京街道", "市交通委员会"),
        ("120急救中心", "朝阳区", "望京街道", "120急救中心"),
        ("区城管执法局", "  ", "", "区城管执法局"),
    ],
)
def test_resolve_unit(template: str, district: str | None, street: str | None, unit: str) -> None:
    assert resolve_unit(template, district, street) == unit


def test_dual_dispatch_with_due_time() -> None:
    entry = CatalogueEntry(topic="噪音扰民-夜间施工", keywords=["施工"], category_hint="投诉", unit="区城管执法局",
                           dispatch="dual", co_unit="属地街道(乡镇)", time_limit_hours=24)
    assert resolve_dispatch(entry, "朝阳区", "望京街道", NOW) == Dispatch(
        unit="朝阳区城管执法局", co_unit="望京街道", dispatch="dual", due_at=NOW + timedelta(hours=24)
    )


def test_direct_dispatch_has_no_co_unit_and_fractional_hours_work() -> None:
    entry = CatalogueEntry(topic="t", keywords=["k"], category_hint="求助", unit="属地燃气公司", dispatch="direct",
                           co_unit=None, time_limit_hours=1.5, urgent=True)
    result = resolve_dispatch(entry, "丰台区", "卢沟桥街道", NOW)
    assert (result.unit, result.co_unit, result.dispatch) == ("丰台区卢沟桥街道属地燃气公司", None, "direct")
    assert result.due_at == NOW + timedelta(minutes=90)


def test_topic_outside_the_catalogue_is_left_for_a_dispatcher() -> None:
    assert resolve_dispatch(None, "朝阳区", "望京街道", NOW) == Dispatch(None, None, None, None)


def test_naive_created_at_is_refused() -> None:
    entry = CatalogueEntry(topic="t", unit="区水务局", time_limit_hours=24)
    with pytest.raises(ValueError, match="timezone-aware"):
        resolve_dispatch(entry, "朝阳区", None, datetime(2026, 11, 21, 8, 0))


def test_every_unit_of_the_shared_catalogue_becomes_concrete() -> None:
    """With a full place, no generic "区…"/"属地…" name is left for any topic of the sample catalogue."""
    for raw in json.loads((SHARED / "kb" / "catalogue.json").read_text(encoding="utf-8")):
        entry = CatalogueEntry(**raw)
        result = resolve_dispatch(entry, "朝阳区", "望京街道", NOW)
        for name in (result.unit, result.co_unit):
            if name is not None:
                assert not name.startswith(("区", "属地")), (raw["topic"], name)
        assert result.due_at == NOW + timedelta(hours=raw["time_limit_hours"])

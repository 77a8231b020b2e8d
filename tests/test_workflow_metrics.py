"""响应率, 解决率, 满意率 from answered callback surveys, per unit, district and topic and month, ranked
by the weighted score; over the REST API and `hotline report`. On both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner
from workflow_orders import NOISE, as_role, file_order

from server.cli import app as hotline_app
from server.storage import repository
from server.storage.keys import Role
from server.workflow import handling
from server.workflow.callbacks import CallbackRules, Outcome, SurveyAnswers, claim_due, finish
from server.workflow.handling import Result
from server.workflow.metrics import Dimension, MetricWeights, month_range, rates

RULES = CallbackRules()
WEIGHTS = MetricWeights(response=0.2, resolution=0.4, satisfaction=0.4, basic_satisfaction=0.8)
CHAOYANG, HAIDIAN = "朝阳区城管执法局", "海淀区城管执法局"


def surveyed(engine: Engine, sid: str, district: str, unit: str, answers: SurveyAnswers | None,
             answered_at: datetime) -> None:
    """An order handled by `unit`, reported, and its caller's survey answered (or declined) then."""
    order = file_order(engine, sid, NOISE.topic, district, ended=answered_at - timedelta(days=3))
    handling.accept(engine, order, unit=unit, actor="unit:1")
    handling.report(engine, order, unit=unit, actor="unit:1", result=Result.SOLVED, text="已处理", rules=RULES)
    (claimed,) = claim_due(engine, f"node-{sid}", datetime.now(UTC) + timedelta(days=2), RULES)
    outcome = Outcome.ANSWERED if answers else Outcome.DECLINED
    finish(engine, claimed.id, node=f"node-{sid}", outcome=outcome, answers=answers, now=answered_at, rules=RULES)


@pytest.fixture
def month_of_surveys(engine: Engine) -> None:
    repository.replace_catalogue(engine, [NOISE])
    december = datetime(2026, 12, 10, 3, 0, tzinfo=UTC)
    yes = SurveyAnswers(contacted=True, solved=True, satisfaction="满意")
    surveyed(engine, "c1", "朝阳区", CHAOYANG, yes, december)
    surveyed(engine, "c2", "朝阳区", CHAOYANG, SurveyAnswers(True, False, "基本满意"), december)
    surveyed(engine, "c3", "朝阳区", CHAOYANG, None, december)  # declined: counts nowhere
    surveyed(engine, "h1", "海淀区", HAIDIAN, yes, december)
    surveyed(engine, "h2", "海淀区", HAIDIAN, SurveyAnswers(False, False, "不满意"), december)
    surveyed(engine, "h3", "海淀区", HAIDIAN, SurveyAnswers(True, True, "满意"), december)
    # Answered 00:30 on 1 December in Beijing, which is still November in UTC: December's.
    surveyed(engine, "h4", "海淀区", HAIDIAN, yes, datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    surveyed(engine, "n1", "海淀区", HAIDIAN, SurveyAnswers(False, False, "不满意"),
             datetime(2026, 11, 20, tzinfo=UTC))  # November's


def test_the_three_rates_follow_their_formulas(engine: Engine, month_of_surveys: None) -> None:
    by_unit = {row.key: row for row in rates(engine, Dimension.UNIT, "2026-12", WEIGHTS)}
    chaoyang, haidian = by_unit[CHAOYANG], by_unit[HAIDIAN]
    assert (chaoyang.answered, chaoyang.response_rate, chaoyang.resolution_rate) == (2, 1.0, 0.5)
    assert chaoyang.satisfaction_rate == pytest.approx((1 + 0.8) / 2)
    assert chaoyang.score == pytest.approx(0.2 * 1.0 + 0.4 * 0.5 + 0.4 * 0.9)
    assert (haidian.answered, haidian.response_rate, haidian.resolution_rate) == (4, 0.75, 0.75)
    assert haidian.satisfaction_rate == pytest.approx(0.75)
    assert [row.key for row in sorted(by_unit.values(), key=lambda r: r.rank)] == [CHAOYANG, HAIDIAN]
    november = rates(engine, Dimension.UNIT, "2026-11", WEIGHTS)
    assert [(r.key, r.answered, r.satisfaction_rate) for r in november] == [(HAIDIAN, 1, 0.0)]
    assert {r.key for r in rates(engine, Dimension.DISTRICT, "2026-12", WEIGHTS)} == {"朝阳区", "海淀区"}
    assert [(r.key, r.answered) for r in rates(engine, Dimension.TOPIC, "2026-12", WEIGHTS)] == [(NOISE.topic, 6)]


def test_weights_must_sum_to_one_and_months_are_beijing_months() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        MetricWeights(response=0.5, resolution=0.5, satisfaction=0.5)
    start, end = month_range("2026-12")
    assert (start.utcoffset(), end - start) == (timedelta(hours=8), timedelta(days=31))


def test_the_rates_over_the_api(engine: Engine, month_of_surveys: None, rest_api: str) -> None:
    supervisor = as_role(engine, Role.SUPERVISOR)
    answer = httpx.get(f"{rest_api}/api/metrics/unit", params={"month": "2026-12"}, headers=supervisor, timeout=10)
    assert answer.status_code == 200
    rows = answer.json()["rows"]
    assert [(r["rank"], r["key"], r["answered"]) for r in rows] == [(1, CHAOYANG, 2), (2, HAIDIAN, 4)]
    bad = httpx.get(f"{rest_api}/api/metrics/unit", params={"month": "2026-13"}, headers=supervisor, timeout=10)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "month"]
    assert httpx.get(f"{rest_api}/api/metrics/street", params={"month": "2026-12"}, headers=supervisor,
                     timeout=10).status_code == 422
    unit = as_role(engine, Role.UNIT, unit=CHAOYANG)
    assert httpx.get(f"{rest_api}/api/metrics/unit", params={"month": "2026-12"}, headers=unit,
                     timeout=10).status_code == 403


def test_hotline_report_prints_the_ranking(engine: Engine, database_url: str, month_of_surveys: None) -> None:
    runner = CliRunner()
    result = runner.invoke(hotline_app, ["report", "--month", "2026-12", "--database", database_url],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if CHAOYANG in line)
    second = next(i for i, line in enumerate(lines) if HAIDIAN in line)
    assert first < second and "100.0%" in lines[first] and "90.0%" in lines[first]
    bad = runner.invoke(hotline_app, ["report", "--month", "December", "--database", database_url])
    assert bad.exit_code == 1 and "YYYY-MM" in bad.stderr and "Traceback" not in bad.output

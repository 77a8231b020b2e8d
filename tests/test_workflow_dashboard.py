"""The dashboard's queries (server/workflow/): calls and orders by Beijing day and week, hot spots
by district and street, surging topics against their own last eight weeks, 每月一题 candidates and
the rates month by month. Hand-made rows on both databases; the answers worked out by hand here,
with the Beijing midnights (UTC 16:00 the day before) on both sides of each boundary."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from dashboard_rows import Rows, utc
from sqlalchemy import Engine

from server.workflow.hotspots import HotSpot, Level, hotspots
from server.workflow.metrics import MetricWeights, month_range
from server.workflow.surge_alerts import SurgeAlerts
from server.workflow.surges import topic_rises
from server.workflow.topic_candidates import topic_candidates
from server.workflow.trends import Bucket, VolumeRow, last_months, month_weeks, rates_by_month, volume

WEIGHTS = MetricWeights(response=0.2, resolution=0.4, satisfaction=0.4, basic_satisfaction=0.8)
CHAOYANG, HAIDIAN = "朝阳区", "海淀区"


def test_calls_orders_and_hot_spots_by_beijing_day_week_and_place(engine: Engine) -> None:
    rows = Rows(engine)
    for at in (utc(2026, 11, 30, 15, 59),   # 30 Nov 23:59 Beijing: November, but the week of 30 Nov
               utc(2026, 11, 30, 16, 30),   # 1 Dec 00:30 Beijing
               utc(2026, 12, 31, 15, 59),   # 31 Dec 23:59
               utc(2026, 12, 31, 16, 0)):   # 1 Jan 00:00: next year, but the week of 28 Dec
        rows.call(at)
    rows.order(utc(2026, 12, 6, 16, 0), district=CHAOYANG, street="望京街道")     # 7 Dec 00:00
    rows.order(utc(2026, 12, 7, 2, 0), district=CHAOYANG, street="望京街道")      # 7 Dec
    rows.order(utc(2026, 12, 6, 15, 59, 59), district=CHAOYANG, street="望京街道")  # 6 Dec 23:59:59
    rows.order(utc(2026, 12, 20, 4, 0), district=CHAOYANG, street="酒仙桥街道")   # 20 Dec (a Sunday)
    rows.order(utc(2026, 11, 30, 16, 0), district=HAIDIAN, street="中关村街道")   # 1 Dec 00:00
    rows.order(utc(2026, 12, 31, 15, 59), district=HAIDIAN, street="中关村街道")  # 31 Dec 23:59
    rows.order(utc(2026, 12, 15, 8, 0), district=HAIDIAN)                        # 15 Dec, no street
    rows.order(utc(2026, 12, 10, 8, 0))                                          # 10 Dec, no place
    rows.order(utc(2026, 11, 30, 15, 59), district=CHAOYANG, street="望京街道")   # 30 Nov: not December's
    rows.order(utc(2026, 12, 31, 16, 0), district=HAIDIAN, street="中关村街道")   # 1 Jan: not December's

    days = volume(engine, *month_range("2026-12"), Bucket.DAY)
    assert [row.start for row in days] == [date(2026, 12, 1) + timedelta(days=i) for i in range(31)]
    calls = {row.start.day: row.calls for row in days if row.calls}
    orders = {row.start.day: row.orders for row in days if row.orders}
    assert calls == {1: 1, 31: 1}
    assert orders == {1: 1, 6: 1, 7: 2, 10: 1, 15: 1, 20: 1, 31: 1}

    # December 2026 begins on a Tuesday and ends on a Thursday: five whole weeks, 30 Nov to 3 Jan.
    assert month_weeks("2026-12") == (datetime.fromisoformat("2026-11-30T00:00+08:00"),
                                      datetime.fromisoformat("2027-01-04T00:00+08:00"))
    weeks = volume(engine, *month_weeks("2026-12"), Bucket.WEEK)
    assert weeks == [VolumeRow(date(2026, 11, 30), 2, 3), VolumeRow(date(2026, 12, 7), 0, 3),
                     VolumeRow(date(2026, 12, 14), 0, 2), VolumeRow(date(2026, 12, 21), 0, 0),
                     VolumeRow(date(2026, 12, 28), 2, 2)]

    december = month_range("2026-12")
    assert hotspots(engine, *december, Level.DISTRICT) == [
        HotSpot(CHAOYANG, None, 4, 4 / 8, 1), HotSpot(HAIDIAN, None, 3, 3 / 8, 2), HotSpot(None, None, 1, 1 / 8, 3)]
    by_street = [(s.rank, s.district, s.street, s.orders) for s in hotspots(engine, *december, Level.STREET)]
    assert by_street == [(1, CHAOYANG, "望京街道", 3), (2, HAIDIAN, "中关村街道", 2), (3, CHAOYANG, "酒仙桥街道", 1),
                         (4, HAIDIAN, None, 1), (5, None, None, 1)]
    assert hotspots(engine, *month_range("2027-02"), Level.DISTRICT) == []


GAS, BIKES, NOISE, PARKING, LAMPS = "燃气异味", "共享单车乱停", "噪音扰民", "违章停车", "路灯不亮"
WEEK = date(2026, 12, 7)  # a Monday; its eight weeks before begin on 12 October


def wednesday(weeks_before: int) -> datetime:
    """Noon (Beijing) on the Wednesday `weeks_before` weeks before the week of WEEK."""
    return utc(2026, 12, 9, 4, 0) - timedelta(weeks=weeks_before)


@pytest.fixture
def nine_weeks(engine: Engine) -> Rows:
    rows = Rows(engine)
    for weeks_before in range(1, 9):
        rows.order(wednesday(weeks_before), GAS)                                 # 1 a week…
        rows.orders(4 if weeks_before % 2 else 0, wednesday(weeks_before), NOISE)  # 4, 0, 4, 0…
    rows.order(utc(2026, 12, 6, 15, 30), GAS)   # Sunday 23:30 Beijing: the week before has 2
    rows.order(utc(2026, 10, 7, 4, 0), GAS)     # nine weeks before: in no baseline
    rows.orders(3, wednesday(3), LAMPS)         # none this week: not listed
    # This week: Monday 00:30 Beijing (still Sunday in UTC), then Wednesday.
    rows.order(utc(2026, 12, 6, 16, 30), GAS)
    rows.orders(4, wednesday(0), GAS)
    rows.orders(4, wednesday(0), BIKES)
    rows.orders(6, wednesday(0), NOISE)
    rows.order(wednesday(0), PARKING)
    rows.order(wednesday(0), None)
    return rows


def test_a_surge_is_many_orders_far_above_the_topics_own_weeks(engine: Engine, nine_weeks: Rows) -> None:
    found = {rise.topic: rise for rise in topic_rises(engine, WEEK)}
    assert [rise.topic for rise in sorted(found.values(), key=lambda r: r.rank)] == [BIKES, GAS, NOISE, PARKING]
    # GAS: baseline 1,1,1,1,1,1,1,2 → mean 9/8, spread √(11/8 − (9/8)²) ≈ 0.33, floored to 1.
    gas = found[GAS]
    assert (gas.orders, gas.baseline_mean) == (5, 1.125)
    assert gas.baseline_spread == pytest.approx((11 / 8 - (9 / 8) ** 2) ** 0.5)
    assert (gas.rise, gas.surge) == (pytest.approx(3.875), True)
    # BIKES rises more (4 against nothing) but 4 orders are fewer than the 5 a surge needs.
    assert (found[BIKES].rise, found[BIKES].surge) == (4.0, False)
    # NOISE: 6 orders, but its weeks go 4, 0, 4, 0…: mean 2, spread 2, a rise of 2 spreads only.
    noise = found[NOISE]
    assert (noise.orders, noise.baseline_spread, noise.rise, noise.surge) == (6, 2, 2, False)
    assert (found[PARKING].rise, found[PARKING].surge) == (1.0, False)
    with pytest.raises(ValueError, match="Monday"):
        topic_rises(engine, WEEK + timedelta(days=1))


def test_each_surge_is_announced_once_a_week(engine: Engine, nine_weeks: Rows) -> None:
    alerts = SurgeAlerts(engine, announce=lambda event: None, interval_s=60)
    wednesday_night = utc(2026, 12, 9, 14, 0)
    assert [rise.topic for rise in alerts.new_surges(wednesday_night)] == [GAS]
    assert alerts.new_surges(wednesday_night) == []
    nine_weeks.orders(1, wednesday(0), BIKES)  # five now: a surge too
    assert [rise.topic for rise in alerts.new_surges(wednesday_night + timedelta(hours=1))] == [BIKES]
    sunday_last_minute = utc(2026, 12, 13, 15, 59)
    assert alerts.new_surges(sunday_last_minute) == []


def test_monthly_topic_candidates_and_the_rates_month_by_month(engine: Engine) -> None:
    rows = Rows(engine)
    oil, noise, parking = "餐饮油烟扰民", NOISE, PARKING
    oil_orders = [rows.order(utc(2026, 6, 1, 4, 0), oil) for _ in range(10)]
    noise_orders = [rows.order(utc(2025, 12, 31, 16, 0), noise)]        # 1 Jan 2026 00:00 Beijing: in
    noise_orders += [rows.order(utc(2026, 5, 1, 4, 0), noise) for _ in range(3)]
    rows.order(utc(2025, 12, 31, 15, 59), noise)                        # 31 Dec 2025 Beijing: out
    parking_orders = [rows.order(utc(2026, 9, 1, 4, 0), parking) for _ in range(6)]
    rows.order(utc(2026, 12, 31, 16, 0), parking)                       # January 2027: out
    for _ in range(3):
        rows.order(utc(2026, 8, 1, 4, 0), LAMPS)                        # never called back
    rows.answered(noise_orders[0], "满意", utc(2025, 12, 31, 16, 30))   # January 2026 in Beijing
    rows.answered(noise_orders[1], "不满意", utc(2026, 3, 10, 4, 0))
    rows.answered(noise_orders[2], "满意", utc(2025, 12, 31, 15, 0))    # December 2025: out
    rows.answered(oil_orders[0], "满意", utc(2026, 11, 30, 16, 30))     # 1 Dec Beijing
    rows.answered(oil_orders[1], "满意", utc(2026, 12, 5, 4, 0))
    rows.answered(oil_orders[2], "基本满意", utc(2026, 12, 5, 4, 0))
    rows.answered(oil_orders[3], "不满意", utc(2026, 12, 5, 4, 0))
    rows.answered(parking_orders[0], "满意", utc(2026, 12, 6, 4, 0))

    # 油烟: 10 orders × (1 − (2 + 0.8)/4) = 3; 噪音: 4 × (1 − 1/2) = 2; 停车: 6 × 0 = 0; 路灯: unknown.
    found = [(c.rank, c.topic, c.orders, c.answered, c.satisfaction_rate, c.unsatisfied)
             for c in topic_candidates(engine, "2026-12", WEIGHTS)]
    assert found == [(1, oil, 10, 4, pytest.approx(0.7), pytest.approx(3.0)), (2, noise, 4, 2, 0.5, 2.0),
                     (3, parking, 6, 1, 1.0, 0.0), (4, LAMPS, 3, 0, None, None)]

    assert last_months("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]
    monthly = rates_by_month(engine, "2026-12", WEIGHTS)
    assert [m.month for m in monthly] == last_months("2026-12", 12) and monthly[0].month == "2026-01"
    answered = {m.month: (m.answered, m.response_rate, m.resolution_rate, m.satisfaction_rate) for m in monthly
                if m.answered}
    # December: 满意 ×3, 基本满意, 不满意 → contacted 4/5, solved 3/5, satisfied (3 + 0.8)/5.
    assert answered == {"2026-01": (1, 1.0, 1.0, 1.0), "2026-03": (1, 0.0, 0.0, 0.0),
                        "2026-12": (5, 0.8, 0.6, pytest.approx(0.76))}
    assert monthly[-1].score == pytest.approx(0.2 * 0.8 + 0.4 * 0.6 + 0.4 * 0.76)
    assert monthly[1].score is None

"""The detection arithmetic, hand-computed (no database)."""

from __future__ import annotations

import numpy as np
import pytest

from proactive.detection import (
    Thresholds,
    hourly,
    nan_median,
    periodic,
    periodic_by_use_type,
    rolling_min,
    thresholds_by_use_type,
)

NAN = np.nan


def reads(*pairs):
    """One account's reads as ([m³ …], [days …])."""
    use, days = zip(*pairs, strict=True)
    return np.array([use], dtype=float), np.array([days], dtype=float)


def judge(*pairs, **kwargs):
    use, days = reads(*pairs)
    return periodic(use, days, **kwargs)


class TestPeriodicReads:
    def test_a_spike_on_a_steady_household_is_unusual(self):
        # Six months of 12 m³ in 30 days: 0.4 m³ a day, no spread. Then 30 m³: 1.0 m³ a day.
        # Spread = max(1.4826 × 0, 15 % of 0.4 = 0.06, 0.05) = 0.06; score = (1.0 − 0.4) / 0.06 = 10;
        # ratio 2.5; 0.6 m³ a day more than usual.
        result = judge(*[(12, 30)] * 6, (30, 30))
        assert result.unusual[0]
        assert result.baseline_per_day[0] == pytest.approx(0.4)
        assert result.score[0] == pytest.approx(10.0)
        assert result.ratio[0] == pytest.approx(2.5)
        assert result.excess_per_day[0] == pytest.approx(0.6)

    def test_usage_is_compared_per_day_so_a_long_period_is_not_a_spike(self):
        # 24 m³ looks like double the usual 12 m³, but it is 60 days of 0.4 m³ (a read missed).
        assert not judge(*[(12, 30)] * 6, (24, 60)).unusual[0]
        # The same 24 m³ in 30 days is a rise of 0.4 m³ a day.
        assert judge(*[(12, 30)] * 6, (24, 30)).unusual[0]

    def test_a_small_households_noise_stays_below_the_floor(self):
        # 3 m³ a month (0.1 a day), then 7 m³ (0.233): 2.3 times as much, but only 0.133 m³ a
        # day more (floor 0.3), and the spread floor of 0.05 m³ a day keeps the score at 2.7.
        result = judge(*[(3, 30)] * 6, (7, 30))
        assert result.ratio[0] == pytest.approx(7 / 3)
        assert result.score[0] == pytest.approx((7 / 30 - 0.1) / 0.05)
        assert not result.unusual[0]

    def test_a_large_users_swing_stays_below_the_ratio(self):
        # About 2 m³ a day (60 m³ a month, ± 6 m³); then 84 m³ (2.8 a day): 0.8 m³ a day more,
        # but only 1.4 times the baseline (the rule asks 1.5).
        result = judge((54, 30), (66, 30), (60, 30), (57, 30), (63, 30), (60, 30), (84, 30))
        assert result.baseline_per_day[0] == pytest.approx(2.0)
        assert result.ratio[0] == pytest.approx(1.4)
        assert not result.unusual[0]

    def test_a_household_that_grew_is_compared_per_resident(self):
        # 15 m³ a month for two residents (0.25 each a day); then four residents use 30 m³.
        use, days = reads(*[(15, 30)] * 6, (30, 30))
        residents = np.array([[2, 2, 2, 2, 2, 2, 4]], dtype=float)
        assert not periodic(use, days, residents=residents).unusual[0]
        # Without the registered change the same reads are a spike …
        assert periodic(use, days).unusual[0]
        # … and when the residents are not known at every read, the household is compared whole.
        residents[0, 2] = NAN
        assert periodic(use, days, residents=residents).unusual[0]

    def test_a_leak_in_a_household_whose_size_is_known_is_measured_for_all_its_residents(self):
        # Three residents at 0.2 m³ a day each (18 m³ a month); then 36 m³: 0.6 m³ a day more.
        use, days = reads(*[(18, 30)] * 6, (36, 30))
        result = periodic(use, days, residents=np.full((1, 7), 3.0))
        assert result.unusual[0]
        assert result.baseline_per_day[0] == pytest.approx(0.6)  # 0.2 × 3 residents
        assert result.excess_per_day[0] == pytest.approx(0.6)

    def test_the_same_season_last_year_raises_the_baseline(self):
        # Usually 0.4 m³ a day, but last August the household used 0.9 a day: 1.0 is not unusual.
        result = judge(*[(12, 30)] * 6, (30, 30), same_season_m3_per_day=np.array([0.9]))
        assert result.baseline_per_day[0] == pytest.approx(0.9)
        assert not result.unusual[0]
        # With no read last year the recent median stands.
        assert judge(*[(12, 30)] * 6, (30, 30), same_season_m3_per_day=np.array([NAN])).unusual[0]

    def test_too_short_a_history_gives_no_verdict(self):
        assert not judge((NAN, NAN), (NAN, NAN), (NAN, NAN), (12, 30), (12, 30), (12, 30), (60, 30)).unusual[
            0
        ]
        assert judge((NAN, NAN), (NAN, NAN), (12, 30), (12, 30), (12, 30), (12, 30), (60, 30)).unusual[0]

    def test_thresholds_are_configuration(self):
        strict = Thresholds.from_settings({"min_ratio": 3.0})
        assert not judge(*[(12, 30)] * 6, (30, 30), thresholds=strict).unusual[0]
        with pytest.raises(ValueError, match="min_ratoi"):
            Thresholds.from_settings({"min_ratoi": 3.0})

    def test_a_city_at_once(self):
        # One row per account, each judged on its own history. The third: 2 → 3 m³ a day is 1.5
        # times as much, but its score is (3 − 2) / (15 % of 2) = 3.3, under 3.5; 2 → 3.33 passes.
        use = np.array([[12] * 6 + [30], [12] * 6 + [13], [60] * 6 + [90], [60] * 6 + [100]], dtype=float)
        days = np.full(use.shape, 30.0)
        assert periodic(use, days).unusual.tolist() == [True, False, False, True]


def test_the_median_ignores_missing_reads():
    values = np.array([[1, 3, NAN, 2], [NAN, NAN, NAN, NAN], [4, 1, 2, 3]], dtype=float)
    assert nan_median(values)[[0, 2]].tolist() == [2.0, 2.5]
    assert np.isnan(nan_median(values)[1])


class TestHourlyMeters:
    def test_a_flow_that_never_stops_for_two_days_is_continuous(self):
        # A household: 0 L at night, up to 60 L in the day. A cistern leak adds 8 L every hour.
        day = np.array([0] * 6 + [60] * 18, dtype=float)
        usual = np.tile(day, 3)[None, :]
        assert not hourly(usual).continuous[0]
        leaking = usual + 8
        result = hourly(leaking)
        assert result.continuous[0] and result.lowest_flow_lph[0] == pytest.approx(8)
        # 40 hours of it are not enough (the rule asks 48).
        short = usual.copy()
        short[0, 30:70] += 8
        assert not hourly(short).continuous[0]

    def test_a_gap_in_the_data_breaks_the_stretch(self):
        flow = np.full((1, 72), 10.0)
        flow[0, 36] = NAN
        assert not hourly(flow).continuous[0]

    def test_a_high_flow_held_for_hours_is_a_burst(self):
        flow = np.zeros((1, 24))
        flow[0, 10:14] = [400, 500, 450, 420]  # four hours over 300 L
        result = hourly(flow)
        # Held for three hours: at least 400 (hours 10–12), at least 420 (hours 11–13).
        assert result.burst[0] and result.held_flow_lph[0] == pytest.approx(420)
        flow[0, 12:14] = 0  # a bath and a washing machine: two hours
        assert not hourly(flow).burst[0]

    def test_too_few_hours_give_no_verdict(self):
        result = hourly(np.full((2, 10), 50.0))
        assert not result.continuous.any() and np.isnan(result.lowest_flow_lph).all()


@pytest.mark.parametrize("width", range(1, 12))
def test_rolling_min_equals_the_plain_minimum_of_each_window(width):
    values = np.random.default_rng(width).normal(size=(5, 30))
    values[2, 7] = NAN
    expected = np.array([[np.min(row[i : i + width]) for i in range(30 - width + 1)] for row in values])
    np.testing.assert_array_equal(rolling_min(values, width), expected)


class TestThresholdsByUseType:
    def test_shops_and_factories_need_a_higher_score_than_homes(self):
        by_use = thresholds_by_use_type()
        assert by_use["*"].min_score == 3.5 and by_use["general"].min_score == 5.0
        # A steady 2 m³ a day, then 3.33: (3.33 − 2) / (15 % of 2) = a score of 4.4, 1.67 times
        # as much, 1.33 m³ a day more — unusual for a home, not for a shop.
        use = np.array([[60] * 6 + [100], [60] * 6 + [100]], dtype=float)
        days = np.full(use.shape, 30.0)
        result = periodic_by_use_type(use, days, np.array(["domestic", "general"]), by_use)
        assert result.unusual.tolist() == [True, False]
        assert result.score[0] == pytest.approx(result.score[1])

    def test_configuration_overrides_the_common_and_each_use_types_thresholds(self):
        by_use = thresholds_by_use_type(
            {"*": {"min_ratio": 2.0}, "general": {"min_score": 6.0}, "public": {}}
        )
        assert by_use["*"].min_ratio == 2.0
        assert (by_use["general"].min_ratio, by_use["general"].min_score) == (2.0, 6.0)
        assert by_use["public"].min_score == 5.0  # its default stays under the common overrides
        with pytest.raises(ValueError, match="min_scor"):
            thresholds_by_use_type({"general": {"min_scor": 6.0}})

"""Tariff rules, each checked against arithmetic done by hand (in the comments)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from billing.actions import TARIFF_FILES, load_tariff_file
from billing.models import Tariff
from billing.pricing import Consumers, MissingSchedule, Segment, price
from billing.rules import parse_rules
from billing.versions import segments_for


def won(segments, use_type, **usage):
    """Won per component for one account."""
    return {
        code: int(amount[0]) for code, amount in price(segments, Consumers.single(use_type, **usage)).items()
    }


def one_version(definition, effective_from=date(2026, 1, 1), days=30):
    return [Segment(parse_rules(definition, effective_from), days)]


@pytest.fixture
def seoul(db):
    return load_tariff_file(TARIFF_FILES / "seoul.toml")


@pytest.fixture
def ulsan(db):
    return load_tariff_file(TARIFF_FILES / "ulsan.toml")


@pytest.fixture
def progressive(db):
    return load_tariff_file(TARIFF_FILES / "example_progressive.toml")


def period(tariff, start=date(2026, 3, 1), end=date(2026, 3, 31)):
    return segments_for(tariff, start, end)


class TestShippedTariffs:
    def test_seoul_household(self, seoul):
        # 20 m³ at home: water 20 × 580 = 11,600; sewer 20 × 480 = 9,600; water-use 20 × 170 = 3,400.
        assert won(period(seoul), "domestic", water_m3=20) == {
            "water": 11_600,
            "sewer": 9_600,
            "water_use": 3_400,
        }

    def test_seoul_shop_and_bathhouse(self, seoul):
        # A shop, 40 m³: water 40 × 1,270 = 50,800; sewer (illustrative blocks) 30 × 700 + 10 × 1,000
        # = 31,000; water-use 40 × 170 = 6,800.
        assert won(period(seoul), "general", water_m3=40) == {
            "water": 50_800,
            "sewer": 31_000,
            "water_use": 6_800,
        }
        # A bathhouse, 300 m³: water 300 × 500 = 150,000.
        assert won(period(seoul), "bathhouse", water_m3=300)["water"] == 150_000

    def test_ulsan_household_with_a_decimal_water_use_rate(self, ulsan):
        # 23 m³: water 23 × 960 = 22,080; sewer 23 × 650 = 14,950;
        # water-use 23 × 36.4 = 837.2 → below 10 won truncated → 830.
        assert won(period(ulsan), "domestic", water_m3=23) == {
            "water": 22_080,
            "sewer": 14_950,
            "water_use": 830,
        }

    def test_ulsan_does_not_cover_march_2025(self, ulsan):
        # Its only version starts 1 July 2025: nothing covers an earlier period.
        assert segments_for(ulsan, date(2025, 3, 1), date(2025, 3, 31)) == []


class TestRules:
    def test_progressive_blocks_with_a_basic_charge(self, progressive):
        # One household, 35 m³, 20 mm meter: 20 × 360 + 10 × 550 + 5 × 790 = 7,200 + 5,500 + 3,950
        # = 16,650, plus the 20 mm basic charge 3,000 = 19,650.
        assert won(period(progressive), "domestic", water_m3=35, diameter_mm=20)["water"] == 19_650

    def test_household_split_applies_the_blocks_per_household(self, progressive):
        # 3 households, 75 m³ (25 each): bounds × 3 → 60 × 360 + 15 × 550 = 21,600 + 8,250 = 29,850,
        # plus the 15 mm basic charge 1,080 = 30,930.  (Without the split: 20 × 360 + 10 × 550
        # + 45 × 790 = 48,250 + 1,080 = 49,330.)
        assert won(period(progressive), "domestic", water_m3=75, households=3)["water"] == 30_930
        assert won(period(progressive), "domestic", water_m3=75, households=1)["water"] == 49_330

    def test_mixed_home_and_shop_building(self, seoul):
        # A general-use account of a mixed building with 2 households, 50 m³: the first 15 m³ of each
        # household (30 m³) at the household rate 580 = 17,400, the other 20 m³ at 1,270 = 25,400;
        # water 42,800. The same account in a plain shop: 50 × 1,270 = 63,500.
        assert won(period(seoul), "general", water_m3=50, households=2, mixed=True)["water"] == 42_800
        assert won(period(seoul), "general", water_m3=50, households=2)["water"] == 63_500
        # Using less than the allowance: all at the household rate, 12 × 580 = 6,960.
        assert won(period(seoul), "general", water_m3=12, households=2, mixed=True)["water"] == 6_960

    def test_sewer_volume_may_differ_from_the_water_volume(self, seoul):
        # Groundwater user: 10 m³ of tap water but 25 m³ into the sewer → sewer 25 × 480 = 12,000.
        charges = won(period(seoul), "domestic", water_m3=10, sewer_m3=25)
        assert charges["water"] == 5_800 and charges["sewer"] == 12_000
        # Sewer exemption: no sewer volume, no sewer charge.
        assert won(period(seoul), "domestic", water_m3=10, sewer_m3=0)["sewer"] == 0

    def test_a_tariff_change_inside_the_period_is_prorated_by_days(self):
        old = {"components": [{"code": "water", "schedules": {"domestic": {"rate": "500"}}}]}
        new = {"components": [{"code": "water", "schedules": {"domestic": {"rate": "580"}}}]}
        segments = [
            Segment(parse_rules(old, date(2025, 1, 1)), 10),
            Segment(parse_rules(new, date(2026, 1, 11)), 20),
        ]
        # 30 m³ over 30 days, 10 at the old tariff and 20 at the new one:
        # (30 × 500 × 10 + 30 × 580 × 20) / 30 = (150,000 + 348,000) / 30 = 16,600.
        assert won(segments, "domestic", water_m3=30) == {"water": 16_600}

    def test_segments_follow_the_versions(self, seoul):
        from billing.actions import save_tariff_version

        definition = seoul.versions.get().definition
        save_tariff_version(seoul, effective_from=date(2026, 3, 11), definition=definition, acting_user=None)
        segments = segments_for(seoul, date(2026, 3, 1), date(2026, 3, 31))
        assert [s.days for s in segments] == [10, 21]

    def test_final_bill_for_a_partial_period_prorates_the_basic_charge(self, progressive):
        # Moving out after 12 days of a 30-day month, 8 m³, 15 mm: 8 × 360 = 2,880 and the basic
        # charge for 12 of 30 days: 1,080 × 12 / 30 = 432 → 3,312 → truncated to 3,310.
        assert won(period(progressive), "domestic", water_m3=8, days=12, full_days=30)["water"] == 3_310

    def test_a_bimonthly_period_has_two_months_of_basic_charge(self, progressive):
        # 0 m³ in a two-month period: basic only, 2 × 1,080 = 2,160.
        assert (
            won(period(progressive), "domestic", water_m3=0, months=2, days=61, full_days=61)["water"]
            == 2_160
        )

    @pytest.mark.parametrize(
        "mode, expected",
        # 7 m³ × 36.4 = 254.8 won: truncate 250, round 250 (254.8 to the nearest 10), ceil 260.
        [("truncate", 250), ("round", 250), ("ceil", 260)],
    )
    def test_rounding(self, mode, expected):
        definition = {
            "rounding": {"mode": mode, "unit": 10},
            "components": [{"code": "water_use", "schedules": {"domestic": {"rate": "36.4"}}}],
        }
        assert won(one_version(definition), "domestic", water_m3=7) == {"water_use": expected}

    def test_a_use_type_the_tariff_does_not_list(self, progressive):
        with pytest.raises(MissingSchedule) as missing:
            won(period(progressive), "industrial", water_m3=10)
        assert (missing.value.component, missing.value.use_type) == ("water", "industrial")

    def test_a_meter_size_without_a_basic_charge(self):
        definition = {
            "components": [{"code": "water", "schedules": {"domestic": {"rate": "1", "basic": {"15": 1000}}}}]
        }
        with pytest.raises(MissingSchedule) as missing:
            won(one_version(definition), "domestic", water_m3=1, diameter_mm=20)
        assert missing.value.diameter == 20

    def test_many_accounts_at_once_equal_one_by_one(self, progressive):
        import numpy as np

        segments = period(progressive)
        usages = [0, 5, 20, 21, 30, 31, 75, 400]
        households = [1, 1, 1, 2, 1, 3, 3, 10]
        batch = Consumers(
            use_type="domestic",
            water_m3=np.array(usages),
            sewer_m3=np.array(usages),
            households=np.array(households),
            diameter_mm=np.array([15, 15, 20, 25, 15, 15, 15, 50]),
            mixed=np.zeros(8, bool),
            months=np.ones(8, np.int64),
            days=np.full(8, 30),
            full_days=np.full(8, 30),
        )
        together = price(segments, batch)
        for i in range(8):
            alone = won(
                segments,
                "domestic",
                water_m3=usages[i],
                households=households[i],
                diameter_mm=int(batch.diameter_mm[i]),
            )
            assert {code: int(amount[i]) for code, amount in together.items()} == alone


class TestDefinitions:
    @pytest.mark.parametrize(
        "definition, message",
        [
            ({}, "at least one charge component"),
            (
                {"components": [{"code": "gas", "schedules": {}}]},
                "code must be one of water, sewer, water_use",
            ),
            (
                {"components": [{"code": "water", "schedules": {"domestic": {"rate": "-5"}}}]},
                "the rate must be a number",
            ),
            (
                {"components": [{"code": "water", "schedules": {"domestic": {"rate": "1.2345"}}}]},
                "the rate must be a number",
            ),
            (
                {"components": [{"code": "water", "schedules": {"villa": {"rate": "5"}}}]},
                "unknown use type “villa”",
            ),
            (
                {
                    "components": [
                        {
                            "code": "water",
                            "schedules": {
                                "domestic": {
                                    "blocks": [
                                        {"upto": 20, "rate": "1"},
                                        {"upto": 10, "rate": "2"},
                                        {"rate": "3"},
                                    ]
                                }
                            },
                        }
                    ]
                },
                "block 2: “upto” must be a whole number of m³ above 20",
            ),
            (
                {
                    "components": [
                        {
                            "code": "water",
                            "schedules": {
                                "domestic": {"blocks": [{"upto": 10, "rate": "1"}, {"upto": 20, "rate": "2"}]}
                            },
                        }
                    ]
                },
                "the last block must be open",
            ),
            (
                {
                    "rounding": {"mode": "bankers"},
                    "components": [{"code": "water", "schedules": {"domestic": {"rate": "1"}}}],
                },
                "Rounding mode",
            ),
        ],
    )
    def test_a_bad_definition_is_refused_naming_the_problem(self, definition, message):
        with pytest.raises(ValidationError) as refused:
            parse_rules(definition, date(2026, 1, 1))
        assert any(message in text for text in refused.value.messages), refused.value.messages

    def test_loading_a_file_twice_changes_nothing(self, seoul):
        from core.models import AuditEvent

        before = AuditEvent.objects.filter(action="tariff.version_saved").count()
        again = load_tariff_file(TARIFF_FILES / "seoul.toml")
        assert again.pk == seoul.pk and again.versions.count() == 1
        assert AuditEvent.objects.filter(action="tariff.version_saved").count() == before

    def test_a_broken_file_is_refused_whole(self, db, tmp_path):
        broken = tmp_path / "broken.toml"
        broken.write_text(
            'code = "x"\nname = "X"\n[[versions]]\neffective_from = "2026-01-01"\n'
            '[versions.definition]\ncomponents = [{code = "water", schedules = {domestic = {rate = "abc"}}}]\n',
            encoding="utf-8",
        )
        with pytest.raises(ValidationError, match="the rate must be a number"):
            load_tariff_file(broken)
        assert not Tariff.objects.filter(code="x").exists()

    def test_one_tariff_in_use(self, seoul, ulsan):
        from billing.actions import put_tariff_in_use

        put_tariff_in_use(seoul, acting_user=None)
        put_tariff_in_use(ulsan, acting_user=None)
        assert list(Tariff.objects.filter(in_use=True)) == [ulsan]

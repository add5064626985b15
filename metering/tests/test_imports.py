"""Reading files: every row accepted, held with its reasons, or rejected with a reason."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from customers import actions as registry
from customers.actions.common import current_installation
from metering.choices import ExceptionReason, ReadingStatus
from metering.imports import import_readings
from metering.models import MeterReading, ReadingException, ReadingImport, ReadingRejection

TODAY = dt.date(2026, 11, 23)
HEADER = "account,meter,read_on,value,read_type,reader,note,photo_ref"


def csv(*lines, header=HEADER):
    return ("\n".join([header, *lines]) + "\n").encode()


def load(content, name="route-01.csv", user=None):
    return import_readings(name, content, acting_user=user, today=TODAY)


@pytest.fixture
def account(city):
    """A household on a 4-dial meter (register 0 … 9,999), started at 0 thirty days before the first read."""
    premise = city.premise(dials=4)
    return city.account(premise, on=dt.date(2025, 5, 6), reading=0)


def meter_of(account):
    return current_installation(account.premise).meter


def history(account, *values, start=dt.date(2025, 6, 5)):
    """Monthly valid readings (one file): 30-day gaps from ``start``."""
    rows = [
        f"{account.number},,{(start + dt.timedelta(days=30 * i)).isoformat()},{v},actual,R01,,"
        for i, v in enumerate(values)
    ]
    outcome = load(csv(*rows), name=f"history-{values}.csv")
    assert outcome.source.accepted == len(values), outcome.rejected


class TestAccepted:
    def test_a_reading_is_stored_with_its_consumption(self, account):
        history(account, 20, 40)
        outcome = load(csv(f"{account.number},,2025-08-04,61,actual,R07,문 앞 계량기,IMG_0031.jpg"))
        source = outcome.source
        assert (source.rows, source.accepted, source.held, source.rejected) == (1, 1, 0, 0)
        reading = MeterReading.objects.get(source=source)
        assert (reading.value, reading.consumption, reading.days, reading.status) == (
            61,
            21,
            30,
            ReadingStatus.VALID,
        )
        assert (reading.reader, reading.note, reading.photo_ref) == ("R07", "문 앞 계량기", "IMG_0031.jpg")
        assert reading.account == account and reading.meter == meter_of(account)

    def test_a_row_may_name_the_meter_instead_of_the_account(self, account):
        load(csv(f",{meter_of(account).serial},2025-06-05,12,customer,,,"))
        reading = MeterReading.objects.get(kind="customer")
        assert reading.account == account and reading.consumption == 12

    def test_account_numbers_may_carry_the_check_digit_hyphen(self, account):
        load(csv(f"{account.display_number},,2025-06-05,12,actual,,,"))
        assert MeterReading.objects.filter(kind="actual").count() == 1

    def test_a_cp949_file_from_an_older_terminal(self, account):
        content = f"{HEADER}\n{account.number},,2025-06-05,12,actual,R01,초인종 고장,\n".encode("cp949")
        load(content)
        assert MeterReading.objects.get(kind="actual").note == "초인종 고장"

    def test_the_same_file_twice_changes_nothing(self, account):
        content = csv(f"{account.number},,2025-06-05,12,actual,,,")
        first = load(content)
        again = load(content, name="copy.csv")
        assert again.repeated and again.source == first.source
        assert MeterReading.objects.filter(kind="actual").count() == 1 and ReadingImport.objects.count() == 1

    def test_a_reading_already_on_record_is_rejected_not_duplicated(self, account):
        load(csv(f"{account.number},,2025-06-05,12,actual,,,"))
        outcome = load(
            csv(f"{account.number},,2025-06-05,12,actual,,,", f"{account.number},,2025-07-05,30,actual,,,")
        )
        assert (outcome.source.accepted, outcome.source.rejected) == (1, 1)
        assert "already has a reading on 2025-06-05" in outcome.rejected[0][1]
        assert MeterReading.objects.filter(kind="actual").count() == 2


class TestRejected:
    def test_each_bad_row_is_rejected_with_its_reason_and_the_rest_imported(self, account, city):
        other = city.account(city.premise(), on=dt.date(2025, 1, 1), reading=0)
        serial = meter_of(account).serial
        outcome = load(
            csv(
                f"{account.number},,2025-06-05,12,actual,,,",  # 2: fine
                "999999999,,2025-06-05,12,actual,,,",  # 3
                f"{account.number},,2025-06-31,12,actual,,,",  # 4
                f"{account.number},,2027-01-05,12,actual,,,",  # 5
                f"{account.number},,2025-07-05,12.5,actual,,,",  # 6
                f"{account.number},,2025-07-05,13,guess,,,",  # 7
                f"{account.number},,2025-07-05,10000,actual,,,",  # 8
                f"{account.number},,2025-05-01,5,actual,,,",  # 9: before the start reading
                f"{other.number},{serial},2025-06-05,3,actual,,,",  # 10
                f"{account.number},,2025-06-05,12,actual,,,",  # 11: twice in the file
                ",,2025-06-05,3,actual,,,",  # 12
                f"{account.number},,2025-07-05",  # 13
            )
        )
        reasons = dict(outcome.rejected)
        assert outcome.source.accepted == 1 and outcome.source.rejected == 11
        assert outcome.source.rows == 12
        assert reasons[3] == "No account 999999999."
        assert "“2025-06-31” is not a date" in reasons[4]
        assert "in the future" in reasons[5]
        assert "“12.5” is not a whole number" in reasons[6]
        assert "“guess” is not one of actual, estimated, customer" in reasons[7]
        assert "4 dials, so its register shows at most 9,999" in reasons[8]
        assert "before the meter's last reading on 2025-05-06" in reasons[9]  # the service start
        assert f"Meter {serial} is not the one installed for account {other.number}" in reasons[10]
        assert "read twice on 2025-06-05 in this file" in reasons[11]
        assert "Neither an account number nor a meter serial" in reasons[12]
        assert "as many fields as the header" in reasons[13]
        # The rejection report keeps each row as received.
        report = list(ReadingRejection.objects.filter(source=outcome.source).values_list("line", "raw"))
        assert report[0] == (3, "999999999,,2025-06-05,12,actual,,,")

    @pytest.mark.parametrize(
        "header, message",
        [
            ("account,read_on,value,read_type,colour", "Unknown column(s) colour"),
            ("account,read_on,read_type", "lacks the column(s) value"),
            ("read_on,value,read_type", "account / meter"),
        ],
    )
    def test_a_file_that_cannot_be_read_is_refused_whole(self, account, header, message):
        with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
            load(csv(f"{account.number},2025-06-05,12,actual", header=header))
        assert not ReadingImport.objects.exists() and not MeterReading.objects.filter(kind="actual").exists()

    def test_binary_garbage_is_refused(self, db):
        with pytest.raises(ValidationError, match="neither UTF-8 nor CP949"):
            load(b"\xff\xfe\x00\x81\x82\x83")


class TestHeld:
    def held(self, outcome):
        exception = ReadingException.objects.get(reading__source=outcome.source)
        assert exception.reading.status == ReadingStatus.HELD and outcome.source.held == 1
        return exception

    def test_lower_than_the_last_reading(self, account):
        history(account, 500)
        exception = self.held(load(csv(f"{account.number},,2025-07-05,480,actual,,,")))
        assert exception.reasons == [ExceptionReason.LOWER] and exception.reading.consumption is None
        assert exception.account == account

    def test_a_rollover_of_the_register_counts_across_zero(self, city):
        # 4 dials: 9,970 → 9,990 → 15; the last step is 10,000 − 9,990 + 15 = 25 m³.
        account = city.account(city.premise(dials=4, install_reading=9_970), on=dt.date(2025, 5, 6))
        history(account, 9_990)
        exception = self.held(load(csv(f"{account.number},,2025-07-05,15,actual,,,")))
        assert exception.reasons == [ExceptionReason.ROLLOVER]
        assert exception.reading.consumption == 25 and exception.reading.rolled_over

    def test_no_consumption_on_an_active_account(self, account):
        history(account, 40)
        exception = self.held(load(csv(f"{account.number},,2025-07-05,40,actual,,,")))
        assert exception.reasons == [ExceptionReason.ZERO]

    @pytest.mark.parametrize(
        # 20 m³ every 30 days is expected; the band is +70 % / −40 %: above 34 or below 12 is held.
        "value, reason",
        [
            (100 + 35, ExceptionReason.HIGH),
            (100 + 11, ExceptionReason.LOW),
            (100 + 34, None),
            (100 + 12, None),
        ],
    )
    def test_consumption_outside_the_band_around_the_expected(self, account, value, reason):
        history(account, 20, 40, 60, 80, 100)
        outcome = load(csv(f"{account.number},,2025-11-02,{value},actual,,,"))
        if reason is None:
            assert outcome.source.accepted == 1
        else:
            exception = self.held(outcome)
            assert exception.reasons == [reason] and exception.expected == 20

    def test_the_same_season_last_year_is_preferred(self, city):
        account = city.account(city.premise(), on=dt.date(2024, 6, 5), reading=0)
        # Last summer: 60 m³ a month (June–August); the rest of the year 10 a month.
        summer = [60, 120, 180]
        rest = [180 + 10 * i for i in range(1, 10)]
        history(account, *summer, *rest, start=dt.date(2024, 7, 5))
        # The end of June this year, 30 days after the last reading: 62 m³ is like last summer, far above the
        # yearly mean (about 0.6 m³ a day, which would hold it as high).
        outcome = load(csv(f"{account.number},,2025-06-30,{rest[-1] + 62},actual,,,"))
        assert outcome.source.accepted == 1, ReadingException.objects.values_list("reasons", flat=True)

    def test_a_meter_replaced_in_the_period(self, account):
        history(account, 30)
        registry.replace_meter(
            account.premise,
            on=dt.date(2025, 6, 20),
            new_meter=registry.MeterSpec(serial="NEW-1", diameter_mm=15, dials=5),
            removal_reading=38,
            install_reading=0,
            acting_user=None,
        )
        exception = self.held(load(csv(f"{account.number},,2025-07-05,9,actual,,,")))
        assert exception.reasons == [ExceptionReason.METER_CHANGED]
        assert exception.reading.meter.serial == "NEW-1"

    def test_a_held_reading_is_not_the_base_of_the_next(self, account):
        history(account, 20)
        load(csv(f"{account.number},,2025-07-05,15,actual,,,"), name="low.csv")  # held: lower
        outcome = load(csv(f"{account.number},,2025-08-04,45,actual,,,"), name="next.csv")
        reading = MeterReading.objects.get(source=outcome.source)
        assert reading.consumption == 25 and reading.days == 60


class TestResolving:
    @pytest.fixture
    def officer(self, billing_officer):
        return billing_officer

    def lower(self, account):
        history(account, 20, 40)  # 2025-06-05 and 07-05
        load(csv(f"{account.number},,2025-08-04,35,actual,,,"), name="lower.csv")
        return ReadingException.objects.get()

    def test_correct_a_misread_digit(self, account, officer):
        from core.models import AuditEvent
        from metering import actions

        exception = actions.correct_reading(
            self.lower(account), value=61, note="사진 확인: 61", acting_user=officer
        )
        assert exception.status == "corrected" and exception.resolved_by == officer
        old, new = exception.reading, exception.correction
        old.refresh_from_db()
        assert old.status == ReadingStatus.VOID and old.value == 35  # kept, for the record
        assert (new.value, new.consumption, new.days, new.status) == (61, 21, 30, ReadingStatus.VALID)
        event = AuditEvent.objects.get(action="reading.exception_resolved")
        assert "corrected from 35 to 61" in event.details["outcome"] and event.reason == "사진 확인: 61"

    def test_a_correction_must_say_where_it_comes_from_and_still_be_a_reading(self, account, officer):
        from metering import actions

        exception = self.lower(account)
        with pytest.raises(ValidationError, match="Say where the corrected value comes from"):
            actions.correct_reading(exception, value=61, note=" ", acting_user=officer)
        with pytest.raises(ValidationError, match="lower than the last reading"):
            actions.correct_reading(exception, value=39, note="재검침", acting_user=officer)
        exception.refresh_from_db()
        assert exception.status == "open" and exception.reading.status == ReadingStatus.HELD

    def test_a_lower_reading_cannot_simply_be_accepted(self, account, officer):
        from metering import actions

        with pytest.raises(ValidationError, match="cannot be accepted as it is"):
            actions.accept_reading(self.lower(account), acting_user=officer)

    def test_accept_a_high_reading(self, account, officer):
        from metering import actions

        history(account, 20, 40, 60)
        load(csv(f"{account.number},,2025-09-03,160,actual,,,"), name="leak.csv")
        exception = actions.accept_reading(
            ReadingException.objects.get(), note="누수 확인", acting_user=officer
        )
        assert exception.reading.status == ReadingStatus.VALID and exception.reading.consumption == 100
        with pytest.raises(ValidationError, match="already resolved"):
            actions.accept_reading(exception, acting_user=officer)

    def test_order_a_reread(self, account, officer):
        from metering import actions

        exception = actions.order_reread(self.lower(account), note="검침원 재방문", acting_user=officer)
        exception.reading.refresh_from_db()
        assert exception.status == "reread" and exception.reading.status == ReadingStatus.VOID
        # The re-read comes in the next file and is judged afresh.
        outcome = load(csv(f"{account.number},,2025-08-04,62,actual,,,"), name="reread.csv")
        assert outcome.source.accepted == 1

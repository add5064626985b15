"""The business calendar: weekends, Korean public holidays, the utility's closures,
office hours, clock hours, pausing and resuming the clock, and its cache.

Expected values are worked out by hand in the comments. Office hours are 09:00-18:00,
so a full business day holds 9 hours. Most tests build the calendar directly and need
no database; those about the Closure table (the year-end closure from migration 0004,
the cache) use it.
"""

import importlib
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core import calendar as calendar_module
from core.calendar import BusinessCalendar, CalendarExhausted, business_calendar

KST = ZoneInfo("Asia/Seoul")
H = 3600  # seconds in an hour
YEAR_END = (date(2000, 12, 29), date(2001, 1, 3), True)  # as stored by migration 0004


def kst(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=KST)


@pytest.fixture
def cal():
    """The utility's calendar without the database: KR holidays plus the year-end closure."""
    return BusinessCalendar(opens=time(9), closes=time(18), closures=[YEAR_END], country="KR")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The configured calendar is cached per process; never let one test see another's.
    calendar_module.invalidate_business_calendar()
    yield
    calendar_module.invalidate_business_calendar()


# Weekends


def test_weekends_are_not_business_days(cal):
    # 2026-11-23 (the frozen today) is a Monday; 28/29 November are Saturday and Sunday.
    assert [cal.is_business_day(date(2026, 11, d)) for d in range(23, 30)] == [
        True,  # Mon 23
        True,  # Tue 24
        True,  # Wed 25
        True,  # Thu 26
        True,  # Fri 27
        False,  # Sat 28
        False,  # Sun 29
    ]
    # Strictly after: from Friday and from Saturday alike, the next one is Monday 30th.
    assert cal.next_business_day(date(2026, 11, 27)) == date(2026, 11, 30)
    assert cal.next_business_day(date(2026, 11, 28)) == date(2026, 11, 30)
    # From a business day it is the next day, never the day itself.
    assert cal.next_business_day(date(2026, 11, 23)) == date(2026, 11, 24)


def test_business_days_skip_the_weekend_and_end_at_closing(cal):
    # Received Fri 20 Nov 15:00; the day of receipt never counts:
    # Mon 23 (1), Tue 24 (2), Wed 25 (3), Thu 26 (4), Fri 27 (5), [Sat 28, Sun 29],
    # Mon 30 (6), Tue 1 Dec (7) -> due Tue 2026-12-01 18:00.
    due = cal.add_business_days(kst(2026, 11, 20, 15), 7)
    assert due == kst(2026, 12, 1, 18)
    assert due.tzinfo == KST and due.weekday() == 1


# Korean public holidays


def test_chuseok_with_substitute_holiday_foundation_day_and_hangul_day(cal):
    # Chuseok 2026: Thu 24 - Sat 26 September. National Foundation Day falls on Sat 3 Oct,
    # so Mon 5 Oct is its substitute holiday. Hangul Day is Fri 9 Oct.
    for d in (date(2026, 9, 24), date(2026, 9, 25), date(2026, 10, 5), date(2026, 10, 9)):
        assert not cal.is_business_day(d), d
    assert cal.is_business_day(date(2026, 9, 23))  # Wednesday before Chuseok
    assert cal.is_business_day(date(2026, 10, 6))  # Tuesday after the substitute holiday

    received = kst(2026, 9, 23, 10)  # Wednesday
    # 1 day: Thu 24, Fri 25 Chuseok; Sat 26, Sun 27 -> Mon 28 Sep.
    assert cal.add_business_days(received, 1) == kst(2026, 9, 28, 18)
    # 5 days: Mon 28 (1), Tue 29 (2), Wed 30 (3), Thu 1 Oct (4), Fri 2 (5).
    assert cal.add_business_days(received, 5) == kst(2026, 10, 2, 18)
    # 6 days: Sat 3 (Foundation Day), Sun 4, Mon 5 (substitute) -> Tue 6 Oct.
    assert cal.add_business_days(received, 6) == kst(2026, 10, 6, 18)
    # 9 days: Wed 7 (7), Thu 8 (8), Fri 9 Hangul Day, Sat 10, Sun 11 -> Mon 12 Oct (9).
    assert cal.add_business_days(received, 9) == kst(2026, 10, 12, 18)


def test_seollal_2026(cal):
    # Seollal 2026: Mon 16 - Wed 18 February. Received Fri 13 Feb; 1 day:
    # Sat 14, Sun 15, Mon 16 - Wed 18 Seollal -> Thu 19 Feb.
    assert cal.add_business_days(kst(2026, 2, 13, 11), 1) == kst(2026, 2, 19, 18)
    # 8 business hours from Fri 13 Feb 14:00: 4 h on Friday (14-18), then Thu 19 09:00 + 4 h.
    assert cal.add_business_seconds(kst(2026, 2, 13, 14), 8 * H) == kst(2026, 2, 19, 13)


def test_holidays_of_2027_come_from_the_library(cal):
    # Seollal 2027 falls Sat 6 - Mon 8 Feb; its Sunday gives a substitute holiday Tue 9 Feb.
    # Received Fri 5 Feb, 1 day: Sat 6, Sun 7, Mon 8, Tue 9 -> Wed 10 Feb.
    assert cal.add_business_days(kst(2027, 2, 5, 10), 1) == kst(2027, 2, 10, 18)
    # Chuseok 2027: Tue 14 - Thu 16 Sep. Received Mon 13, 1 day -> Fri 17 Sep.
    assert cal.add_business_days(kst(2027, 9, 13, 10), 1) == kst(2027, 9, 17, 18)
    # Foundation Day Sun 3 Oct -> substitute Mon 4; Hangul Day Sat 9 Oct -> substitute Mon 11.
    assert not cal.is_business_day(date(2027, 10, 4))
    assert not cal.is_business_day(date(2027, 10, 11))
    # Christmas 2027 is a Saturday -> substitute Mon 27 Dec.
    assert not cal.is_business_day(date(2027, 12, 27))


# The utility's closures


def test_year_end_closure_wraps_over_new_year(cal):
    # 29 Dec - 3 Jan every year; only month and day of the stored dates count.
    assert cal.is_business_day(date(2026, 12, 28))  # Monday before the closure
    for d in (date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1)):
        assert not cal.is_business_day(d), d
    # Late December 2027: Fri 24 Dec received, Mon 27 is the substitute Christmas holiday,
    # Tue 28 Dec is open (1); the closure covers Wed 29 - Mon 3 Jan 2028 -> Tue 4 Jan 2028 (2).
    assert cal.add_business_days(kst(2027, 12, 24, 10), 1) == kst(2027, 12, 28, 18)
    assert cal.add_business_days(kst(2027, 12, 24, 10), 2) == kst(2028, 1, 4, 18)


def test_one_off_closure_covers_its_days_only_in_its_year():
    cal = BusinessCalendar(closures=[(date(2026, 12, 1), date(2026, 12, 2), False)])
    assert not cal.is_business_day(date(2026, 12, 1))
    assert not cal.is_business_day(date(2026, 12, 2))
    assert cal.is_business_day(date(2026, 12, 3))
    assert cal.is_business_day(date(2027, 12, 1))  # Wednesday a year later: open
    # Received Mon 30 Nov; 1 day: Tue 1, Wed 2 closed -> Thu 3 Dec.
    assert cal.add_business_days(kst(2026, 11, 30, 9), 1) == kst(2026, 12, 3, 18)


@pytest.mark.django_db
def test_year_end_closure_from_the_migration():
    from core.models import Closure

    closure = Closure.objects.get(name="연말연시 휴무 (Year-end closure)")
    assert closure.every_year
    assert (closure.starts_on.month, closure.starts_on.day) == (12, 29)
    assert (closure.ends_on.month, closure.ends_on.day) == (1, 3)

    cal = business_calendar()
    # Received Mon 28 Dec 2026; 1 day: Tue 29 - Thu 31 closed, Fri 1 Jan New Year's Day
    # (and closed), Sat 2, Sun 3 -> Mon 4 Jan 2027 18:00.
    assert date(2027, 1, 4).weekday() == 0  # a Monday
    assert cal.is_business_day(date(2027, 1, 4))
    assert cal.due_at(kst(2026, 12, 28, 14), 1, "business_days") == kst(2027, 1, 4, 18)


@pytest.mark.django_db
def test_migration_reverse_deletes_the_closure_and_forward_is_idempotent():
    from django.apps import apps

    from core.models import Closure

    migration = importlib.import_module("core.migrations.0004_year_end_closure")
    name = "연말연시 휴무 (Year-end closure)"
    migration.create_closure(apps, None)  # already there: not duplicated
    assert Closure.objects.filter(name=name).count() == 1
    migration.delete_closure(apps, None)
    assert not Closure.objects.filter(name=name).exists()


# Starts outside office hours


def test_business_hours_from_outside_office_hours_start_at_next_opening(cal):
    # Mon 23 Nov 07:00, before opening: counting starts 09:00 -> 2 h later is 11:00.
    assert cal.add_business_seconds(kst(2026, 11, 23, 7), 2 * H) == kst(2026, 11, 23, 11)
    # Mon 19:00, after closing: Tue 09:00 + 2 h = Tue 11:00.
    assert cal.add_business_seconds(kst(2026, 11, 23, 19), 2 * H) == kst(2026, 11, 24, 11)
    # Sat 28 Nov 10:00 (within the hours, but a weekend): Mon 30 09:00 + 2 h.
    assert cal.add_business_seconds(kst(2026, 11, 28, 10), 2 * H) == kst(2026, 11, 30, 11)


def test_business_days_from_outside_office_hours(cal):
    # Received Mon 23 Nov 23:59: the local date (the 23rd) never counts -> Tue 24 18:00.
    assert cal.add_business_days(kst(2026, 11, 23, 23, 59), 1) == kst(2026, 11, 24, 18)
    # Received Sat 21 Nov: first business day after the 21st is Mon 23.
    assert cal.add_business_days(kst(2026, 11, 21, 10), 1) == kst(2026, 11, 23, 18)


def test_inputs_are_read_in_seoul_time(cal):
    # 2026-11-23 15:30 UTC is Tue 24 Nov 00:30 in Seoul (UTC+9): the receipt date is the
    # 24th, so 1 business day is Wed 25 Nov 18:00 KST.
    due = cal.add_business_days(datetime(2026, 11, 23, 15, 30, tzinfo=UTC), 1)
    assert due == kst(2026, 11, 25, 18) and due.tzinfo == KST
    # Same instant, business hours: Tue 24 09:00 + 1 h.
    due = cal.add_business_seconds(datetime(2026, 11, 23, 15, 30, tzinfo=UTC), H)
    assert due == kst(2026, 11, 24, 10) and due.tzinfo == KST


# Business hours across nights and weekends


def test_business_hours_across_a_night(cal):
    # Tue 24 Nov 17:00 + 3 h: 1 h on Tuesday (17-18), then Wed 09:00 + 2 h = 11:00.
    start = kst(2026, 11, 24, 17)
    due = cal.due_at(start, 3, "business_hours")
    assert due == kst(2026, 11, 25, 11)
    assert cal.business_seconds_between(start, due) == 3 * H
    # 24 h from Mon 23 09:00: Mon 9 h, Tue 9 h (18), Wed 09:00 + 6 h = 15:00.
    assert cal.due_at(kst(2026, 11, 23, 9), 24, "business_hours") == kst(2026, 11, 25, 15)


def test_business_hours_across_a_weekend(cal):
    # Fri 27 Nov 16:00 + 4 h: 2 h on Friday, weekend skipped, Mon 30 09:00 + 2 h = 11:00.
    start = kst(2026, 11, 27, 16)
    due = cal.due_at(start, 4, "business_hours")
    assert due == kst(2026, 11, 30, 11)
    assert cal.business_seconds_between(start, due) == 4 * H


def test_exactly_at_closing_stays_at_closing(cal):
    # Mon 09:00 + 9 h is Mon 18:00, not Tue 09:00.
    assert cal.add_business_seconds(kst(2026, 11, 23, 9), 9 * H) == kst(2026, 11, 23, 18)
    # Tue 17:00 + 1 h is Tue 18:00. Fri 09:00 + 9 h is Fri 18:00, not Monday.
    assert cal.add_business_seconds(kst(2026, 11, 24, 17), H) == kst(2026, 11, 24, 18)
    assert cal.add_business_seconds(kst(2026, 11, 27, 9), 9 * H) == kst(2026, 11, 27, 18)
    # One second more spills over to the next opening.
    assert cal.add_business_seconds(kst(2026, 11, 27, 9), 9 * H + 1) == kst(2026, 11, 30, 9) + timedelta(
        seconds=1
    )


def test_business_seconds_between(cal):
    # Half-open [a, b): Mon 10:00 - Mon 12:00 is 2 h; reversed or equal is 0.
    assert cal.business_seconds_between(kst(2026, 11, 23, 10), kst(2026, 11, 23, 12)) == 2 * H
    assert cal.business_seconds_between(kst(2026, 11, 23, 12), kst(2026, 11, 23, 10)) == 0
    assert cal.business_seconds_between(kst(2026, 11, 23, 12), kst(2026, 11, 23, 12)) == 0
    # Fri 27 Nov 20:00 - Mon 30 08:00: all outside office hours.
    assert cal.business_seconds_between(kst(2026, 11, 27, 20), kst(2026, 11, 30, 8)) == 0
    # Mon 23 00:00 - Mon 30 00:00: five full days of 9 h.
    assert cal.business_seconds_between(kst(2026, 11, 23), kst(2026, 11, 30)) == 5 * 9 * H
    # Over Chuseok: Wed 23 Sep 00:00 - Wed 30 Sep 00:00 counts Wed 23, Mon 28, Tue 29 only.
    assert cal.business_seconds_between(kst(2026, 9, 23), kst(2026, 9, 30)) == 3 * 9 * H


def test_long_spans_are_consistent(cal):
    # 500 business hours, then measured back: the two functions agree on a long span
    # that crosses the year-end closure and several holidays.
    start = kst(2026, 11, 23, 10, 30)
    due = cal.add_business_seconds(start, 500 * H)
    assert cal.business_seconds_between(start, due) == 500 * H
    assert cal.is_business_day(due.date())


# Clock hours


def test_clock_hours_ignore_holidays_nights_and_closures(cal):
    # Thu 24 Sep 2026 (Chuseok eve) 10:00 + 24 clock hours = Fri 25 Sep (Chuseok) 10:00.
    assert cal.due_at(kst(2026, 9, 24, 10), 24, "clock_hours") == kst(2026, 9, 25, 10)
    # Wed 30 Dec 2026 22:00 (inside the year-end closure) + 4 h = Thu 31 Dec 02:00.
    assert cal.due_at(kst(2026, 12, 30, 22), 4, "clock_hours") == kst(2026, 12, 31, 2)
    # Input in UTC, output in Seoul: 2026-11-23 20:00 UTC = Tue 24 05:00 KST; + 3 h = 08:00 KST.
    due = cal.due_at(datetime(2026, 11, 23, 20, tzinfo=UTC), 3, "clock_hours")
    assert due == kst(2026, 11, 24, 8) and due.tzinfo == KST


def test_unknown_unit_is_refused(cal):
    with pytest.raises(ValueError, match="Unknown unit"):
        cal.due_at(kst(2026, 11, 23, 10), 1, "fortnights")


# Pausing and resuming the clock


def test_pause_and_resume_in_business_days_shifts_due_by_the_paused_business_time(cal):
    received = kst(2026, 11, 23, 10, 30)
    # 5 business days: Tue 24 (1) .. Fri 27 (4), Mon 30 (5) -> Mon 30 Nov 18:00.
    due = cal.due_at(received, 5, "business_days")
    assert due == kst(2026, 11, 30, 18)

    # Paused Wed 25 Nov 14:00 (waiting for the customer): left are Wed 4 h (14-18),
    # Thu 9 h, Fri 9 h, Mon 9 h = 31 h.
    paused = kst(2026, 11, 25, 14)
    remaining = cal.remaining_seconds(paused, due, "business_days")
    assert remaining == 31 * H

    # Resumed Tue 1 Dec 10:00: Tue 8 h (10-18) -> 23 left, Wed 2 9 h -> 14,
    # Thu 3 9 h -> 5, Fri 4 09:00 + 5 h = 14:00.
    resumed = kst(2026, 12, 1, 10)
    new_due = cal.resume_due(resumed, remaining, "business_days")
    assert new_due == kst(2026, 12, 4, 14)

    # The pause lasted Wed 4 h + Thu 9 + Fri 9 + Mon 9 + Tue 1 = 32 business hours, and
    # the due time moved by exactly that: Tue 9 + Wed 9 + Thu 9 + Fri 5 = 32 h.
    paused_for = cal.business_seconds_between(paused, resumed)
    assert paused_for == 32 * H
    assert cal.business_seconds_between(due, new_due) == paused_for


def test_pause_over_a_weekend_costs_no_business_hours(cal):
    # 8 business hours from Fri 27 Nov 10:00 -> Fri 18:00 exactly (closing stays closing).
    due = cal.due_at(kst(2026, 11, 27, 10), 8, "business_hours")
    assert due == kst(2026, 11, 27, 18)
    # Paused Fri 16:00 with 2 h left; resumed Sat 10:00 (closed) -> counting restarts
    # Mon 30 09:00, due Mon 11:00.
    remaining = cal.remaining_seconds(kst(2026, 11, 27, 16), due, "business_hours")
    assert remaining == 2 * H
    assert cal.resume_due(kst(2026, 11, 28, 10), remaining, "business_hours") == kst(2026, 11, 30, 11)


def test_pause_and_resume_in_clock_hours_uses_real_time(cal):
    # 48 clock hours from Mon 23 Nov 10:00 -> Wed 25 10:00. Paused after 10 h (Mon 20:00):
    # 38 h left. Resumed three days later, Thu 26 20:00 -> due Sat 28 10:00 (weekends count).
    due = cal.due_at(kst(2026, 11, 23, 10), 48, "clock_hours")
    assert due == kst(2026, 11, 25, 10)
    remaining = cal.remaining_seconds(kst(2026, 11, 23, 20), due, "clock_hours")
    assert remaining == 38 * H
    assert cal.resume_due(kst(2026, 11, 26, 20), remaining, "clock_hours") == kst(2026, 11, 28, 10)


@pytest.mark.parametrize("unit", ["business_days", "business_hours", "clock_hours"])
def test_remaining_seconds_is_never_negative(cal, unit):
    due = kst(2026, 11, 23, 18)
    # Paused a day after the due time: nothing left, not a negative number.
    assert cal.remaining_seconds(kst(2026, 11, 24, 12), due, unit) == 0
    # Paused the same evening at 19:00, after the due time: nothing left either.
    assert cal.remaining_seconds(kst(2026, 11, 23, 19), due, unit) == 0
    # Paused at 17:00, an hour before: 1 h left on every clock (17-18 is office time).
    assert cal.remaining_seconds(kst(2026, 11, 23, 17), due, unit) == H


@pytest.mark.parametrize("unit", ["business_days", "business_hours", "clock_hours"])
def test_resume_with_nothing_left_is_due_at_once(cal, unit):
    # An overdue request paused and resumed stays overdue: due = the moment it resumes,
    # even at night (it does not wait for the next opening).
    now = kst(2026, 11, 23, 22)
    assert cal.resume_due(now, 0, unit) == now
    assert cal.resume_due(now, -5, unit) == now  # a negative remainder is treated as none


# The configured calendar and its cache


@pytest.mark.django_db
def test_configured_calendar_reads_settings(settings):
    cal = business_calendar()
    assert (cal.opens, cal.closes, cal.country) == (time(9), time(18), "KR")
    settings.OFFICE_CLOSES = "17:00"
    # A settings change is part of the cache key: the next call builds a new calendar.
    assert business_calendar().add_business_days(kst(2026, 11, 23, 10), 1) == kst(2026, 11, 24, 17)


@pytest.mark.django_db
def test_cache_is_invalidated_when_a_closure_is_added_or_removed():
    from core.models import Closure

    cal = business_calendar()
    assert business_calendar() is cal  # cached: no query on every intake
    assert cal.is_business_day(date(2026, 12, 1))  # a Tuesday

    closure = Closure.objects.create(
        name="Foundation day", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 1)
    )
    # post_save dropped the cache: the new closure counts at once.
    cal = business_calendar()
    assert not cal.is_business_day(date(2026, 12, 1))
    # Received Mon 30 Nov, 1 day: Tue 1 Dec closed -> Wed 2 Dec.
    assert cal.due_at(kst(2026, 11, 30, 10), 1, "business_days") == kst(2026, 12, 2, 18)

    closure.delete()  # post_delete likewise
    assert business_calendar().is_business_day(date(2026, 12, 1))


@pytest.mark.django_db
def test_cache_expires_after_its_ttl(monkeypatch):
    # Another process's change sends no signal here; the 60 s TTL picks it up.
    from core.models import Closure

    now = [1000.0]
    monkeypatch.setattr(calendar_module, "_clock", lambda: now[0])
    cal = business_calendar()
    Closure.objects.bulk_create(  # bulk_create sends no post_save: as if done elsewhere
        [Closure(name="Elsewhere", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 1))]
    )
    now[0] += 59
    assert business_calendar() is cal and cal.is_business_day(date(2026, 12, 1))
    now[0] += 2  # 61 s after loading
    assert not business_calendar().is_business_day(date(2026, 12, 1))


# Refusals and guards


def test_naive_datetimes_are_refused(cal):
    naive = datetime(2026, 11, 23, 10, 30)  # noqa: DTZ001 - the point of the test
    aware = kst(2026, 11, 23, 10, 30)
    calls = [
        lambda: cal.add_business_days(naive, 1),
        lambda: cal.add_business_seconds(naive, H),
        lambda: cal.business_seconds_between(naive, aware),
        lambda: cal.business_seconds_between(aware, naive),
        lambda: cal.due_at(naive, 1, "business_days"),
        lambda: cal.due_at(naive, 1, "business_hours"),
        lambda: cal.due_at(naive, 1, "clock_hours"),
        lambda: cal.remaining_seconds(naive, aware, "business_hours"),
        lambda: cal.remaining_seconds(aware, naive, "clock_hours"),
        lambda: cal.resume_due(naive, H, "business_days"),
        lambda: cal.resume_due(naive, H, "clock_hours"),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="timezone-aware"):
            call()


def test_closures_covering_everything_raise_instead_of_looping():
    # A yearly closure of the whole year leaves no business day at all.
    cal = BusinessCalendar(closures=[(date(2000, 1, 1), date(2000, 12, 31), True)])
    with pytest.raises(CalendarExhausted):
        cal.next_business_day(date(2026, 11, 23))
    with pytest.raises(CalendarExhausted):
        cal.add_business_seconds(kst(2026, 11, 23, 10), H)
    with pytest.raises(CalendarExhausted):
        cal.due_at(kst(2026, 11, 23, 10), 1, "business_days")


def test_invalid_arguments():
    with pytest.raises(ValueError):
        BusinessCalendar(opens=time(18), closes=time(9))
    cal = BusinessCalendar()
    with pytest.raises(ValueError):
        cal.add_business_days(kst(2026, 11, 23, 10), 0)
    with pytest.raises(ValueError):
        cal.add_business_seconds(kst(2026, 11, 23, 10), -1)

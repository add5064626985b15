"""The business calendar: when a service request falls due.

Service standards count in business days, business hours or plain clock hours.
A business day is Monday to Friday that is neither a public holiday (from the
``holidays`` library: lunar-calendar and substitute holidays included) nor inside
one of the utility's own closures (``core.models.Closure``). Business hours are the
office hours (``OFFICE_OPENS`` .. ``OFFICE_CLOSES``) of business days.

All datetimes are timezone-aware; they are converted to ``TIME_ZONE`` (Asia/Seoul)
before anything is computed, because "a day" and "office hours" are local notions,
and results come back aware in that zone. Naive datetimes are refused rather than
guessed at.

``business_calendar()`` returns the configured calendar with the closures from the
database. It is cached in-process; saving or deleting a Closure invalidates the
cache (signals wired in ``CoreConfig.ready``), and a short TTL lets the other
processes of a deployment catch up with a change made elsewhere.
"""

from __future__ import annotations

import threading
import time as _time
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone

__all__ = [
    "BUSINESS_DAYS",
    "BUSINESS_HOURS",
    "CLOCK_HOURS",
    "BusinessCalendar",
    "CalendarExhausted",
    "business_calendar",
    "closure_changed",
    "invalidate_business_calendar",
]

# The values of servicedesk.choices.StandardUnit (not imported: core must not depend on it).
BUSINESS_DAYS = "business_days"
BUSINESS_HOURS = "business_hours"
CLOCK_HOURS = "clock_hours"
UNITS = (BUSINESS_DAYS, BUSINESS_HOURS, CLOCK_HOURS)

# Give up looking for a business day after this many consecutive closed days: only a
# misconfiguration (a closure covering everything) gets that far.
MAX_CLOSED_RUN = 3 * 366

# Other processes learn of a Closure change made elsewhere within this many seconds.
CACHE_TTL_SECONDS = 60

ONE_DAY = timedelta(days=1)


class CalendarExhausted(RuntimeError):
    """No business day could be found within ~3 years: the closures cover everything."""


@lru_cache(maxsize=64)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    # Shared by every calendar instance, so rebuilding the calendar after a Closure
    # change does not recompute the (lunar) holidays.
    return frozenset(holidays.country_holidays(country, years=year).keys())


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if timezone.is_naive(value):
        raise ValueError(f"{name} must be timezone-aware: {value!r}")


class BusinessCalendar:
    """Office hours on business days, for one country's holidays and a set of closures.

    ``closures`` are ``(first_day, last_day, every_year)`` triples. For a yearly one
    only month and day count, and the span may wrap over New Year (29 Dec - 3 Jan).
    """

    def __init__(
        self,
        opens: time = time(9),
        closes: time = time(18),
        closures: Iterable[tuple[date, date, bool]] = (),
        country: str = "KR",
        tz: ZoneInfo | str | None = None,
    ):
        if opens >= closes:
            raise ValueError(f"Office must open before it closes: {opens} - {closes}")
        self.opens = opens
        self.closes = closes
        self.country = country
        if tz is None:
            tz = settings.TIME_ZONE
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self._one_off: list[tuple[date, date]] = []
        self._yearly: list[tuple[tuple[int, int], tuple[int, int]]] = []
        for first, last, every_year in closures:
            if every_year:
                self._yearly.append(((first.month, first.day), (last.month, last.day)))
            else:
                if last < first:
                    raise ValueError(f"Closure ends before it starts: {first} - {last}")
                self._one_off.append((first, last))
        self._closed_by_year: dict[int, frozenset[date]] = {}

    def __repr__(self):
        return (
            f"<BusinessCalendar {self.country} {self.opens:%H:%M}-{self.closes:%H:%M} "
            f"{len(self._one_off)} one-off and {len(self._yearly)} yearly closures>"
        )

    # Days

    def _closed_days(self, year: int) -> frozenset[date]:
        """Holidays and closures of one year (weekends aside), computed once per year."""
        closed = self._closed_by_year.get(year)
        if closed is not None:
            return closed
        days = set(_public_holidays(self.country, year))
        if self._one_off or self._yearly:
            day, end = date(year, 1, 1), date(year, 12, 31)
            while day <= end:
                if self._in_closure(day):
                    days.add(day)
                day += ONE_DAY
        # Threads racing here compute the same set; the dict assignment is atomic.
        self._closed_by_year[year] = closed = frozenset(days)
        return closed

    def _in_closure(self, day: date) -> bool:
        for first, last in self._one_off:
            if first <= day <= last:
                return True
        md = (day.month, day.day)
        for first, last in self._yearly:
            # A span wrapping over New Year (12-29 .. 01-03) is two pieces of the year.
            if (first <= md <= last) if first <= last else (md >= first or md <= last):
                return True
        return False

    def is_business_day(self, d: date) -> bool:
        if isinstance(d, datetime):
            raise TypeError("is_business_day takes a date; convert the datetime to local time first")
        return d.weekday() < 5 and d not in self._closed_days(d.year)

    def next_business_day(self, d: date) -> date:
        """The first business day strictly after ``d``."""
        day = d
        for _ in range(MAX_CLOSED_RUN):
            day += ONE_DAY
            if self.is_business_day(day):
                return day
        raise CalendarExhausted(f"No business day within {MAX_CLOSED_RUN} days after {d}")

    # Times

    def localize(self, value: datetime, name: str = "datetime") -> datetime:
        """``value`` in the calendar's zone; naive datetimes are refused."""
        _require_aware(value, name)
        return value.astimezone(self.tz)

    def _opening(self, d: date) -> datetime:
        return datetime.combine(d, self.opens, tzinfo=self.tz)

    def _closing(self, d: date) -> datetime:
        return datetime.combine(d, self.closes, tzinfo=self.tz)

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """Closing time of the ``days``-th business day strictly after ``start``'s local date.

        The day of receipt never counts, whatever the hour it came in.
        """
        if days < 1:
            raise ValueError(f"days must be at least 1, not {days}")
        day = self.localize(start, "start").date()
        for _ in range(days):
            day = self.next_business_day(day)
        return self._closing(day)

    def add_business_seconds(self, start: datetime, seconds: int) -> datetime:
        """``start`` plus ``seconds`` of office time on business days.

        A start outside office hours begins counting at the next opening. A result
        falling exactly at closing stays at closing time of that day, not the next
        morning. Zero seconds returns ``start`` itself (local), so an exhausted clock
        stays overdue instead of waiting for the next opening.
        """
        local = self.localize(start, "start")
        if seconds < 0:
            raise ValueError(f"seconds must not be negative, not {seconds}")
        if seconds == 0:
            return local
        remaining = timedelta(seconds=seconds)
        day = local.date()
        closed_run = 0
        # Step a whole day at a time: each business day offers one window of office hours.
        while True:
            if self.is_business_day(day):
                closed_run = 0
                cursor = max(local, self._opening(day))
                closing = self._closing(day)
                if cursor < closing:
                    available = closing - cursor
                    if remaining <= available:
                        return cursor + remaining
                    remaining -= available
            else:
                closed_run += 1
                if closed_run > MAX_CLOSED_RUN:
                    raise CalendarExhausted(f"No business day within {MAX_CLOSED_RUN} days after {day}")
            day += ONE_DAY

    def business_seconds_between(self, a: datetime, b: datetime) -> int:
        """Office-hour seconds in ``[a, b)``; 0 when ``b`` is not after ``a``."""
        a = self.localize(a, "a")
        b = self.localize(b, "b")
        if b <= a:
            return 0
        total = timedelta(0)
        day, last = a.date(), b.date()
        while day <= last:
            if self.is_business_day(day):
                lo = max(a, self._opening(day))
                hi = min(b, self._closing(day))
                if hi > lo:
                    total += hi - lo
            day += ONE_DAY
        return int(total.total_seconds())

    # Service standards

    @staticmethod
    def _check_unit(unit: str) -> None:
        if unit not in UNITS:
            raise ValueError(f"Unknown unit {unit!r}; expected one of {', '.join(UNITS)}")

    def due_at(self, start: datetime, amount: int, unit: str) -> datetime:
        """When a request received at ``start`` falls due under a standard of ``amount`` ``unit``."""
        self._check_unit(unit)
        if unit == BUSINESS_DAYS:
            return self.add_business_days(start, amount)
        if unit == BUSINESS_HOURS:
            return self.add_business_seconds(start, amount * 3600)
        # Clock hours run day and night, holidays included; real elapsed time, hence UTC.
        start = self.localize(start, "start")
        return (start.astimezone(UTC) + timedelta(hours=amount)).astimezone(self.tz)

    def remaining_seconds(self, now: datetime, due: datetime, unit: str) -> int:
        """What is left of the clock when it stops at ``now``; never negative.

        Business seconds for business units (so a pause over a weekend costs nothing),
        real seconds for clock hours.
        """
        self._check_unit(unit)
        if unit == CLOCK_HOURS:
            _require_aware(now, "now")
            _require_aware(due, "due")
            return max(0, int((due - now).total_seconds()))
        return self.business_seconds_between(now, due)

    def resume_due(self, now: datetime, remaining: int, unit: str) -> datetime:
        """The new due time when the clock restarts at ``now`` with ``remaining`` seconds left."""
        self._check_unit(unit)
        remaining = max(0, int(remaining))
        if unit == CLOCK_HOURS:
            now = self.localize(now, "now")
            return (now.astimezone(UTC) + timedelta(seconds=remaining)).astimezone(self.tz)
        # Resuming a business_days standard counts business seconds too: the remaining
        # time was measured in office time, so it is spent in office time.
        return self.add_business_seconds(now, remaining)


# The configured calendar, cached per process.

_clock = _time.monotonic  # replaced in tests
_cache_lock = threading.Lock()
_cached: tuple[tuple, float, BusinessCalendar] | None = None


def _settings_key() -> tuple:
    # Part of the cache key, so a settings override (tests) never sees a stale calendar.
    return (settings.OFFICE_OPENS, settings.OFFICE_CLOSES, settings.HOLIDAY_COUNTRY, settings.TIME_ZONE)


def _build() -> BusinessCalendar:
    from core.models import Closure

    return BusinessCalendar(
        opens=time.fromisoformat(settings.OFFICE_OPENS),
        closes=time.fromisoformat(settings.OFFICE_CLOSES),
        closures=list(Closure.objects.values_list("starts_on", "ends_on", "every_year")),
        country=settings.HOLIDAY_COUNTRY,
        tz=settings.TIME_ZONE,
    )


def business_calendar() -> BusinessCalendar:
    """The configured calendar, with the closures from the database (cached, see module doc)."""
    global _cached
    key = _settings_key()
    now = _clock()
    cached = _cached
    if cached is not None and cached[0] == key and now - cached[1] < CACHE_TTL_SECONDS:
        return cached[2]
    with _cache_lock:
        cached = _cached
        if cached is not None and cached[0] == key and now - cached[1] < CACHE_TTL_SECONDS:
            return cached[2]
        calendar = _build()
        _cached = (key, now, calendar)
        return calendar


def invalidate_business_calendar() -> None:
    """Forget the cached calendar; the next call to business_calendar() reloads it."""
    global _cached
    with _cache_lock:
        _cached = None


def closure_changed(sender=None, using=None, **kwargs) -> None:
    """Receiver of Closure's post_save and post_delete (connected in CoreConfig.ready).

    Invalidate now, for this connection's own later reads, and again on commit, because
    another thread may reload from the database before the change is committed. A change
    rolled back after a reload inside the same transaction lingers until the TTL runs out;
    closures are edited rarely and by hand.
    """
    from django.db import transaction

    invalidate_business_calendar()
    transaction.on_commit(invalidate_business_calendar, using=using)

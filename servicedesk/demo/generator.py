"""Deciding every demo request, visit, step and survey in Python, from seeded generators."""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate, combinations

from django.conf import settings

from core.calendar import BUSINESS_DAYS, CLOCK_HOURS, business_calendar
from customers.choices import OPEN_STATUSES
from customers.models import Account, Premise
from staff.models import BranchOffice, User
from staff.roles import Role

from ..choices import (
    AnsweredVia,
    Channel,
    LinkKind,
    Origin,
    RequestStatus,
    SurveyStatus,
    TypeGroup,
    UpdateKind,
    VisitStatus,
)
from ..models import RequestType
from .figures import (
    ANY_HOUR,
    APPOINTMENT_NOTES,
    CANCEL_NOTES,
    CANCELLED_SHARE,
    CHANNEL_SHARES,
    COMPOUND_SHARE,
    DAY,
    DELAY_NOTES,
    DEMO_CREW_JOBS,
    DESCRIPTIONS,
    DESK_HOURS,
    FIELD_VALUES,
    FINDINGS,
    FOUND_DESCRIPTIONS,
    FOUND_ON_SITE_SHARE,
    FOUND_TYPES,
    HOUR,
    MINIMUM_OPEN,
    MINUTE,
    ON_TIME_SHARE,
    ONLINE_HOURS,
    PHONE_HOURS,
    PRAISE,
    PROACTIVE_LEAK_SHARE,
    RECENT_DAYS,
    RECENT_PER_OFFICE,
    REQUESTS_PER_PREMISE_YEAR,
    RESOLUTIONS,
    SATISFIED_SHARE,
    SEASONS,
    SURVEY_SHARE,
    TYPE_SEASON,
    TYPE_VOLUMES,
    UNREACHABLE_SHARE,
    UNSATISFIED_COMMENTS,
    WAITING_NOTES,
)
from .staff import _korean_name

# Generation


@dataclass(frozen=True, slots=True)
class _Type:
    pk: int
    code: str
    dispatch: bool
    skills: frozenset[str]
    central: bool
    amount: int
    unit: str
    emergency: bool
    form_fields: tuple


@dataclass(slots=True)
class _Visit:
    premise: int
    office: int
    created_at: datetime
    created_by: int | None
    status: str = VisitStatus.PLANNED
    crew: tuple[int, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    note: str = ""
    started: datetime | None = None
    completed: datetime | None = None
    findings: str = ""
    work_done: str = ""
    pk: int = 0
    number: str = ""


@dataclass(slots=True)
class _Request:
    type: _Type
    premise: int | None
    office: int | None
    holder: tuple | None  # (account, customer, name, phone, email)
    channel: str
    origin: str
    received: datetime
    due: datetime
    status: str = RequestStatus.RECEIVED
    late: bool = False
    description: str = ""
    details: dict = field(default_factory=dict)
    contact: tuple[str, str, str] = ("", "", "")
    owner: int | None = None
    created_by: int | None = None
    visit: _Visit | None = None
    parent: _Request | None = None
    link_kind: str = ""
    paused: datetime | None = None
    remaining: int | None = None
    completed: datetime | None = None
    resolution: str = ""
    hint: str = ""  # the resolution that answers this description, where it depends on it
    delay_noticed: datetime | None = None
    steps: list = field(default_factory=list)
    survey: tuple | None = None
    pk: int = 0
    number: str = ""

    def step(self, kind: str, at: datetime, note="", actor: int | None = None) -> datetime:
        """A status-page step; never before the previous one."""
        if self.steps and at < self.steps[-1][1]:
            at = self.steps[-1][1]
        self.steps.append((kind, at, note, actor))
        return at

    @property
    def is_open(self) -> bool:
        return self.status not in (RequestStatus.COMPLETED, RequestStatus.CANCELLED)


class _Generator:
    def __init__(self, seed: int, today: date, now: datetime, years: int):
        self.seed = seed
        self.rng = random.Random(f"{seed}:requests")
        self.cal = business_calendar()
        self.tz = self.cal.tz
        self.today = today
        self.now = now
        self.first_day = today - timedelta(days=round(365.25 * years) - 1)
        self.office_seconds = int(
            (
                datetime.combine(today, self.cal.closes) - datetime.combine(today, self.cal.opens)
            ).total_seconds()
        )
        self.survey_delay = timedelta(minutes=getattr(settings, "HAPPY_CALL_DELAY_MINUTES", 30))
        self.requests: list[_Request] = []
        self.visits: list[_Visit] = []
        self.revisits = 0
        self.found = 0
        self._due_days: dict[tuple[date, int], datetime] = {}
        self._teams: dict[tuple[int, frozenset], tuple[list, list]] = {}
        self._hours = {id(h): list(accumulate(h)) for h in (PHONE_HOURS, DESK_HOURS, ONLINE_HOURS, ANY_HOUR)}
        # Office hours of the span's business days, looked up once: office time is reckoned several
        # times a request.
        day, last = self.first_day - timedelta(days=7), today + timedelta(days=120)
        self._office_hours: dict[date, tuple[datetime, datetime]] = {}
        self._known = (day, last)
        while day <= last:
            if self.cal.is_business_day(day):
                self._office_hours[day] = (
                    datetime.combine(day, self.cal.opens, tzinfo=self.tz),
                    datetime.combine(day, self.cal.closes, tzinfo=self.tz),
                )
            day += DAY
        self._load()

    # Reference data

    def _load(self) -> None:
        self.types = {}
        for kind in RequestType.objects.prefetch_related("skills"):
            self.types[kind.code] = _Type(
                pk=kind.pk,
                code=kind.code,
                dispatch=kind.group == TypeGroup.DISPATCH and kind.needs_visit,
                skills=frozenset(skill.code for skill in kind.skills.all()),
                central=kind.routing == "central",
                amount=kind.standard_amount,
                unit=kind.standard_unit,
                emergency=kind.emergency,
                form_fields=tuple(kind.form_fields or ()),
            )
        self.dispatch_types = [t for t in self.types.values() if t.dispatch and not t.emergency]
        self.premises = list(Premise.objects.order_by("pk").values_list("pk", "district__office_id"))
        self.holders: dict[int, tuple] = {}
        accounts = (
            Account.objects.filter(status__in=OPEN_STATUSES)
            .order_by("premise_id", "-start_date", "-pk")
            .values_list(
                "premise_id", "pk", "customer_id", "customer__name", "customer__phone", "customer__email"
            )
        )
        for premise, *holder in accounts.iterator(chunk_size=10_000):
            self.holders.setdefault(premise, tuple(holder))
        self.offices = list(BranchOffice.objects.order_by("code"))
        self.crews: dict[int, list[tuple[int, frozenset[str]]]] = {office.pk: [] for office in self.offices}
        self.skills_of: dict[int, frozenset[str]] = {}
        members = User.objects.filter(groups__name=Role.CREW, office__isnull=False, is_active=True)
        for user in members.order_by("username").prefetch_related("skills").distinct():
            self.skills_of[user.pk] = frozenset(s.code for s in user.skills.all())
            self.crews.setdefault(user.office_id, []).append((user.pk, self.skills_of[user.pk]))
        self.clerks: dict[int, list[int]] = {office.pk: [] for office in self.offices}
        for pk, office in (
            User.objects.filter(groups__name=Role.CLERK, office__isnull=False, is_active=True)
            .order_by("username")
            .values_list("pk", "office_id")
        ):
            self.clerks.setdefault(office, []).append(pk)
        logins = dict(
            User.objects.filter(username__in=["clerk", "agent", "billing", "crew"]).values_list(
                "username", "pk"
            )
        )
        all_clerks = [pk for pks in self.clerks.values() for pk in pks]
        self.clerk = logins.get("clerk") or (all_clerks[0] if all_clerks else None)
        self.agent = logins.get("agent") or self.clerk
        self.billing = logins.get("billing") or self.clerk
        # The demo logins' office: its open work goes to them, so that logging in shows some.
        self.demo_crew = logins.get("crew") if logins.get("crew") in self.skills_of else None
        self.demo_office = User.objects.filter(pk=self.demo_crew).values_list("office_id", flat=True).first()

    # Time

    def due(self, kind: _Type, start: datetime) -> datetime:
        if kind.unit == BUSINESS_DAYS:  # only the day counts: one computation per day and standard
            key = (start.date(), kind.amount)
            due = self._due_days.get(key)
            if due is None:
                due = self._due_days[key] = self.cal.due_at(start, kind.amount, kind.unit)
            return due
        return self.cal.due_at(start, kind.amount, kind.unit)

    def after(self, kind: _Type, start: datetime, seconds: float) -> datetime:
        """``seconds`` of the type's clock after ``start``: office time, or real time for clock hours."""
        if kind.unit == CLOCK_HOURS:
            return start + timedelta(seconds=seconds)
        return self.office_time_after(start, seconds)

    def is_open(self, day: date) -> bool:
        if self._known[0] <= day <= self._known[1]:
            return day in self._office_hours
        return self.cal.is_business_day(day)

    def office_time_after(self, start: datetime, seconds: float) -> datetime:
        """The calendar's ``add_business_seconds``, with the office hours looked up in a dict."""
        local = start.astimezone(self.tz)
        day, (first, last) = local.date(), self._known
        if seconds <= 0 or not first <= day <= last:
            return self.cal.add_business_seconds(start, max(0, int(seconds)))
        remaining = timedelta(seconds=int(seconds))
        hours = self._office_hours
        while day <= last:
            if day in hours:
                opening, closing = hours[day]
                cursor = local if local > opening else opening
                if cursor < closing:
                    if remaining <= closing - cursor:
                        return cursor + remaining
                    remaining -= closing - cursor
            day += DAY
        return self.cal.add_business_seconds(start, int(seconds))  # beyond the span (a long standard)

    def standard_seconds(self, kind: _Type) -> int:
        if kind.unit == BUSINESS_DAYS:
            return kind.amount * self.office_seconds
        return kind.amount * 3600

    def slot(self, moment: datetime) -> datetime:
        """The first appointment slot (on the hour, in office hours, on a business day) from ``moment``."""
        local = moment.astimezone(self.tz)
        start = local.replace(minute=0, second=0, microsecond=0)
        if start < local:
            start += HOUR
        day = start.date()
        if start.time() < self.cal.opens:
            start = datetime.combine(day, self.cal.opens, tzinfo=self.tz)
        if start.time() > time(self.cal.closes.hour - 2) or not self.is_open(day):
            day = self.cal.next_business_day(day)
            start = datetime.combine(day, self.cal.opens, tzinfo=self.tz)
        return start

    def between(self, a: datetime, b: datetime, lo: float = 0.0, hi: float = 1.0) -> datetime:
        return a + (b - a) * self.rng.uniform(lo, hi)

    def window(self, visit: _Visit) -> str:
        start, end = visit.start.astimezone(self.tz), visit.end.astimezone(self.tz)
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"

    def reseed(self, day: date, phase: int) -> None:
        """One stream per day of arrivals and pass: a decision that depends on the clock (a request just
        reaching its due time as the load runs) changes that day's requests only, not all that follow."""
        self.rng.seed((self.seed << 40) + (day.toordinal() << 2) + phase)

    # Pass 1: what arrives, and when

    def draw(self) -> list[_Request]:
        rng = self.rng
        days = [self.first_day + timedelta(days=n) for n in range((self.today - self.first_day).days + 1)]
        day_factor = []
        for day in days:
            if self.is_open(day):
                day_factor.append(1.0)
            else:
                day_factor.append(0.25 if day.weekday() == 5 else 0.12)
        cumulative = {}
        for season, months in SEASONS.items():
            cumulative[season] = list(
                accumulate(months[d.month - 1] * f for d, f in zip(days, day_factor, strict=True))
            )
            cumulative["emergency:" + season] = list(accumulate(months[d.month - 1] for d in days))
        recent = days[-RECENT_DAYS:]
        recent_weights = list(accumulate(day_factor[-RECENT_DAYS:]))

        codes = [code for code in TYPE_VOLUMES if code in self.types]
        wanted = round(REQUESTS_PER_PREMISE_YEAR * len(self.premises) * len(days) / 365.25)
        counts = _apportion(wanted, [TYPE_VOLUMES[code] for code in codes])
        plan: list[tuple[str, date, list | None]] = []  # type, day, premises to choose from
        for code, count in zip(codes, counts, strict=True):
            count = max(count, 1)
            season = TYPE_SEASON.get(code, "default")
            if self.types[code].emergency:
                season = "emergency:" + season
            weights = cumulative[season]
            plan += [
                (code, days[bisect.bisect(weights, rng.random() * weights[-1])], None) for _ in range(count)
            ]
        # A working office's last days, even in a small city.
        natural = sum(1 for _code, day, _premises in plan if day >= recent[0])
        type_weights = list(accumulate(TYPE_VOLUMES[code] for code in codes))
        for _ in range(max(0, RECENT_PER_OFFICE * len(self.offices) - natural)):
            code = codes[bisect.bisect(type_weights, rng.random() * type_weights[-1])]
            plan.append(
                (code, recent[bisect.bisect(recent_weights, rng.random() * recent_weights[-1])], None)
            )
        # And jobs of the last two days for the demo crew's office that the demo crew can do.
        demo_premises = [p for p in self.premises if p[1] == self.demo_office]
        demo_skills = self.skills_of.get(self.demo_crew, frozenset())
        demo_codes = [
            c
            for c in codes
            if self.types[c].dispatch and not self.types[c].emergency and self.types[c].skills <= demo_skills
        ]
        if demo_premises and demo_codes:
            for code in rng.choices(
                demo_codes, weights=[TYPE_VOLUMES[c] for c in demo_codes], k=DEMO_CREW_JOBS
            ):
                plan.append((code, recent[-1 - int(rng.random() * 2)], demo_premises))

        channels = [channel for channel, _share in CHANNEL_SHARES]
        channel_weights = list(accumulate(share for _channel, share in CHANNEL_SHARES))
        requests = []
        for code, day, premises in plan:
            kind = self.types[code]
            premises = premises or self.premises
            premise, office = premises[int(rng.random() * len(premises))]
            origin = Origin.CITIZEN
            if kind.emergency:
                channel = Channel.PHONE
            elif code == "leak_diagnosis" and rng.random() < PROACTIVE_LEAK_SHARE:
                channel = origin = Channel.PROACTIVE
            else:
                channel = channels[bisect.bisect(channel_weights, rng.random() * channel_weights[-1])]
            if channel == Channel.VISIT and not self.is_open(day):
                channel = Channel.PHONE  # the offices are closed
            received = self._arrival(day, channel, kind)
            requests.append(
                _Request(
                    type=kind,
                    premise=premise,
                    office=None if kind.central else office,
                    holder=self.holders.get(premise),
                    channel=channel,
                    origin=origin,
                    received=received,
                    due=self.due(kind, received),
                )
            )
        requests.sort(key=lambda r: r.received)
        day = None
        for request in requests:
            if request.received.date() != day:
                day = request.received.date()
                self.reseed(day, 0)
            self.decide(request)
        self._enforce_open(requests)
        return requests

    def _arrival(self, day: date, channel: str, kind: _Type) -> datetime:
        rng = self.rng
        if kind.emergency:
            hours = ANY_HOUR
        elif channel in (Channel.PHONE,):
            hours = PHONE_HOURS
        elif channel in (Channel.VISIT, Channel.PROACTIVE):
            hours = DESK_HOURS
        else:
            hours = ONLINE_HOURS
        cumulative = self._hours[id(hours)]
        hour = bisect.bisect(cumulative, rng.random() * cumulative[-1])
        moment = datetime.combine(
            day, time(hour, int(rng.random() * 60), int(rng.random() * 60)), tzinfo=self.tz
        )
        # Today's later hours have not come yet. Drawn in any case, so the stream does not depend on the clock.
        earlier = timedelta(minutes=1 + int(rng.random() * 180))
        return min(moment, self.now - earlier)

    def decide(self, request: _Request) -> None:
        """Completed, cancelled or still open (and how), from the request's age and standard."""
        rng, now = self.rng, self.now
        age = now - request.received
        kind = request.type
        if request.due <= now:
            recent = age < timedelta(days=30) and not kind.emergency
            if recent and rng.random() < 0.06:
                request.status = self._open_status(request)  # overdue
                return
            if rng.random() < CANCELLED_SHARE:
                request.status = RequestStatus.CANCELLED
                return
            request.status = RequestStatus.COMPLETED
            request.late = rng.random() > ON_TIME_SHARE
            return
        elapsed = age / (request.due - request.received)
        # Works wait for their visit; most paperwork is done in a day or two.
        still_open = 0.9 * (1 - elapsed) ** (2 if kind.dispatch else 3)
        if age < timedelta(minutes=20) or rng.random() < still_open:
            request.status = self._open_status(request)
        else:
            request.status = RequestStatus.COMPLETED

    def _open_status(self, request: _Request) -> str:
        rng = self.rng
        if self.now - request.received < timedelta(minutes=20):
            return RequestStatus.RECEIVED
        if request.type.dispatch:
            if request.type.emergency:
                return RequestStatus.SCHEDULED
            options = [
                RequestStatus.RECEIVED,
                RequestStatus.ASSIGNED,
                RequestStatus.SCHEDULED,
                RequestStatus.WAITING,
            ]
            return rng.choices(options, weights=[15, 25, 50, 10])[0]
        options = [RequestStatus.RECEIVED, RequestStatus.ASSIGNED, RequestStatus.WAITING]
        return rng.choices(options, weights=[30, 58, 12])[0]

    def _enforce_open(self, requests: list[_Request]) -> None:
        """Make sure the consoles have each open situation to show, taken from the latest requests."""
        since, now = self.now - timedelta(days=RECENT_DAYS), self.now
        recent = [r for r in reversed(requests) if r.received >= since and not r.type.emergency]
        demo_skills = self.skills_of.get(self.demo_crew, frozenset())

        def for_demo_crew(r):
            return r.type.dispatch and r.office == self.demo_office and r.type.skills <= demo_skills

        def for_demo_clerk(r):
            return not r.type.dispatch and r.office == self.demo_office and r.due > now

        rules = [  # (status it is left in, which requests may be, how many at least)
            (RequestStatus.ASSIGNED, lambda r: r.due <= now, MINIMUM_OPEN["overdue"]),
            (RequestStatus.SCHEDULED, lambda r: r.type.dispatch, MINIMUM_OPEN["scheduled"]),
            (RequestStatus.SCHEDULED, for_demo_crew, DEMO_CREW_JOBS),
            (RequestStatus.ASSIGNED, for_demo_clerk, 2),
            (RequestStatus.RECEIVED, lambda r: r.due > now, MINIMUM_OPEN["received"]),
            (RequestStatus.WAITING, lambda r: r.due > now, MINIMUM_OPEN["waiting"]),
        ]
        converted = set()
        for status, fits, wanted in rules:
            demo = fits in (for_demo_crew, for_demo_clerk)
            missing = wanted - sum(1 for r in recent if r.status == status and fits(r))
            for request in recent:
                if missing <= 0:
                    break
                # The demo logins' work may be taken from other open requests, not from another rule's.
                convertible = not request.is_open or (demo and id(request) not in converted)
                if convertible and request.status != status and fits(request):
                    request.status, request.late = status, False
                    converted.add(id(request))
                    missing -= 1

    # Pass 2: what happened to each request

    def build(self, request: _Request) -> None:
        rng = self.rng
        kind = request.type
        self.requests.append(request)
        if not request.description:
            request.details = self._details(kind, request.received)
            request.description = self._describe(request)
        if not request.contact[0]:
            request.contact = self._contact(request)
        if not request.created_by:
            request.created_by = self._taker(request)
        request.step(UpdateKind.RECEIVED, request.received, actor=request.created_by)

        companions = []
        if kind.dispatch and request.visit is None:
            request.visit = self._new_visit(request)
            if (
                not kind.emergency
                and request.parent is None
                and request.status != RequestStatus.CANCELLED
                and len(self.dispatch_types) > 1
                and rng.random() < COMPOUND_SHARE
            ):
                companions.append(self._companion(request))
        needed = kind.skills.union(*(c.type.skills for c in companions))

        if request.status == RequestStatus.CANCELLED:
            at = self.between(request.received, min(request.due, self.now), 0.05, 0.5)
            request.resolution = rng.choice(CANCEL_NOTES)
            request.step(UpdateKind.CANCELLED, at, request.resolution, self._desk_owner(request))
            if request.visit is not None:
                request.visit.status = VisitStatus.CANCELLED
            return
        if request.status == RequestStatus.RECEIVED:
            for companion in companions:
                self._follow(companion, request)
            return

        assigned = self._assigned_at(request)
        visit = request.visit
        team = visit.crew if visit is not None else ()
        if visit is not None and not team:
            team = self._team(request.office, needed, request.is_open)
            if request.status in (RequestStatus.COMPLETED, RequestStatus.SCHEDULED):
                visit.crew = team  # the crew is sent when the appointment is made
        request.owner = (team[0] if team else None) or self._desk_owner(request)
        request.step(UpdateKind.ASSIGNED, assigned, actor=request.owner)

        if request.status == RequestStatus.COMPLETED:
            self._complete(request, assigned)
        elif request.status == RequestStatus.SCHEDULED:
            self._schedule(request, assigned)
        elif request.status == RequestStatus.WAITING:
            self._wait(request, assigned)
        elif request.due <= self.now and rng.random() < 0.5:
            self._announce_delay(request, request.due - timedelta(hours=1 + int(rng.random() * 3)))
        for companion in companions:
            self._follow(companion, request)
        for companion in [request, *companions]:
            if companion.status == RequestStatus.COMPLETED:
                self._survey(companion)
        if (
            request.status == RequestStatus.COMPLETED
            and visit is not None
            and rng.random() < FOUND_ON_SITE_SHARE
        ):
            self._found_on_site(request)

    def _details(self, kind: _Type, received: datetime) -> dict:
        rng, details = self.rng, {}
        for spec in kind.form_fields:
            if not spec.get("required") and rng.random() < 0.5:
                continue
            name, field_kind = spec["name"], spec.get("kind", "text")
            if spec.get("choices"):
                details[name] = rng.choice(spec["choices"])[0]
            elif field_kind == "date":
                details[name] = (received.date() - timedelta(days=rng.randint(2, 25))).isoformat()
            elif field_kind == "number":
                details[name] = rng.randint(2, 5)
            elif name in FIELD_VALUES:
                details[name] = rng.choice(FIELD_VALUES[name])
            elif name == "when":
                details[name] = (received.date() - timedelta(days=rng.randint(1, 5))).isoformat()
        return details

    def _describe(self, request: _Request) -> str:
        rng, kind, details = self.rng, request.type, request.details
        key = kind.code
        if request.origin == Origin.PROACTIVE and f"{key}:proactive" in DESCRIPTIONS:
            key += ":proactive"
        for name in ("symptom", "works_kind"):
            if name in details and f"{key}:{details[name]}" in DESCRIPTIONS:
                key += f":{details[name]}"
        templates = DESCRIPTIONS.get(key) or ["{type} 요청입니다."]
        values = {
            "where": rng.choice(FIELD_VALUES["where"]),
            "bank": rng.choice(FIELD_VALUES["bank"]),
            "repaired_on": "지난주",
            "households": 2,
            "when": "어제",
            "jump": rng.choice([2, 3, 4]),
            "type": kind.code,
            **details,
        }
        template = rng.choice(templates)
        if isinstance(template, tuple):
            template, request.hint = template
        return template.format(**values)

    def _resolution(self, request: _Request) -> str:
        return request.hint or self.rng.choice(RESOLUTIONS.get(request.type.code) or ["처리했습니다."])

    def _contact(self, request: _Request) -> tuple[str, str, str]:
        holder = request.holder
        if request.type.emergency and (holder is None or self.rng.random() < 0.5):
            request.holder = None  # a passer-by reports it
            return (_korean_name(self.rng), f"+8210{self.rng.randint(20_000_000, 99_999_999)}", "")
        if holder is None:
            return (_korean_name(self.rng), f"+8210{self.rng.randint(20_000_000, 99_999_999)}", "")
        email = holder[4] if request.channel in (Channel.WEB, Channel.EMAIL) else ""
        return (holder[2], holder[3], email)

    def _taker(self, request: _Request) -> int | None:
        if request.channel == Channel.PHONE:
            return self.agent
        if request.channel in (Channel.VISIT, Channel.PROACTIVE):
            return self._office_clerk(request.office)
        return None  # web, e-mail, fax and mail are typed in by the system's intake

    def _office_clerk(self, office: int | None) -> int | None:
        clerks = self.clerks.get(office) or []
        return clerks[int(self.rng.random() * len(clerks))] if clerks else self.clerk

    def _desk_owner(self, request: _Request) -> int | None:
        if request.type.code == "auto_payment":  # the billing team's
            return self.billing
        if request.office is None or (request.office == self.demo_office and request.is_open):
            return self.clerk
        return self._office_clerk(request.office)

    def _new_visit(self, request: _Request) -> _Visit | None:
        office = request.office
        if office is None or request.premise is None:
            return None
        visit = _Visit(
            premise=request.premise, office=office, created_at=request.received, created_by=request.created_by
        )
        self.visits.append(visit)
        return visit

    def _team(self, office: int | None, needed: frozenset[str], is_open: bool = False) -> tuple[int, ...]:
        """One member who has every skill needed, or two who have them between them."""
        crew = self.crews.get(office) or []
        if not crew:
            return ()
        if (
            office == self.demo_office
            and is_open
            and needed <= self.skills_of.get(self.demo_crew, frozenset())
        ):
            return (self.demo_crew,)
        key = (office, needed)
        if key not in self._teams:
            singles = [member for member, skills in crew if needed <= skills]
            pairs = [
                (a, b) for (a, sa), (b, sb) in combinations(crew, 2) if needed <= sa | sb and (needed & sb)
            ]
            self._teams[key] = (singles, pairs)
        singles, pairs = self._teams[key]
        if singles and (not pairs or self.rng.random() < 0.65):
            return (self.rng.choice(singles),)
        if pairs:
            return self.rng.choice(pairs)
        return (crew[0][0],)

    def _assigned_at(self, request: _Request) -> datetime:
        kind = request.type
        if kind.emergency:
            at = request.received + timedelta(minutes=2 + self.rng.random() * 8)
        elif kind.unit == CLOCK_HOURS:
            at = request.received + timedelta(minutes=5 + self.rng.random() * 25)
        else:
            at = self.office_time_after(request.received, self.rng.randint(300, 7200))
        limit = self.now - MINUTE
        if request.status == RequestStatus.COMPLETED:
            limit = min(limit, request.received + (self._completion(request) - request.received) * 0.3)
        return max(request.received, min(at, limit))

    def _completion(self, request: _Request) -> datetime:
        """When the request is (was) completed; decided once."""
        if request.completed is not None:
            return request.completed
        rng, kind, now = self.rng, request.type, self.now
        if request.late:
            overshoot = rng.uniform(0.05, 0.6) * self.standard_seconds(kind)
            done = self.after(kind, request.due, max(1800, overshoot))
            if done > now:
                done = self.between(request.due, now, 0.2, 0.95)
        else:
            share = rng.uniform(0.15, 0.9) if kind.dispatch else rng.betavariate(1.2, 4) * 0.9 + 0.02
            done = self.after(kind, request.received, share * self.standard_seconds(kind))
            done = min(done, request.due - MINUTE)
            if done > now - MINUTE:
                done = self.between(request.received, now - MINUTE, 0.4, 0.95)
        request.completed = max(done, request.received + MINUTE)
        return request.completed

    def _complete(self, request: _Request, assigned: datetime) -> None:
        rng, kind = self.rng, request.type
        done = self._completion(request)
        request.resolution = self._resolution(request)
        visit = request.visit
        late_notice = request.late and rng.random() < 0.6
        delay_at = request.due - timedelta(hours=1 + int(rng.random() * 3))
        if visit is not None and visit.status == VisitStatus.PLANNED:
            work = timedelta(
                minutes=rng.randint(60, 300) if kind.code == "supply_works" else rng.randint(20, 120)
            )
            started = max(done - work, assigned + (done - assigned) * 0.5)
            if not kind.emergency:  # emergencies are attended at once, without an appointment
                start = started.astimezone(self.tz).replace(minute=0, second=0, microsecond=0)
                start = max(start - timedelta(minutes=30 * int(rng.random() * 2)), assigned)
                visit.start, visit.end = start, start + 2 * HOUR
                visit.note = self.rng.choice(APPOINTMENT_NOTES)  # free text: never a name
                request.step(
                    UpdateKind.APPOINTMENT,
                    assigned + (start - assigned) * 0.1,
                    self.window(visit),
                    request.owner,
                )
            if late_notice:
                self._announce_delay(request, delay_at)
            visit.status, visit.started, visit.completed = VisitStatus.COMPLETED, started, done
            visit.findings = rng.choice(FINDINGS.get(kind.code) or ["현장 확인"])
            visit.work_done = request.resolution
            request.step(UpdateKind.ON_SITE, started, actor=visit.crew[0] if visit.crew else None)
        elif late_notice:
            self._announce_delay(request, delay_at)
        request.step(UpdateKind.COMPLETED, done, request.resolution, request.owner)

    def _schedule(self, request: _Request, assigned: datetime) -> None:
        visit = request.visit
        if visit is None:
            request.status = RequestStatus.ASSIGNED
            return
        now = self.now
        if request.type.emergency:
            start = max(assigned, now - timedelta(minutes=10))
            visit.start, visit.end = start, start + HOUR
            visit.note = "긴급 출동"
        else:
            if request.due > now:
                window = self.cal.business_seconds_between(now, request.due)
                target = self.office_time_after(now, self.rng.uniform(0.2, 0.8) * window)
            else:
                target = now + timedelta(hours=self.rng.uniform(2, 30))
            start = self.slot(target)
            visit.start, visit.end = start, start + 2 * HOUR
            visit.note = self.rng.choice(APPOINTMENT_NOTES)  # free text: never a name
        # Arranged by phone during office hours, soon after the request was assigned.
        arranged = max(
            assigned, min(self.office_time_after(assigned, self.rng.uniform(600, 4 * 3600)), now - MINUTE)
        )
        request.step(UpdateKind.APPOINTMENT, arranged, self.window(visit), request.owner)
        if visit.end > request.due:
            self._announce_delay(request, request.steps[-1][1])

    def _wait(self, request: _Request, assigned: datetime) -> None:
        rng = self.rng
        request.paused = self.between(assigned, self.now - MINUTE, 0.1, 0.9)
        request.remaining = self.cal.remaining_seconds(request.paused, request.due, request.type.unit)
        group = TypeGroup.DISPATCH if request.type.dispatch else TypeGroup.ADMINISTRATIVE
        request.step(UpdateKind.WAITING, request.paused, rng.choice(WAITING_NOTES[group]), request.owner)
        if request.visit is not None:
            request.visit.note = "고객 연락 대기"

    def _announce_delay(self, request: _Request, at: datetime) -> None:
        at = max(at, request.steps[-1][1])
        if at > self.now:
            return
        request.delay_noticed = at
        request.step(UpdateKind.DELAYED, at, self.rng.choice(DELAY_NOTES), request.owner)

    def _companion(self, primary: _Request) -> _Request:
        """Another problem of the same household, told in the same call: it goes on the same visit."""
        kinds = [t for t in self.dispatch_types if t.code != primary.type.code]
        kind = self.rng.choices(kinds, weights=[TYPE_VOLUMES.get(t.code, 1) for t in kinds])[0]
        received = primary.received + timedelta(minutes=1 + self.rng.random() * 3)
        companion = _Request(
            type=kind,
            premise=primary.premise,
            office=primary.office,
            holder=primary.holder,
            channel=primary.channel,
            origin=primary.origin,
            received=received,
            due=self.due(kind, received),
            contact=primary.contact,
            created_by=primary.created_by,
            visit=primary.visit,
        )
        companion.details = self._details(kind, received)
        companion.description = self._describe(companion)
        return companion

    def _follow(self, companion: _Request, primary: _Request) -> None:
        """The companion shares the primary's visit, owner and fate."""
        self.requests.append(companion)
        companion.step(UpdateKind.RECEIVED, companion.received, actor=companion.created_by)
        companion.status, companion.owner = primary.status, primary.owner
        companion.completed, companion.paused = primary.completed, primary.paused
        if companion.completed is not None:  # a primary done within minutes of the call
            companion.completed = max(companion.completed, companion.received + MINUTE)
        if primary.paused is not None:
            companion.remaining = self.cal.remaining_seconds(
                primary.paused, companion.due, companion.type.unit
            )
        if primary.status == RequestStatus.COMPLETED:
            companion.resolution = self._resolution(companion)
            if companion.visit is not None:
                companion.visit.work_done += f" / {companion.resolution}"
        for kind, at, note, actor in primary.steps[1:]:
            if kind == UpdateKind.COMPLETED:
                note = companion.resolution
            if kind != UpdateKind.DELAYED:  # the delay was the primary's
                companion.step(kind, at, note, actor)

    def _survey(self, request: _Request) -> None:
        """The Happy Call after completion; an unsatisfied answer brings a revisit the next business day."""
        rng, now = self.rng, self.now
        if rng.random() >= SURVEY_SHARE:
            return
        scheduled = request.completed + self.survey_delay
        if scheduled > now or (now - request.completed < DAY and rng.random() < 0.5):
            request.survey = _survey_row(SurveyStatus.SCHEDULED, scheduled)  # on today's call list
            return
        if rng.random() < UNREACHABLE_SHARE:
            request.survey = _survey_row(SurveyStatus.UNREACHABLE, scheduled, attempts=3, caller=self.agent)
            return
        if rng.random() < 0.75:
            via, attempts, caller = AnsweredVia.CALL, 1 + int(rng.random() < 0.3), self.agent
            answered = scheduled + timedelta(minutes=rng.uniform(0, 50))
        else:
            via, attempts, caller = AnsweredVia.LINK, 0, None
            answered = scheduled + timedelta(minutes=rng.uniform(5, 480))
        answered = max(scheduled, min(answered, now - MINUTE))
        satisfied = rng.random() < SATISFIED_SHARE
        if satisfied:
            scores = rng.choices([5, 4, 3], weights=[62, 33, 5], k=4)
            comment = rng.choice(PRAISE) if rng.random() < 0.1 else ""
        else:
            scores = rng.choices([3, 2, 1], weights=[25, 45, 30], k=4)
            scores[3] = rng.choice([1, 2])
            comment = rng.choice(UNSATISFIED_COMMENTS)
        at = request.step(UpdateKind.SURVEY, answered, actor=caller)
        revisit = None
        if not satisfied:
            revisit = self._revisit(request, at, via, caller, comment)
            request.step(UpdateKind.REVISIT, at, revisit, caller)
        request.survey = _survey_row(
            SurveyStatus.ANSWERED, scheduled, at, via, attempts, caller, satisfied, scores, comment, revisit
        )

    def _revisit(
        self, original: _Request, at: datetime, via: str, caller: int | None, comment: str
    ) -> _Request:
        self.revisits += 1
        kind = original.type
        revisit = _Request(
            type=kind,
            premise=original.premise,
            office=original.office,
            holder=original.holder,
            channel=Channel.PHONE if via == AnsweredVia.CALL else Channel.WEB,
            origin=original.origin,
            received=at,
            due=self.cal.add_business_days(at, 1),
            contact=original.contact,
            created_by=caller,
            parent=original,
            link_kind=LinkKind.REVISIT,
            description=f"재방문: {comment}",
            details=dict(original.details),
        )
        if original.visit is not None:
            revisit.visit = _Visit(
                premise=original.visit.premise,
                office=original.visit.office,
                created_at=at,
                created_by=caller,
                crew=original.visit.crew,
            )
            self.visits.append(revisit.visit)
        # Done the next business day, unless that is still to come.
        day = self.cal.next_business_day(at.astimezone(self.tz).date())
        done = datetime.combine(day, time(10), tzinfo=self.tz) + timedelta(minutes=self.rng.randint(0, 360))
        if done <= self.now:
            revisit.status, revisit.completed = RequestStatus.COMPLETED, done
        else:
            revisit.status = RequestStatus.SCHEDULED if revisit.visit is not None else RequestStatus.ASSIGNED
        self.build(revisit)
        return revisit

    def _found_on_site(self, original: _Request) -> None:
        """A problem the crew found beyond what was asked: fixed at once, or handed on as a new request."""
        rng, visit = self.rng, original.visit
        codes = [
            c
            for c in FOUND_TYPES.get(original.type.code, ["leak_diagnosis", "indoor_piping"])
            if c in self.types
        ]
        if not codes or visit.completed is None:
            return
        self.found += 1
        kind = self.types[rng.choice(codes)]
        received = max(visit.started, visit.completed - timedelta(minutes=rng.randint(3, 15)))
        found = _Request(
            type=kind,
            premise=original.premise,
            office=None if kind.central else original.office,
            holder=original.holder,
            channel=Channel.FIELD,
            origin=original.origin,
            received=received,
            due=self.due(kind, received),
            contact=original.contact,
            created_by=visit.crew[0] if visit.crew else None,
            parent=original,
            link_kind=LinkKind.FOUND_ON_SITE,
            description=FOUND_DESCRIPTIONS.get(kind.code, "현장에서 추가 문제를 발견했습니다."),
        )
        found.details = self._details(kind, received)
        crew_skills = frozenset().union(*(self.skills_of.get(member, ()) for member in visit.crew))
        if kind.dispatch and kind.skills <= crew_skills and rng.random() < 0.5:  # fixed on the spot
            found.visit = visit
            found.status, found.completed = RequestStatus.COMPLETED, visit.completed
            found.created_by = found.created_by or original.owner
            self.requests.append(found)
            found.step(UpdateKind.RECEIVED, received, actor=found.created_by)
            found.owner = found.created_by
            found.resolution = self._resolution(found)
            found.step(UpdateKind.COMPLETED, visit.completed, found.resolution, found.owner)
            self._survey(found)
            return
        self.decide(found)
        self.build(found)


def _apportion(total: int, weights: list[int]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), so the mix is exact."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _survey_row(
    status: str,
    scheduled: datetime,
    answered: datetime | None = None,
    via: str = "",
    attempts: int = 0,
    caller: int | None = None,
    satisfied: bool | None = None,
    scores: list[int | None] = (None, None, None, None),
    comment: str = "",
    revisit: _Request | None = None,
) -> tuple:
    """Survey columns after request and token, in SURVEY_FIELDS order (the revisit still an object)."""
    return (status, scheduled, answered, via, attempts, caller, satisfied, *scores, comment, revisit)

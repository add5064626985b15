"""Demo requests: a few years of the service desk in the demo city, loaded with the city."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from servicedesk.choices import Channel, LinkKind, RequestStatus, SurveyStatus, TypeGroup, VisitStatus
from servicedesk.demo import load_demo_requests
from servicedesk.models import RequestUpdate, ServiceRequest, Survey, Visit
from staff.models import BranchOffice, Skill, User

PREMISES = 200


def load(seed: int = 3, **options) -> str:
    out = io.StringIO()
    call_command("load_demo_city", premises=PREMISES, seed=seed, stdout=out, **options)
    return out.getvalue()


def type_counts() -> Counter:
    return Counter(ServiceRequest.objects.values_list("type__code", flat=True))


def test_a_few_years_of_requests_in_the_seoul_mix(db):
    output = load()
    requests = ServiceRequest.objects.all()
    total = requests.count()
    # About half a request per premise and year, over three years.
    assert 0.5 * PREMISES * 3 * 0.9 < total < 0.5 * PREMISES * 3 * 1.5
    assert "Service desk:" in output and re.search(rf"requests\s+{total:,}\n", output)

    counts = type_counts()
    admin = Counter(
        requests.filter(type__group=TypeGroup.ADMINISTRATIVE).values_list("type__code", flat=True)
    )
    works = Counter(requests.filter(type__group=TypeGroup.DISPATCH).values_list("type__code", flat=True))
    assert {code for code, _n in admin.most_common(2)} == {"auto_payment", "name_change"}
    assert works.most_common(1)[0][0] == "leak_diagnosis"
    assert 0.1 < sum(works.values()) / total < 0.3  # Seoul: 93,748 of 494,382
    assert counts["emergency_leak"] >= 1

    channels = Counter(requests.values_list("channel", flat=True))
    assert channels[Channel.PHONE] >= 0.8 * total
    assert requests.filter(channel=Channel.PROACTIVE).exclude(type__code="leak_diagnosis").count() == 0

    # Moving season: March and April are the busiest months (the last weeks, kept busy for the
    # consoles, aside).
    settled = requests.filter(received_at__lt=timezone.now() - timedelta(days=30))
    months = Counter(timezone.localtime(at).month for at in settled.values_list("received_at", flat=True))
    assert (months[3] + months[4]) / settled.count() > 1.2 * 2 / 12

    # What the model's constraints say, and what the status page needs.
    now = timezone.now()
    assert not requests.filter(status=RequestStatus.COMPLETED, completed_at__isnull=True).exists()
    assert not requests.filter(completed_at__lt=F("received_at")).exists()
    assert not requests.filter(received_at__gt=now).exists()
    assert not requests.filter(parent__isnull=True).exclude(link_kind="").exists()
    on_time = requests.filter(status=RequestStatus.COMPLETED, completed_at__lte=F("due_at")).count()
    assert 0.85 < on_time / requests.filter(status=RequestStatus.COMPLETED).count() < 0.99
    assert not requests.annotate(n=Count("updates")).filter(n=0).exists()
    steps = RequestUpdate.objects.order_by("request_id", "at", "id").values_list("request_id", "kind")
    first = {}
    for request_id, kind in steps:
        first.setdefault(request_id, kind)
    assert set(first.values()) == {"received"}

    # Every works request has its visit; completed visits had a crew with the skills needed.
    assert not requests.filter(type__needs_visit=True, visit__isnull=True).exists()
    shared = Visit.objects.annotate(n=Count("requests")).filter(n__gt=1)
    assert shared.exists()  # compound complaints: one visit for the household's problems
    for visit in Visit.objects.filter(status=VisitStatus.COMPLETED).prefetch_related(
        "crew__skills", "requests__type__skills"
    ):
        have = {skill.code for member in visit.crew.all() for skill in member.skills.all()}
        needed = {skill.code for r in visit.requests.all() for skill in r.type.skills.all()}
        assert visit.crew.exists() and needed <= have, visit.number
        assert visit.started_at <= visit.completed_at

    # Happy Calls: mostly satisfied, and every unsatisfied answer brought a revisit.
    surveys = Survey.objects.all()
    completed = requests.filter(status=RequestStatus.COMPLETED).count()
    assert 0.6 < surveys.count() / completed < 0.8
    answered = surveys.filter(status=SurveyStatus.ANSWERED)
    assert answered.filter(satisfied=True).count() / answered.count() > 0.9
    for survey in surveys.filter(satisfied=False).select_related("revisit", "request"):
        assert survey.revisit is not None
        assert survey.revisit.parent_id == survey.request_id and survey.revisit.link_kind == LinkKind.REVISIT
        assert survey.revisit.type_id == survey.request.type_id
    assert not surveys.filter(satisfied=True, revisit__isnull=False).exists()

    # Open work for the consoles: unassigned, overdue, visits arranged, waiting for the citizen.
    open_requests = requests.filter(status__in=["received", "assigned", "scheduled", "waiting"])
    assert open_requests.filter(status=RequestStatus.RECEIVED, owner__isnull=True).exists()
    assert open_requests.filter(due_at__lt=now).exists()
    assert open_requests.filter(status=RequestStatus.SCHEDULED, visit__appointment_start__gt=now).exists()
    waiting = open_requests.filter(status=RequestStatus.WAITING)
    assert waiting.exists() and not waiting.filter(paused_at__isnull=True).exists()
    assert not waiting.filter(remaining_seconds__isnull=True).exists()
    assert Visit.objects.filter(crew__username="crew", status=VisitStatus.PLANNED).exists()
    assert open_requests.filter(owner__username="clerk").exists()


def test_field_crews_cover_every_skill_twice_per_office(db):
    load()
    skills = set(Skill.objects.values_list("code", flat=True))
    assert skills == {"leak", "meter", "quality", "plumbing", "works"}
    for office in BranchOffice.objects.all():
        crew = User.objects.filter(
            office=office, groups__name="crew", username__startswith="crew" + office.code
        )
        assert crew.count() == 4
        for member in crew:
            assert not member.has_usable_password() and member.full_name
        for skill in skills:
            assert crew.filter(skills__code=skill).count() >= 2, (office.code, skill)
    assert set(User.objects.get(username="crew").skills.values_list("code", flat=True)) == {
        "leak",
        "plumbing",
    }


def test_same_seed_same_requests_and_loading_again(db):
    load()
    first = type_counts(), Counter(ServiceRequest.objects.values_list("channel", flat=True))
    users = User.objects.count()
    output = load(flush=True)
    assert (type_counts(), Counter(ServiceRequest.objects.values_list("channel", flat=True))) == first
    assert User.objects.count() == users  # the crews are there already
    assert "crews" in output
    # The flush restarted the numbers.
    assert ServiceRequest.objects.order_by("received_at").first().number[3:10] == "0000001"
    load(seed=4, flush=True)
    assert (
        type_counts() != first[0]
        or Counter(ServiceRequest.objects.values_list("channel", flat=True)) != first[1]
    )
    # Loading requests again on the same city adds to them, with new numbers; here a year ending earlier.
    before = ServiceRequest.objects.count()
    last_id = ServiceRequest.objects.order_by("-id").values_list("id", flat=True)[0]
    counts = load_demo_requests(seed=5, years=1, today=date(2025, 6, 30))
    assert counts["requests"] > 0 and counts["crews"] == 0
    assert ServiceRequest.objects.count() == before + counts["requests"]
    assert ServiceRequest.objects.values("number").distinct().count() == ServiceRequest.objects.count()
    added = ServiceRequest.objects.filter(id__gt=last_id)
    seoul = timezone.get_current_timezone()
    assert not added.filter(received_at__gt=datetime(2025, 6, 30, 18, tzinfo=seoul)).exists()
    assert not added.filter(received_at__lt=datetime(2024, 7, 1, tzinfo=seoul)).exists()
    assert not added.filter(completed_at__gt=datetime(2025, 6, 30, 18, tzinfo=seoul)).exists()


def test_years_must_be_positive(db):
    with pytest.raises(ValueError):
        load_demo_requests(seed=1, years=0)

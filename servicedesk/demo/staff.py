"""The demo's field crews and desk clerks: every skill covered twice in each office."""

from __future__ import annotations

import bisect
import random
from itertools import accumulate

from django.contrib.auth.models import Group

from customers.demo_city.people import GIVEN_NAMES, SURNAMES
from staff.models import BranchOffice, Skill, User
from staff.roles import Role

from .figures import CREW_SKILLS, DEMO_CREW_SKILLS

# Staff


_SURNAME_WEIGHTS = list(accumulate(row[2] for row in SURNAMES))


def _korean_name(rng: random.Random) -> str:
    surname = SURNAMES[bisect.bisect(_SURNAME_WEIGHTS, rng.random() * _SURNAME_WEIGHTS[-1])][0]
    return surname + GIVEN_NAMES[int(rng.random() * len(GIVEN_NAMES))][0]


def _ensure_staff(offices: list[BranchOffice], rng: random.Random) -> int:
    """Four field crews and two desk clerks per office, skipping those already there; returns crews made."""
    skills = {skill.code: skill.pk for skill in Skill.objects.all()}
    groups = {group.name: group.pk for group in Group.objects.filter(name__in=[Role.CREW, Role.CLERK])}
    existing = set(User.objects.values_list("username", flat=True))
    demo_clerk_office = User.objects.filter(username="clerk").values_list("office_id", flat=True).first()
    wanted: list[tuple[User, str, tuple[str, ...]]] = []
    for office in offices:
        for letter, crew_skills in zip("abcd", CREW_SKILLS, strict=True):
            wanted.append(
                (User(username=f"crew{office.code}{letter}", office=office), Role.CREW, crew_skills)
            )
        # The demo login "clerk" is one of its office's two clerks.
        letters = "b" if office.pk == demo_clerk_office else "ab"
        wanted += [
            (User(username=f"clerk{office.code}{letter}", office=office), Role.CLERK, ())
            for letter in letters
        ]
    new = []
    for user, role, crew_skills in wanted:
        name = _korean_name(rng)  # drawn for every user, so names do not shift when some exist
        if user.username in existing:
            continue
        user.full_name = name
        user.set_unusable_password()
        new.append((user, role, crew_skills))
    User.objects.bulk_create([user for user, _role, _skills in new])
    made = dict(User.objects.filter(username__in=[u.username for u, *_ in new]).values_list("username", "pk"))
    User.groups.through.objects.bulk_create(
        [
            User.groups.through(user_id=made[user.username], group_id=groups[role])
            for user, role, _skills in new
            if role in groups
        ]
    )
    User.skills.through.objects.bulk_create(
        [
            User.skills.through(user_id=made[user.username], skill_id=skills[code])
            for user, _role, crew_skills in new
            for code in crew_skills
            if code in skills
        ]
    )
    demo_crew = User.objects.filter(username="crew").first()
    if demo_crew is not None:
        demo_crew.skills.add(*[skills[code] for code in DEMO_CREW_SKILLS if code in skills])
    return sum(1 for _user, role, _skills in new if role == Role.CREW)

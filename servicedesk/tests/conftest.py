"""Fixtures of the service desk: the seeded catalogue, a household, and a crew with skills."""

import pytest
from django.contrib.auth.models import Group

from servicedesk.models import RequestType
from staff.models import Skill
from staff.roles import Role


@pytest.fixture
def types(db):
    """The request catalogue installed by the migrations, by code."""
    return {kind.code: kind for kind in RequestType.objects.all()}


@pytest.fixture
def household(city):
    """A premise with an open account whose holder takes SMS notices."""
    account = city.account(name="홍길동", phone="010-1234-5678", consent_sms=True)
    return account.premise


def make_crew(django_user_model, city, username, *skill_codes):
    user = django_user_model.objects.create_user(
        username=username, password="pw", full_name=username, office=city.office
    )
    user.groups.add(Group.objects.get(name=Role.CREW))
    user.skills.set(Skill.objects.filter(code__in=skill_codes))
    return user


@pytest.fixture
def leak_crew(db, django_user_model, city):
    return make_crew(django_user_model, city, "crew_leak", "leak")


@pytest.fixture
def plumbing_crew(db, django_user_model, city):
    return make_crew(django_user_model, city, "crew_pipe", "plumbing")

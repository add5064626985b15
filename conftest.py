"""Shared fixtures: named personas for every role (and one who must be denied),
and a tiny registry to operate on."""

import os

# Tests never need a real secret; production refuses to start without one.
os.environ.setdefault("SECRET_KEY", "tests-only-secret")

import datetime as dt

import pytest

from staff.roles import Role

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _fixed_today(request):
    """Business dates are checked against today; freeze it so tests do not age.

    Tests of the clock itself can opt out with @pytest.mark.real_clock.
    """
    if "real_clock" in request.keywords:
        yield
        return
    import time_machine

    with time_machine.travel(
        dt.datetime(2026, 11, 23, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=9))), tick=True
    ):
        yield


@pytest.fixture(autouse=True)
def _fresh_business_calendar():
    """A test's rolled-back closures must not linger in the in-process calendar cache."""
    from core.calendar import invalidate_business_calendar

    invalidate_business_calendar()
    yield
    invalidate_business_calendar()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The real hasher is slow on purpose; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_unless_chosen():
    """Assertions on messages read in English; tests of Korean pick it explicitly.

    (The console itself defaults to Korean: requests choose their language in LocaleMiddleware.)
    """
    from django.utils import translation

    with translation.override("en"):
        yield


def _make_user(django_user_model, username, role=None, **extra):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username=username, password="pw", full_name=username, **extra
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def agent(db, django_user_model):
    return _make_user(django_user_model, "agent_kim", Role.AGENT)


@pytest.fixture
def clerk(db, django_user_model):
    return _make_user(django_user_model, "clerk_lee", Role.CLERK)


@pytest.fixture
def crew(db, django_user_model):
    return _make_user(django_user_model, "crew_park", Role.CREW)


@pytest.fixture
def supervisor(db, django_user_model):
    return _make_user(django_user_model, "supervisor_choi", Role.SUPERVISOR)


@pytest.fixture
def billing_officer(db, django_user_model):
    return _make_user(django_user_model, "billing_jung", Role.BILLING)


@pytest.fixture
def administrator(db, django_user_model):
    return _make_user(django_user_model, "admin_han", Role.ADMIN, is_staff=True)


@pytest.fixture
def outsider(db, django_user_model):
    """Logged in, but holds no role: must be denied everything."""
    return _make_user(django_user_model, "outsider")


@pytest.fixture
def city(db):
    """One office, one district, one route, and helpers to add premises with meters."""
    from customers.tests.builders import CityBuilder

    return CityBuilder.create()

"""`make demo` loads the city once and keeps it on later runs; the printed logins work."""

import io

from django.core.management import call_command

from customers.models import Premise
from staff.demo import DEMO_PASSWORD, DEMO_USERS


def test_demo_setup_loads_once_then_keeps_the_city(db, client):
    out = io.StringIO()
    call_command("demo_setup", premises=60, stdout=out)
    assert Premise.objects.count() == 60
    for user in DEMO_USERS:
        assert user.username in out.getvalue()
    call_command("demo_setup", premises=500, stdout=(again := io.StringIO()))
    assert Premise.objects.count() == 60 and "keeping it" in again.getvalue()
    response = client.post("/login/", {"username": "agent", "password": DEMO_PASSWORD})
    assert response.status_code == 302, "the printed demo login must work"

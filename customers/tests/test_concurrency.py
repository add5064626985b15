"""Two agents acting on one premise at the same moment: the database keeps one open account."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from customers import actions
from customers.models import Account


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_starts_on_one_premise_open_one_account(city):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers anyway")
    premise = city.premise()
    barrier = threading.Barrier(2)
    outcomes = []

    def start(name):
        try:
            barrier.wait()
            actions.start_service(
                premise=premise,
                customer=actions.CustomerDetails(name=name),
                use_type="domestic",
                on=dt.date(2026, 11, 1),
                start_reading=0,
                acting_user=None,
            )
            outcomes.append("opened")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start, args=(n,)) for n in ("홍길동", "김철수")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["opened", "refused"]
    assert Account.objects.filter(premise=premise).count() == 1

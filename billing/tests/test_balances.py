"""What each bill still owes (BillBalance): opened by the run, moved by every change, gone once settled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.utils import IntegrityError

from billing import actions
from billing.balances import add_to_owed
from billing.choices import BillStatus
from billing.models import Bill, BillBalance

from .test_billing_run import bill_of, progressive, read, run, seoul  # noqa: F401 (fixtures)

MAR, APR = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def balances(*bills) -> list[int | None]:
    rows = dict(BillBalance.objects.filter(bill__in=bills).values_list("bill_id", "owed"))
    return [rows.get(bill.pk) for bill in bills]


@pytest.fixture
def two_months(city, seoul):  # noqa: F811
    account = city.account(on=dt.date(2026, 1, 1), reading=0)
    read(account, 15, dt.date(2026, 3, 6))
    run(city, MAR)
    read(account, 30, dt.date(2026, 4, 5))
    run(city, APR)
    return account


def test_the_run_opens_a_balance_of_its_total_for_each_bill_it_issues(two_months):
    march, april = bill_of(two_months, MAR), bill_of(two_months, APR)
    assert balances(march, april) == [march.total, april.total]
    balance = BillBalance.objects.get(bill=april)
    assert (balance.account_id, balance.due_on) == (april.account_id, april.due_on)
    assert (april.owed, april.paid) == (april.total, 0)


def test_an_adjustment_moves_what_is_owed_and_a_cancelled_bill_owes_nothing(two_months, billing_officer):
    april = bill_of(two_months, APR)
    actions.adjust_bill(april, amount=-1_000, reason="검침 오류 보정", acting_user=billing_officer)
    assert balances(april) == [april.total - 1_000]
    actions.cancel_bill(april, reason="오검침", acting_user=billing_officer)
    assert balances(april) == [None]
    cancelled = Bill.objects.select_related("balance").get(pk=april.pk)
    assert (cancelled.status, cancelled.owed, cancelled.paid) == (BillStatus.CANCELLED, 0, 0)


def test_owed_reaching_zero_deletes_the_row_and_leaving_zero_makes_it_again(two_months):
    march, april = bill_of(two_months, MAR), bill_of(two_months, APR)
    add_to_owed([march.pk, april.pk, april.pk], [-march.total, -100, -200])  # a bill may repeat
    assert balances(march, april) == [None, april.total - 300]
    add_to_owed([march.pk], [500])  # released again
    balance = BillBalance.objects.get(bill=march)
    assert (balance.owed, balance.account_id, balance.due_on) == (500, march.account_id, march.due_on)
    add_to_owed([march.pk, april.pk], [0, 0])  # nothing changes
    assert balances(march, april) == [500, april.total - 300]


def test_a_settled_balance_cannot_be_kept(two_months):
    with pytest.raises(IntegrityError):
        BillBalance.objects.filter(bill=bill_of(two_months, MAR)).update(owed=0)

"""The ledger's invariant under random sequences of bills, payments, reversals, reductions, cancellations and refunds.

After every step, for the account:
- every bill's ``paid`` and every payment's ``allocated`` equal their active allocations,
  within bounds (a bill is never paid beyond its total and fee; a cancelled bill and a
  reversed payment hold none);
- balance = Σ issued bills (with adjustments) + Σ late fees − Σ payments not reversed + Σ refunds
  = what the bills still owe − the credit;
- credit and an owed bill never stand side by side (the credit would have paid it).
"""

from __future__ import annotations

import itertools

from django.db.models import Q, Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.balances import add_to_owed
from billing.choices import BillStatus
from billing.models import Bill
from billing.signals import bills_changed
from collection.actions import record_payment, reverse_payment
from collection.choices import PaymentStatus
from collection.ledger import position
from collection.models import Allocation, Payment, Refund, RefundPart
from collection.refunds import refund_credit
from collection.tests.builders import at, issue_bill

_refs = itertools.count(1)

won = st.integers(min_value=1, max_value=200_000)
step = st.one_of(
    st.tuples(st.just("bill"), won),
    st.tuples(st.just("pay"), won),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=50)),
    st.tuples(st.just("reduce"), st.integers(min_value=0, max_value=50), st.integers(1, 100)),
    st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=50)),
    st.tuples(st.just("refund"), st.integers(1, 100)),  # this share of the credit, in cash
)


def apply(account, move) -> None:
    kind = move[0]
    if kind == "bill":
        issue_bill(account, move[1])
    elif kind == "pay":
        record_payment(
            account,
            amount=move[1],
            source="card",
            reference=f"P{next(_refs)}",
            received_at=at(),
            acting_user=None,
        )
    elif kind == "refund":
        credit = position(account.pk).credit
        if credit * move[1] // 100 > 0:
            refund_credit(
                account, amount=credit * move[1] // 100, method="cash", reason="test", acting_user=None
            )
    elif kind == "reverse":
        # A payment partly refunded cannot be reversed as a whole (refunds.py).
        payments = list(
            Payment.objects.filter(account=account, refunded=0)
            .exclude(status=PaymentStatus.REVERSED)
            .order_by("id")
        )
        if payments:
            reverse_payment(payments[move[1] % len(payments)], reason="test", acting_user=None)
    else:
        bills = list(Bill.objects.filter(account=account, status=BillStatus.ISSUED).order_by("id"))
        if not bills:
            return
        bill = bills[move[1] % len(bills)]
        if kind == "reduce":  # as billing's adjustment does: total and adjustments move together
            cut = bill.total * move[2] // 100
            Bill.objects.filter(pk=bill.pk).update(total=bill.total - cut, adjustments=bill.adjustments - cut)
            add_to_owed([bill.pk], [-cut])
        else:  # as billing's cancel_bill does
            Bill.objects.filter(pk=bill.pk).update(status=BillStatus.CANCELLED, cancelled_at=timezone.now())
            add_to_owed([bill.pk], [-(bill.total + bill.late_fee)])
        bills_changed.send(sender=Bill, account_ids=[account.pk])


def check(account) -> None:
    active = Allocation.objects.filter(released_at__isnull=True)
    for bill in Bill.objects.filter(account=account).select_related("balance"):
        allocated = active.filter(bill=bill).aggregate(s=Sum("amount"))["s"] or 0
        assert bill.paid == allocated  # what the balance says it still owes is what it asks − its allocations
        if bill.owed:
            assert (bill.balance.account_id, bill.balance.due_on) == (bill.account_id, bill.due_on)
        if bill.status == BillStatus.CANCELLED:
            assert bill.paid == 0
        else:
            assert 0 <= bill.paid <= bill.total + bill.late_fee
    for payment in Payment.objects.filter(account=account):
        allocated = active.filter(payment=payment).aggregate(s=Sum("amount"))["s"] or 0
        assert payment.allocated == allocated
        refunded = RefundPart.objects.filter(payment=payment).aggregate(s=Sum("amount"))["s"] or 0
        assert payment.refunded == refunded
        assert 0 <= payment.allocated <= payment.amount - payment.refunded
        if payment.status == PaymentStatus.REVERSED:
            assert payment.allocated == 0
    issued = Bill.objects.filter(account=account, status=BillStatus.ISSUED).aggregate(
        s=Sum("total"), f=Sum("late_fee")
    )
    payments = Payment.objects.filter(account=account).filter(~Q(status=PaymentStatus.REVERSED))
    paid_in = payments.aggregate(s=Sum("amount"))["s"] or 0
    refunds = Refund.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0
    where = position(account.pk)
    assert where.balance == (issued["s"] or 0) + (issued["f"] or 0) - paid_in + refunds
    assert where.credit == 0 or where.owed == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(step, min_size=1, max_size=14))
def test_the_ledger_always_adds_up(city, moves):
    account = city.account()  # a fresh account for every example
    for move in moves:
        apply(account, move)
        check(account)

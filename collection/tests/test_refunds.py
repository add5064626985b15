"""Refunds give back credit only, from the newest payments first, and keep the ledger whole."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from collection.actions import record_payment, reverse_payment
from collection.ledger import position
from collection.models import Payment, Refund
from collection.refunds import refund_credit
from collection.tests.builders import at, issue_bill
from core.models import AuditEvent


def pay(account, amount, reference, day=1):
    return record_payment(account, amount=amount, source="card", reference=reference, received_at=at(day),
                          acting_user=None).payment  # fmt: skip


def test_a_refund_takes_the_newest_credit_and_the_balance_rises_by_it(city):
    account = city.account()
    issue_bill(account, 10_000)
    older, newer = pay(account, 12_000, "A", day=1), pay(account, 5_000, "B", day=2)
    assert position(account.pk).credit == 7_000
    refund = refund_credit(account, amount=6_000, method="bank_transfer", bank="088", bank_account="110-123-456789",
                           holder="홍길동", reason="moved away, overpaid", acting_user=None)  # fmt: skip
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (newer.refunded, older.refunded) == (5_000, 1_000)
    assert refund.bank_account == "110123456789"
    assert position(account.pk).credit == 1_000 and position(account.pk).balance == -1_000
    event = AuditEvent.objects.get(action="payment.credit_refunded")
    assert event.household_id == account.premise_id and "456789" not in str(event.details)


def test_no_more_than_the_credit_is_refunded(city):
    account = city.account()
    issue_bill(account, 10_000)
    pay(account, 11_000, "A")
    with pytest.raises(ValidationError, match="holds 1,000 won of credit"):
        refund_credit(account, amount=1_001, method="cash", reason="r", acting_user=None)
    assert not Refund.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": 0, "method": "cash", "reason": "r"}, "amount"),
        ({"amount": 100, "method": "cash", "reason": " "}, "reason"),
        ({"amount": 100, "method": "cheque", "reason": "r"}, "method"),
        ({"amount": 100, "method": "bank_transfer", "reason": "r", "bank": "999", "bank_account": "1234567890",
          "holder": "김"}, None),
        ({"amount": 100, "method": "bank_transfer", "reason": "r", "bank": "088", "bank_account": "12345",
          "holder": "김"}, "bank_account"),
        ({"amount": 100, "method": "bank_transfer", "reason": "r", "bank": "088", "bank_account": "1234567890",
          "holder": ""}, "holder"),
    ],
)  # fmt: skip
def test_a_refund_request_missing_something_is_refused_with_its_reason(city, kwargs, field):
    account = city.account()
    pay(account, 5_000, "A")
    with pytest.raises(ValidationError) as refused:
        refund_credit(account, acting_user=None, **kwargs)
    if field:
        assert field in refused.value.message_dict
    assert not Refund.objects.exists()


def test_a_partly_refunded_payment_cannot_be_reversed_whole(city):
    account = city.account()
    payment = pay(account, 5_000, "A")
    refund_credit(account, amount=2_000, method="cash", reason="r", acting_user=None)
    with pytest.raises(ValidationError, match="was refunded"):
        reverse_payment(Payment.objects.get(pk=payment.pk), reason="bounced", acting_user=None)
    assert Payment.objects.get(pk=payment.pk).status == "posted"

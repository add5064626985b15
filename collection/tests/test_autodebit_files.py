"""Debit-request files and the banks' result files: which bills are asked for, and what each result does."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from billing.balances import add_to_owed
from billing.models import Bill
from collection.autodebit.mandates import cancel_auto_debit, enrol_auto_debit
from collection.autodebit.requests import (
    export_debit_requests,
    make_debit_requests,
    progress,
    reference_for,
    withdraw_debit_requests,
)
from collection.autodebit.results import import_debit_results
from collection.choices import DebitLineStatus, MandateEndReason, PaymentSource
from collection.ledger import position
from collection.models import DebitRequest, DebitRequestLine, Mandate, Payment, PaymentFile
from collection.tests.builders import issue_bill
from core.models import AuditEvent, Notification
from customers.choices import PaymentMethod

D = dt.date
TODAY = D(2026, 11, 23)
DUE = D(2026, 11, 25)
ACCOUNTS = [("우리은행", "2770-{account}"), ("신한은행", "5620-{account}")]
RESULT_HEADER = "reference,result,amount,debited_at,message\n"


def enrolled(city, *, starts_on=TODAY, bank_account="110123455678", **customer):
    account = city.account(**customer)
    enrol_auto_debit(
        account,
        bank="088",
        bank_account=bank_account,
        holder_name="홍길동",
        starts_on=starts_on,
        acting_user=None,
    )
    return account


def rows(content: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content)))


def results(*lines: str) -> bytes:
    return (RESULT_HEADER + "\n".join(lines) + "\n").encode()


def owed(bill) -> int:
    return Bill.objects.select_related("balance").get(pk=bill.pk).owed


# --- the request file --------------------------------------------------------------------------


def test_the_file_asks_for_what_each_bill_due_that_day_still_owes(city, billing_officer):
    debited = enrolled(city)
    bill = issue_bill(debited, 30_000, due_on=DUE)
    partly = enrolled(city, bank_account="3333012345678")
    part_bill = issue_bill(partly, 20_000, due_on=DUE)
    Payment.objects.create(
        account=partly, source=PaymentSource.CASHIER, reference="R1", amount=5_000, status="posted",
        received_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )  # fmt: skip
    from collection.ledger import settle

    settle([partly.pk])
    paid_up = enrolled(city, bank_account="1002003004005")
    paid_bill = issue_bill(paid_up, 10_000, due_on=DUE)
    add_to_owed([paid_bill.pk], [-10_000])  # paid in full
    direct = city.account()
    issue_bill(direct, 40_000, due_on=DUE)
    other_day = enrolled(city, bank_account="1002003004006")
    issue_bill(other_day, 15_000, due_on=D(2026, 11, 26))
    not_yet = enrolled(city, starts_on=D(2026, 11, 26), bank_account="1002003004007")
    issue_bill(not_yet, 11_000, due_on=DUE)
    ended = enrolled(city, bank_account="1002003004008")
    issue_bill(ended, 12_000, due_on=DUE)
    cancel_auto_debit(
        Mandate.objects.get(account=ended), reason=MandateEndReason.CUSTOMER_REQUEST, acting_user=None
    )
    cancelled_bill = issue_bill(enrolled(city, bank_account="1002003004009"), 9_000, due_on=DUE)
    Bill.objects.filter(pk=cancelled_bill.pk).update(status="cancelled", cancelled_at=dt.datetime.now(dt.UTC))

    made = make_debit_requests(DUE, acting_user=billing_officer)
    assert made.created
    batch = made.batch
    assert (batch.collect_on, batch.count, batch.amount, batch.created_by) == (
        DUE,
        2,
        45_000,
        billing_officer,
    )
    lines = rows(export_debit_requests(batch, acting_user=billing_officer))
    assert [(r["account"], r["bill"], r["amount"]) for r in lines] == [
        (debited.number, str(bill.pk), "30000"),
        (partly.number, str(part_bill.pk), "15000"),
    ]
    first = lines[0]
    assert first["reference"] == reference_for(DUE, bill.pk) == f"20261125{bill.pk:012d}"
    assert (first["collect_on"], first["bank"], first["bank_account"], first["holder"]) == (
        "2026-11-25", "088", "110123455678", "홍길동",
    )  # fmt: skip
    download = AuditEvent.objects.get(action="autodebit.request_file_downloaded")
    assert download.category == AuditEvent.Category.ACCESS and download.actor == billing_officer


def test_the_selection_is_one_query(city):
    for n in range(3):
        issue_bill(enrolled(city, bank_account=f"100200300{n:04d}"), 10_000, due_on=DUE)
    from collection.autodebit.requests import due_for_debit

    with CaptureQueriesContext(connection) as queries:
        assert len(list(due_for_debit(DUE, include_earlier=True))) == 3
    assert len(queries) == 1


def test_a_file_made_again_is_the_same_file(city, billing_officer):
    account = enrolled(city)
    issue_bill(account, 30_000, due_on=DUE)
    first = make_debit_requests(DUE, acting_user=billing_officer)
    content = export_debit_requests(first.batch, acting_user=billing_officer)
    again = make_debit_requests(DUE, acting_user=billing_officer)
    assert not again.created and again.batch.pk == first.batch.pk
    assert export_debit_requests(again.batch, acting_user=None) == content

    withdraw_debit_requests(first.batch, acting_user=billing_officer)
    assert not DebitRequest.objects.exists() and not DebitRequestLine.objects.exists()
    remade = make_debit_requests(DUE, acting_user=billing_officer)
    assert remade.created and export_debit_requests(remade.batch, acting_user=None) == content, (
        "stable references"
    )


def test_refusals_for_the_request_file(city):
    with pytest.raises(ValidationError, match="has passed"):
        make_debit_requests(D(2026, 11, 22), acting_user=None)
    account = enrolled(city)
    issue_bill(account, 30_000, due_on=DUE)
    batch = make_debit_requests(DUE, acting_user=None).batch
    reference = batch.lines.get().reference
    import_debit_results(
        "r.csv", results(f"{reference},1001,0,2026-11-23 10:00:00,잔액부족"), acting_user=None
    )
    with pytest.raises(ValidationError, match="can no longer be withdrawn"):
        withdraw_debit_requests(batch, acting_user=None)


def test_earlier_unpaid_bills_are_asked_for_again_only_when_chosen(city):
    account = enrolled(city, starts_on=TODAY)
    issue_bill(account, 7_000, due_on=D(2026, 11, 1))  # before the mandate started: never debited
    # Due since the mandate started, unpaid (its debit failed): asked again with the next bill.
    missed = issue_bill(account, 8_000, due_on=D(2026, 11, 24))
    current = issue_bill(account, 9_000, due_on=DUE)
    alone = enrolled(city, starts_on=TODAY, bank_account="1002003004005")
    issue_bill(alone, 6_000, due_on=D(2026, 11, 24))  # nothing due on the date: not asked for

    plain = make_debit_requests(DUE, acting_user=None, include_earlier=False).batch
    assert list(plain.lines.values_list("bill_id", flat=True)) == [current.pk]
    withdraw_debit_requests(plain, acting_user=None)

    with override_settings(AUTO_DEBIT_INCLUDE_EARLIER=True):
        batch = make_debit_requests(DUE, acting_user=None).batch
    assert batch.include_earlier
    assert list(batch.lines.order_by("id").values_list("bill_id", flat=True)) == [missed.pk, current.pk]


def test_a_bill_awaiting_a_result_is_not_asked_for_twice(city):
    account = enrolled(city, starts_on=TODAY)
    first = issue_bill(account, 8_000, due_on=D(2026, 11, 24))
    make_debit_requests(D(2026, 11, 24), acting_user=None)
    second = issue_bill(account, 9_000, due_on=DUE)
    batch = make_debit_requests(DUE, acting_user=None, include_earlier=True).batch
    assert list(batch.lines.values_list("bill_id", flat=True)) == [second.pk], first


# --- the result file ---------------------------------------------------------------------------


@pytest.fixture
def requested(city):
    """Two accounts with a bill due on DUE each, and the file asking for them."""
    paying = enrolled(city, consent_sms=True)
    short = enrolled(
        city, bank_account="3333012345678", name="김영희", phone="010-2222-3333", consent_sms=True
    )
    bills = issue_bill(paying, 30_000, due_on=DUE), issue_bill(short, 20_000, due_on=DUE)
    batch = make_debit_requests(DUE, acting_user=None).batch
    Notification.objects.all().delete()
    return batch, (paying, short), bills


@override_settings(BILL_PAYMENT_ACCOUNTS=ACCOUNTS)
def test_a_debit_pays_the_bill_and_a_failure_leaves_it_owed_and_tells_the_customer(
    requested, billing_officer
):
    batch, (paying, short), (paid_bill, unpaid_bill) = requested
    ok, failed = (reference_for(DUE, b.pk) for b in (paid_bill, unpaid_bill))
    outcome = import_debit_results(
        "result-1125.csv",
        results(f"{ok},0000,30000,2026-11-23 09:00:00,정상", f"{failed},1001,0,2026-11-23 09:00:00,잔액부족"),
        acting_user=billing_officer,
    )
    source = outcome.source
    assert source.kind == "auto_debit" and (source.rows, source.posted, source.rejected) == (1, 1, 0)
    assert source.amount == 30_000
    assert (source.debit_results.failed, source.debit_results.failed_amount) == (1, 20_000)

    payment = Payment.objects.get(source=PaymentSource.AUTO_DEBIT, reference=ok)
    assert payment.account_id == paying.pk and payment.amount == 30_000 and payment.file_id == source.pk
    assert owed(paid_bill) == 0 and position(paying.pk).balance == 0
    assert owed(unpaid_bill) == 20_000 and not Payment.objects.filter(account=short).exists()

    lines = {line.reference: line for line in batch.lines.all()}
    assert lines[ok].status == DebitLineStatus.DEBITED and lines[ok].result_file_id == source.pk
    assert (lines[failed].status, lines[failed].result_code, lines[failed].result_message) == (
        "failed",
        "1001",
        "잔액부족",
    )
    assert progress(batch).debited == 1 and progress(batch).failed_amount == 20_000

    notice = Notification.objects.get()
    assert notice.recipient == "+821022223333" and notice.dedupe_key == f"debit:{failed}:failed:sms"
    assert (
        "20,000" in notice.body
        and f"2770-{short.number}" in notice.body
        and "잔액 부족" in notice.body  # the customer's language (Korean by default)
    )
    event = AuditEvent.objects.get(action="autodebit.debit_failed")
    assert event.household_id == short.premise_id and event.details["amount"] == 20_000
    assert Mandate.objects.get(account=short).ended_on is None, "insufficient funds does not end the mandate"


def test_the_same_file_twice_changes_nothing(requested):
    batch, _accounts, bills = requested
    content = results(
        f"{reference_for(DUE, bills[0].pk)},0000,30000,2026-11-23,",
        f"{reference_for(DUE, bills[1].pk)},1001,0,2026-11-23,",
    )
    first = import_debit_results("r.csv", content, acting_user=None)
    counts = (Payment.objects.count(), Notification.objects.count(), AuditEvent.objects.count())
    again = import_debit_results("r-again.csv", content, acting_user=None)
    assert again.repeated and again.source.pk == first.source.pk
    assert (Payment.objects.count(), Notification.objects.count(), AuditEvent.objects.count()) == counts
    assert PaymentFile.objects.count() == 1

    # The same results in another file (the bank re-sent them with a new line): on record, not twice.
    resent = import_debit_results("r-resent.csv", content + b"\n", acting_user=None)
    assert not resent.repeated
    assert (
        resent.source.already_on_record,
        resent.source.posted,
        resent.source.debit_results.failed_already,
    ) == (1, 0, 1)
    assert (Payment.objects.count(), Notification.objects.count()) == counts[:2]


def test_unknown_references_amount_mismatch_and_unreadable_rows_are_rejected(requested):
    batch, _accounts, bills = requested
    ok, other = (reference_for(DUE, b.pk) for b in bills)
    outcome = import_debit_results(
        "r.csv",
        results(
            "20261125999999999999,0000,1000,2026-11-23,",
            f"{ok},0000,29000,2026-11-23,",
            f"{other},0000,20000,2026-11-23,",
            f"{other},0000,20000,2026-11-23,",
            f"{ok},00,30000,2026-11-23,",
            f"{ok},0000,30000,tomorrow,",
        ),
        acting_user=None,
    )
    reasons = dict(outcome.rejected)
    assert "No debit request" in reasons[2]
    assert "asked for 30,000 won" in reasons[3]
    assert "already on line 4" in reasons[5]
    assert "four digits" in reasons[6] and "date and time" in reasons[7]
    assert (outcome.source.posted, outcome.source.rejected, outcome.source.rows) == (1, 5, 6)
    assert owed(bills[0]) == 30_000 and owed(bills[1]) == 0
    assert outcome.source.rejections.count() == 5


def test_a_failure_after_a_debit_is_rejected_and_a_debit_after_a_failure_is_taken(requested):
    batch, _accounts, bills = requested
    ok, other = (reference_for(DUE, b.pk) for b in bills)
    import_debit_results(
        "a.csv", results(f"{ok},0000,30000,2026-11-23,", f"{other},1001,0,2026-11-23,"), acting_user=None
    )
    later = import_debit_results(
        "b.csv",
        results(f"{ok},1001,0,2026-11-23 10:00,", f"{other},0000,20000,2026-11-23 10:00,"),
        acting_user=None,
    )
    assert "on record as debited" in dict(later.rejected)[2]
    assert owed(bills[1]) == 0 and batch.lines.get(reference=other).status == DebitLineStatus.DEBITED


def test_a_closed_bank_account_ends_the_mandate(requested):
    batch, (paying, short), bills = requested
    outcome = import_debit_results(
        "r.csv",
        results(f"{reference_for(DUE, bills[1].pk)},1002,0,2026-11-23 09:00,해지계좌"),
        acting_user=None,
    )
    mandate = Mandate.objects.get(account=short)
    assert (mandate.ended_on, mandate.end_reason) == (TODAY, MandateEndReason.BANK_ACCOUNT_CLOSED)
    short.refresh_from_db()
    assert short.payment_method == PaymentMethod.DIRECT
    assert outcome.source.debit_results.mandates_ended == 1
    ended = AuditEvent.objects.get(action="autodebit.ended")
    assert ended.details["result_code"] == "1002"
    notice = Notification.objects.get()
    assert "자동납부는 해지되었습니다" in notice.body  # the customer's language
    # A mandate revoked at the bank ends too; insufficient funds (above) does not.
    assert Mandate.objects.get(account=paying).ended_on is None

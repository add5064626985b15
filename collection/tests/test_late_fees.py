"""The late fee (가산금): charged once on what a bill still owes after its due date, truncated to 10 won."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from billing.balances import add_to_owed
from billing.choices import BillStatus
from billing.models import Bill
from billing.signals import bills_changed
from collection.actions import record_payment
from collection.dunning import events
from collection.dunning.config import read_config
from collection.dunning.fees import charge_late_fees, fee_of
from collection.dunning.run import run_dunning
from collection.ledger import position
from collection.models import LateFee
from collection.tests.builders import issue_bill
from core.models import AuditEvent

TODAY = dt.date(2026, 11, 23)
_refs = itertools.count(1)


def pay(account, amount, *, on=dt.date(2026, 11, 2)):
    received = dt.datetime.combine(on, dt.time(10), tzinfo=dt.timezone(dt.timedelta(hours=9)))
    return record_payment(
        account, amount=amount, source="bank_transfer", reference=f"LF{next(_refs):06d}", received_at=received,
        acting_user=None,
    )  # fmt: skip


def fee(bill):
    return Bill.objects.get(pk=bill.pk).late_fee


def test_a_bill_unpaid_after_its_due_date_is_charged_once(city):
    account = city.account()
    bill = issue_bill(account, 45_678, due_on=dt.date(2026, 11, 10))
    first = charge_late_fees(TODAY)
    assert (first.count, first.amount) == (1, 1_370)  # 3 % of 45,678 = 1,370.34 → 1,370
    assert fee(bill) == 1_370
    charge = LateFee.objects.get(bill=bill)
    assert (charge.amount, charge.unpaid, charge.rate_basis_points, charge.charged_on) == (
        1_370,
        45_678,
        300,
        TODAY,
    )
    # Run again (the same day, or any later day, after a part was paid): nothing more, nothing recomputed.
    pay(account, 20_000, on=TODAY)
    again = charge_late_fees(TODAY)
    later = charge_late_fees(TODAY + dt.timedelta(days=30))
    assert again.count == later.count == 0
    assert fee(bill) == 1_370 and LateFee.objects.count() == 1
    assert position(account.pk).owed == 45_678 + 1_370 - 20_000


def test_the_fee_is_on_what_is_still_unpaid_and_truncated_to_ten_won(city):
    account = city.account()
    bill = issue_bill(account, 50_000, due_on=dt.date(2026, 11, 10))
    pay(account, 20_000)
    charge_late_fees(TODAY)
    assert fee(bill) == 900  # 3 % of 30,000
    assert fee_of(12_345, read_config()) == 370  # 370.35


def test_paid_on_time_cancelled_not_yet_due_and_due_today_are_not_charged(city):
    paid, cancelled, due_later, due_today = (city.account() for _ in range(4))
    paid_bill = issue_bill(paid, 30_000, due_on=dt.date(2026, 11, 10))
    pay(paid, 30_000, on=dt.date(2026, 11, 10))
    cancelled_bill = issue_bill(cancelled, 30_000, due_on=dt.date(2026, 11, 10))
    # As billing's cancel_bill leaves it (the builders' bills have no tariff or reading to lock).
    Bill.objects.filter(pk=cancelled_bill.pk).update(status=BillStatus.CANCELLED, cancelled_at=timezone.now())
    add_to_owed([cancelled_bill.pk], [-30_000])
    later_bill = issue_bill(due_later, 30_000, due_on=dt.date(2026, 11, 30))
    today_bill = issue_bill(due_today, 30_000, due_on=TODAY)
    assert charge_late_fees(TODAY).count == 0
    assert [fee(b) for b in (paid_bill, cancelled_bill, later_bill, today_bill)] == [0, 0, 0, 0]


def test_an_amount_too_small_for_a_fee_is_never_charged(city):
    account = city.account()
    bill = issue_bill(account, 30_000, due_on=dt.date(2026, 11, 10))
    pay(account, 29_700)  # 300 won left: 3 % is 9 won, nothing after truncation
    assert charge_late_fees(TODAY).count == 0
    assert fee(bill) == 0 and not LateFee.objects.exists()


def test_grace_days_and_a_decimal_percentage(city, settings):
    settings.LATE_FEE_GRACE_DAYS = 5
    settings.LATE_FEE_PERCENT = "2.5"
    account = city.account()
    inside_grace = issue_bill(account, 12_345, due_on=dt.date(2026, 11, 20))
    past_grace = issue_bill(account, 12_345, due_on=dt.date(2026, 11, 17))
    charge_late_fees(TODAY)
    assert fee(inside_grace) == 0
    assert fee(past_grace) == 300  # 2.5 % of 12,345 = 308.6 → 300


def test_the_accounts_are_told_so_their_credit_pays_the_fee(city):
    account = city.account()
    issue_bill(account, 10_000, due_on=dt.date(2026, 11, 10))
    told = []

    def listen(sender, account_ids, **kwargs):
        told.append(list(account_ids))

    bills_changed.connect(listen)
    try:
        charge_late_fees(TODAY)
    finally:
        bills_changed.disconnect(listen)
    assert told == [[account.pk]]


def test_the_job_writes_one_event_for_all_the_fees_not_one_per_account(city):
    accounts = [city.account() for _ in range(3)]
    for account in accounts:
        issue_bill(account, 20_000, due_on=dt.date(2026, 11, 10))
    run = run_dunning()
    assert (run.late_fees, run.late_fee_amount) == (3, 1_800)
    assert AuditEvent.objects.filter(action=events.LATE_FEES_CHARGED).count() == 1
    assert AuditEvent.objects.get(action=events.LATE_FEES_CHARGED).details["count"] == 3
    assert run_dunning().late_fees == 0  # the same day again


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("LATE_FEE_PERCENT", "3%", "not a number"),
        ("LATE_FEE_PERCENT", "2.555", "two decimals"),
        ("DUNNING_STAGES", {"reminders": {}}, "unknown stage reminders"),
        ("DUNNING_STAGES", {"notice": {"after_days": 5}}, "must come after the reminder"),
        ("DUNNING_STAGES", {"notice": {"deadline": 5}}, "notice has no setting deadline"),
        ("DUNNING_STAGES", {"disconnection": {"enabled": "no"}}, "true or false"),
    ],
)
def test_a_wrong_setting_is_refused_with_a_clear_message(settings, name, value, message):
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        read_config()

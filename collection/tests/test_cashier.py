"""The counter: finding the account, taking the money once, partial and over-payments, refusals, the receipt."""

from __future__ import annotations

import datetime as dt
import io
import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse

from billing.models import Bill
from collection.choices import PaymentSource, PaymentStatus
from collection.counter import find_account, take_counter_payment
from collection.counter_events import RECEIPT_PRINTED
from collection.ledger import position
from collection.models import CounterReceipt, Payment
from collection.tests.builders import issue_bill
from core.models import AuditEvent
from customers import actions as registry

COUNTER = "/payments/counter/"


def login(client, user):
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


@pytest.fixture
def owing(city):
    """An account owing two bills: 30,000 won overdue (due 2026-10-31) and 20,000 won due 2026-11-30."""
    account = city.account()
    old = issue_bill(account, 30_000, due_on=dt.date(2026, 10, 31))
    new = issue_bill(account, 20_000, due_on=dt.date(2026, 11, 30))
    return account, old, new


def post(client, account, amount, *, token=None, means="cash", **extra):
    return client.post(
        COUNTER,
        {
            "account": account.pk,
            "token": str(token or uuid.uuid4()),
            "amount": amount,
            "means": means,
            **extra,
        },
    )


def paid(*bills):
    return [Bill.objects.get(pk=b.pk).paid for b in bills]


def test_the_clerk_finds_the_account_with_or_without_the_hyphen(client, clerk, owing):
    account, *_bills = owing
    login(client, clerk)
    for typed in (account.display_number, account.number, f" {account.display_number} "):
        page = client.get(COUNTER, {"number": typed})
        assert page.status_code == 200
        text = page.content.decode()
        assert f'name="account" value="{account.pk}"' in text
        assert 'value="50,000"' in text  # the amount starts with everything owed
        assert "홍*동" in text and "홍길동" not in text  # the holder masked


def test_the_household_page_hands_the_account_to_the_counter(client, clerk, owing):
    account, *_bills = owing
    text = login(client, clerk).get(COUNTER, {"account": account.pk}).content.decode()
    assert f'name="account" value="{account.pk}"' in text
    # The open bills, oldest first, the overdue one marked.
    assert text.index("2026-10-31") < text.index("2026-11-30")
    assert "overdue" in text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the account number"),
        ("12345", "ten digits"),
        ("100000001-0", "last digit does not match"),
        ("999999999-8", "No account has the number"),
    ],
)
def test_a_wrong_account_number_is_refused_with_the_reason(client, clerk, owing, typed, message):
    if typed == "999999999-8":
        from core.sequences import luhn_check_digit

        typed = f"999999999-{luhn_check_digit('999999999')}"
    page = login(client, clerk).get(COUNTER, {"number": typed})
    assert page.status_code == 422
    assert message in page.content.decode()
    with pytest.raises(ValidationError):
        find_account(typed)


def test_a_payment_is_recorded_once_when_the_form_is_sent_twice(client, clerk, owing):
    account, old, new = owing
    login(client, clerk)
    token = uuid.uuid4()
    first = post(client, account, "50,000", token=token)
    again = post(client, account, "50,000", token=token)
    payment = Payment.objects.get()
    assert first.status_code == again.status_code == 302
    assert first.url == again.url == reverse("counter-receipt", args=[payment.pk])
    assert payment.source == PaymentSource.CASHIER and payment.amount == 50_000
    assert payment.reference == payment.counter_receipt.number and payment.recorded_by == clerk
    assert paid(old, new) == [30_000, 20_000]
    # The second answer says so.
    page = client.get(again.url)
    assert "already been recorded" in page.content.decode()


def test_the_same_form_with_another_amount_is_refused(client, clerk, owing):
    account, *_bills = owing
    login(client, clerk)
    token = uuid.uuid4()
    post(client, account, "50000", token=token)
    page = post(client, account, "40000", token=token)
    assert page.status_code == 422
    assert "This form already recorded payment" in page.content.decode()
    assert Payment.objects.count() == 1


def test_a_partial_payment_pays_the_oldest_bill_first_and_the_rest_in_part(client, clerk, owing):
    account, old, new = owing
    response = post(login(client, clerk), account, "35,000원")
    assert paid(old, new) == [30_000, 5_000]
    receipt = CounterReceipt.objects.get()
    assert receipt.paid_bills == [
        {"bill": old.pk, "month": f"{old.period:%Y-%m}", "amount": 30_000},
        {"bill": new.pk, "month": f"{new.period:%Y-%m}", "amount": 5_000},
    ]
    assert (receipt.owed_after, receipt.credit_after) == (15_000, 0)
    text = client.get(response.url).content.decode()
    assert "₩35,000" in text and "₩15,000" in text  # received, still owed


def test_more_than_owed_is_kept_as_credit(client, clerk, owing):
    account, old, new = owing
    response = post(login(client, clerk), account, "60000", means="card", card_approval="30012345")
    assert paid(old, new) == [30_000, 20_000]
    receipt = CounterReceipt.objects.get()
    assert (receipt.owed_after, receipt.credit_after) == (0, 10_000)
    assert receipt.means == "card" and receipt.card_approval == "30012345"
    assert position(account.pk).credit == 10_000
    text = client.get(response.url).content.decode()
    assert "Kept as credit" in text and "₩10,000" in text


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "more than zero"),
        ("-5000", "more than zero"),
        ("1500.5", "whole won"),
        ("abc", "whole won"),
        ("", "Enter the amount received"),
        ("1000000000", "more than a counter payment can be"),
    ],
)
def test_an_impossible_amount_is_refused_on_the_form(client, clerk, owing, amount, message):
    account, *_bills = owing
    page = post(login(client, clerk), account, amount)
    assert page.status_code == 422
    assert message in page.content.decode()
    assert not Payment.objects.exists()


def test_a_closed_account_that_owes_nothing_takes_no_payment(client, clerk, city):
    account = city.account()
    registry.stop_service(account, on=dt.date(2026, 11, 1), final_reading=0, acting_user=None)
    account.refresh_from_db()
    login(client, clerk)
    page = client.get(COUNTER, {"account": account.pk})
    assert page.status_code == 422
    assert "is closed and owes nothing" in page.content.decode()
    page = post(client, account, "10000")
    assert page.status_code == 422 and "is closed and owes nothing" in page.content.decode()
    assert not Payment.objects.exists()


def test_a_closed_account_still_owing_its_final_bill_can_pay_it(clerk, city):
    account = city.account()
    bill = issue_bill(account, 12_000)
    registry.stop_service(account, on=dt.date(2026, 11, 1), final_reading=0, acting_user=None)
    account.refresh_from_db()
    taken = take_counter_payment(account, amount=12_000, means="cash", token=uuid.uuid4(), acting_user=clerk)
    assert taken.created and paid(bill) == [12_000]


def test_only_counter_staff_take_payments(client, agent, crew, supervisor, billing_officer, owing):
    account, *_bills = owing
    for user in (agent, crew):
        login(client, user)
        assert client.get(COUNTER).status_code == 403
        assert post(client, account, "1000").status_code == 403
    for user in (supervisor, billing_officer):
        assert login(client, user).get(COUNTER).status_code == 200
    assert not Payment.objects.exists()


def test_the_receipt_is_a_pdf_with_the_amount_and_each_print_is_logged(client, clerk, owing):
    pypdf = pytest.importorskip("pypdf")
    account, *_bills = owing
    response = post(login(client, clerk), account, "35000")
    receipt = CounterReceipt.objects.get()
    url = reverse("counter-receipt-pdf", args=[receipt.payment_id])
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert first.content.startswith(b"%PDF")
    text = pypdf.PdfReader(io.BytesIO(first.content)).pages[0].extract_text()
    assert "35,000" in text and receipt.number in text and account.display_number in text
    assert "홍*동" in text and "홍길동" not in text
    assert "15,000" in text  # still owed after it
    assert clerk.full_name in text
    second = client.get(url)
    reprint = pypdf.PdfReader(io.BytesIO(second.content)).pages[0].extract_text()
    assert "2" in reprint and reprint != text  # marked as a copy
    receipt.refresh_from_db()
    assert receipt.prints == 2
    events = AuditEvent.objects.filter(action=RECEIPT_PRINTED).order_by("id")
    assert [e.details["copy"] for e in events] == [1, 2]
    assert {e.household_id for e in events} == {account.premise_id} and {e.actor for e in events} == {clerk}
    assert "receipt printed 2 times" in client.get(response.url).content.decode()


def test_the_counter_shows_what_the_clerk_took_today(client, clerk, owing):
    account, *_bills = owing
    login(client, clerk)
    post(client, account, "20000")
    post(client, account, "15000", means="card")
    text = client.get(COUNTER).content.decode()
    assert "₩35,000" in text and "₩20,000" in text and "₩15,000" in text


def test_a_reversed_counter_payment_is_marked_on_its_receipt(client, clerk, owing):
    from collection.actions import reverse_payment

    account, old, _new = owing
    post(login(client, clerk), account, "30000")
    payment = Payment.objects.get()
    reverse_payment(payment, reason="Counterfeit note", acting_user=clerk)
    assert paid(old) == [0]
    text = client.get(reverse("counter-receipt", args=[payment.pk])).content.decode()
    assert "Payment reversed" in text and "Counterfeit note" in text
    assert Payment.objects.get().status == PaymentStatus.REVERSED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_form_sent_twice_at_the_same_moment_takes_the_money_once(city, clerk):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers anyway")
    account = city.account()
    issue_bill(account, 10_000)
    token = uuid.uuid4()
    barrier = threading.Barrier(3)
    created, errors = [], []

    def submit():
        try:
            barrier.wait()
            created.append(
                take_counter_payment(
                    account, amount=10_000, means="cash", token=token, acting_user=clerk
                ).created
            )
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(created) == [False, False, True]
    assert Payment.objects.count() == 1 and position(account.pk).owed == 0

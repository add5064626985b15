"""Card and online providers' callbacks: signed, recorded once, cancelled once; anything else refused."""

from __future__ import annotations

import json
import time

import pytest

from collection.callbacks import sign
from collection.choices import PaymentSource, PaymentStatus
from collection.models import Payment
from collection.tests.builders import issue_bill

SECRET = "s3cret-of-the-provider"


@pytest.fixture(autouse=True)
def _provider(settings):
    settings.PAYMENT_CALLBACK_SECRETS = {"easypay": SECRET}


def call(client, body: dict | bytes, *, key="PAY-1", secret=SECRET, provider="easypay", timestamp=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "HTTP_X_SUIDO_TIMESTAMP": timestamp,
        "HTTP_X_SUIDO_SIGNATURE": sign(secret, timestamp, raw),
        "HTTP_IDEMPOTENCY_KEY": key,
    }
    return client.post(f"/api/payments/{provider}/callback/", raw, content_type="application/json", **headers)


def paid_event(account, amount, **extra):
    return {"event": "paid", "method": "card", "account": account.display_number, "amount": amount,
            "paid_at": "2026-11-23T09:12:00+09:00", **extra}  # fmt: skip


def test_a_card_payment_is_recorded_once_however_often_the_provider_tells_it(client, city):
    account = city.account()
    bill = issue_bill(account, 30_000)
    first = call(client, paid_event(account, 30_000))
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "recorded" and first.json()["balance"] == 0
    again = call(client, paid_event(account, 30_000))
    assert again.status_code == 200 and again.json()["status"] == "already_recorded"
    payment = Payment.objects.get()
    assert payment.source == PaymentSource.CARD and payment.reference == "easypay:PAY-1"
    bill.refresh_from_db()
    assert bill.paid == 30_000


def test_the_same_key_with_another_amount_is_a_conflict(client, city):
    account = city.account()
    call(client, paid_event(account, 10_000))
    answer = call(client, paid_event(account, 12_000))
    assert answer.status_code == 409 and answer.json()["error"] == "conflict"
    assert Payment.objects.get().amount == 10_000


def test_a_cancellation_reverses_the_payment_once_and_reopens_the_bill(client, city):
    account = city.account()
    bill = issue_bill(account, 20_000)
    call(client, paid_event(account, 20_000))
    cancel = {"event": "cancelled", "method": "card", "reason": "customer cancelled the card charge"}
    first = call(client, cancel)
    assert first.status_code == 200 and first.json()["status"] == "reversed"
    assert call(client, cancel).json()["status"] == "already_reversed"
    bill.refresh_from_db()
    assert bill.paid == 0 and Payment.objects.get().status == PaymentStatus.REVERSED
    unknown = call(client, cancel, key="NEVER-SEEN")
    assert unknown.status_code == 404


def test_an_unknown_account_keeps_the_money_in_suspense(client, city):
    answer = call(client, {**paid_event(city.account(), 5_000), "account": "12345"}, key="PAY-9")
    assert answer.status_code == 201 and answer.json()["status"] == "suspense"
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.SUSPENSE and payment.stated_account == "12345"


@pytest.mark.parametrize(
    "tamper",
    ["wrong_secret", "unknown_provider", "stale", "body_changed", "no_signature"],
)
def test_calls_not_from_the_provider_are_refused_before_anything_is_recorded(client, city, tamper):
    account = city.account()
    body = json.dumps(paid_event(account, 1_000)).encode()
    timestamp = str(int(time.time()))
    signature = sign(SECRET, timestamp, body)
    provider = "easypay"
    if tamper == "wrong_secret":
        signature = sign("guess", timestamp, body)
    elif tamper == "unknown_provider":
        provider = "other"
    elif tamper == "stale":
        timestamp = str(int(time.time()) - 600)
        signature = sign(SECRET, timestamp, body)
    elif tamper == "body_changed":
        body = body.replace(b"1000", b"9000")
    else:
        signature = ""
    answer = client.post(
        f"/api/payments/{provider}/callback/", body, content_type="application/json",
        HTTP_X_SUIDO_TIMESTAMP=timestamp, HTTP_X_SUIDO_SIGNATURE=signature, HTTP_IDEMPOTENCY_KEY="K",
    )  # fmt: skip
    assert answer.status_code == 401 and answer.json()["error"] == "not_authentic"
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", None),
        ({"event": "paid", "method": "cash", "amount": 1, "paid_at": "2026-11-23T09:00:00+09:00"}, "method"),
        ({"event": "refunded", "method": "card"}, "event"),
        ({"event": "paid", "method": "card", "amount": -5, "paid_at": "2026-11-23T09:00:00+09:00"}, "amount"),
        (
            {"event": "paid", "method": "card", "amount": 10.5, "paid_at": "2026-11-23T09:00:00+09:00"},
            "amount",
        ),
        ({"event": "paid", "method": "online", "amount": 100, "paid_at": "2026-11-23 09:00"}, "paid_at"),
        (
            {"event": "paid", "method": "online", "amount": 100, "paid_at": "2027-01-01T09:00:00+09:00"},
            "paid_at",
        ),
    ],
)
def test_malformed_calls_get_a_specific_error_and_record_nothing(client, city, body, field):
    answer = call(client, body)
    assert answer.status_code == 400
    if field:
        assert field in answer.json()["fields"]
    assert not Payment.objects.exists()


def test_the_idempotency_key_is_required(client, city):
    answer = call(client, paid_event(city.account(), 1_000), key="")
    assert answer.status_code == 400 and "Idempotency-Key" in answer.json()["message"]


def test_errors_are_in_the_callers_language(client, city):
    raw = b"not json"
    timestamp = str(int(time.time()))
    answer = client.post(
        "/api/payments/easypay/callback/", raw, content_type="application/json",
        HTTP_X_SUIDO_TIMESTAMP=timestamp, HTTP_X_SUIDO_SIGNATURE=sign(SECRET, timestamp, raw),
        HTTP_IDEMPOTENCY_KEY="K", HTTP_ACCEPT_LANGUAGE="ko",
    )  # fmt: skip
    assert answer.status_code == 400 and "JSON" in answer.json()["message"]
    assert answer.json()["message"] != "The body is not JSON."

"""The deposit-file and suspense-queue pages: who may use them, and that they do what the actions do."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from collection.choices import PaymentSource, PaymentStatus
from collection.imports import IncomingPayment, record_payments
from collection.models import Payment, PaymentFile
from collection.tests.builders import at, issue_bill
from core.models import AuditEvent

ACCOUNTS = [("우리은행", "2770-{account}")]


def upload(client, content: bytes, name="deposits.csv"):
    return client.post(
        "/payments/deposits/",
        {"file": SimpleUploadedFile(name, content, "text/csv")},
        HTTP_ACCEPT_LANGUAGE="en",
    )


@override_settings(BILL_PAYMENT_ACCOUNTS=ACCOUNTS)
def test_a_billing_officer_imports_a_deposit_file_and_sees_what_became_of_each_row(
    client, billing_officer, city
):
    account = city.account()
    issue_bill(account, 9_000)
    client.force_login(billing_officer)
    content = (
        "bank,transaction,deposited_at,amount,virtual_account,account,payer\n"
        f"020,W-1,2026-11-22 09:00,9000,2770-{account.number},,\n"
        "088,S-1,2026-11-22 09:10,4000,,,모르는 입금자\n"
        "088,S-2,어제,4000,,,\n"
    ).encode()
    answer = upload(client, content)
    source = PaymentFile.objects.get()
    assert answer.status_code == 302 and answer.url == f"/payments/files/{source.pk}/"
    assert (source.posted, source.suspense, source.rejected) == (1, 1, 1)
    page = client.get(answer.url, HTTP_ACCEPT_LANGUAGE="en")
    assert "모르는 입금자" in page.content.decode() and "어제" in page.content.decode()
    report = client.get(f"/payments/files/{source.pk}/rejections.csv")
    assert "not a date and time" in report.content.decode("utf-8-sig")
    again = upload(client, content, name="again.csv")
    assert again.url == f"/payments/files/{source.pk}/" and PaymentFile.objects.count() == 1


def test_a_file_that_cannot_be_read_is_refused_on_the_form(client, billing_officer, city):
    client.force_login(billing_officer)
    answer = upload(client, b"who,what\n1,2\n")
    assert answer.status_code == 422 and "Unknown column" in answer.content.decode()
    assert not PaymentFile.objects.exists()


def test_agents_and_clerks_may_not_import_or_resolve(client, agent, clerk):
    for user in (agent,):
        client.force_login(user)
        assert client.get("/payments/deposits/").status_code == 403
        assert client.get("/payments/suspense/").status_code == 403
    client.force_login(clerk)
    assert client.get("/payments/deposits/").status_code == 403


def _waiting(amount=10_000, stated="100-?"):
    record_payments(
        [
            IncomingPayment(
                2, "", PaymentSource.BANK_TRANSFER, f"088:{amount}", amount, at(20), None, stated, "박"
            )
        ],
        file=None,
        acting_user=None,
    )
    return Payment.objects.get(reference=f"088:{amount}")


def test_a_supervisor_looks_up_the_account_then_matches_the_payment(client, supervisor, city):
    account = city.account()
    bill = issue_bill(account, 7_000)
    waiting = _waiting()
    client.force_login(supervisor)
    queue = client.get("/payments/suspense/", HTTP_ACCEPT_LANGUAGE="en")
    assert f"/payments/suspense/{waiting.pk}/" in queue.content.decode()

    url = f"/payments/suspense/{waiting.pk}/"
    look = client.post(url, {"do": "match", "number": account.display_number, "note": "the payer called"})
    assert look.status_code == 422  # shown for confirmation, nothing done yet
    assert account.display_number in look.content.decode()
    assert Payment.objects.get(pk=waiting.pk).status == PaymentStatus.SUSPENSE

    done = client.post(
        url,
        {
            "do": "match",
            "number": account.display_number,
            "note": "the payer called",
            "confirmed": account.pk,
        },
    )
    assert done.status_code == 302
    matched = Payment.objects.get(pk=waiting.pk)
    assert matched.status == PaymentStatus.POSTED and matched.account_id == account.pk
    bill.refresh_from_db()
    assert bill.paid == 7_000
    assert AuditEvent.objects.filter(
        action="payment.suspense_matched", household_id=account.premise_id
    ).exists()


def test_a_wrong_number_is_said_so_and_a_confirmation_for_another_account_does_nothing(
    client, supervisor, city
):
    account, other = city.account(), city.account()
    waiting = _waiting()
    client.force_login(supervisor)
    url = f"/payments/suspense/{waiting.pk}/"
    wrong = client.post(url, {"do": "match", "number": "12345", "note": "n"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 422
    # The number typed was changed after the look-up: the confirmation named the other account.
    client.post(url, {"do": "match", "number": account.number, "note": "n", "confirmed": other.pk})
    assert Payment.objects.get(pk=waiting.pk).status == PaymentStatus.SUSPENSE


def test_an_unclaimed_payment_is_returned_to_the_payer(client, supervisor, city):
    waiting = _waiting()
    client.force_login(supervisor)
    empty = client.post(f"/payments/suspense/{waiting.pk}/", {"do": "return", "reason": ""})
    assert empty.status_code == 422
    done = client.post(
        f"/payments/suspense/{waiting.pk}/", {"do": "return", "reason": "sent back to 박, no account"}
    )
    assert done.status_code == 302
    returned = Payment.objects.get(pk=waiting.pk)
    assert returned.status == PaymentStatus.REVERSED and "sent back" in returned.reversal_reason


def test_a_billing_officer_refunds_credit_from_the_household_page(client, billing_officer, agent, city):
    from collection.actions import record_payment

    account = city.account()
    record_payment(
        account, amount=15_000, source="card", reference="R1", received_at=at(20), acting_user=None
    )
    url = f"/households/{account.premise_id}/accounts/{account.pk}/refund/"
    client.force_login(agent)
    assert client.get(url).status_code == 403
    client.force_login(billing_officer)
    form = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "15,000 won of credit" in form.content.decode()
    refused = client.post(
        url, {"amount": 20_000, "method": "cash", "reason": "overpaid"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 200 and "cannot be refunded" in refused.content.decode()
    done = client.post(url, {"amount": 15_000, "method": "bank_transfer", "bank": "088",
                             "bank_account": "110123456789", "holder": "홍길동", "reason": "overpaid"})  # fmt: skip
    assert done.status_code == 302
    assert Payment.objects.get(reference="R1").refunded == 15_000

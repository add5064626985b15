"""Auto-debit in the console: the household panel and its operations, the billing officers' file pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collection.autodebit.mandates import enrol_auto_debit
from collection.autodebit.requests import reference_for
from collection.models import DebitRequest, Mandate, PaymentFile
from collection.tests.builders import issue_bill
from core.models import AuditEvent
from customers.choices import PaymentMethod

D = dt.date
DUE = D(2026, 11, 25)


def login(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def household(city):
    return city.account(name="홍길동", phone="010-1234-5678")


def enrol(account, **overrides):
    return enrol_auto_debit(
        account,
        **{
            "bank": "088",
            "bank_account": "110123455678",
            "holder_name": "홍길동",
            "starts_on": D(2026, 11, 23),
            "acting_user": None,
        }
        | overrides,
    )


def test_who_may_do_what(client, household, outsider, crew, agent, billing_officer):
    p, a = household.premise_id, household.pk
    mandate = enrol(household)
    household_urls = [
        reverse("household-auto-debit", args=[p]),
        reverse("auto-debit-enrol", args=[p, a]),
        reverse("auto-debit-cancel", args=[p, a]),
    ]
    file_urls = [reverse("auto-debit-files")]
    login(client, outsider)
    for url in household_urls + file_urls:
        assert client.get(url).status_code == 403, url
    assert (
        client.post(
            reverse("auto-debit-reveal", args=[p, mandate.pk]), {"reason_code": "callback"}
        ).status_code
        == 403
    )
    login(client, crew)  # sees the household, never changes accounts
    assert client.get(household_urls[0]).status_code == 200
    assert client.get(household_urls[1]).status_code == 403
    login(client, agent)  # takes auto-payment applications, but does not exchange files with banks
    assert all(client.get(url).status_code == 200 for url in household_urls)
    assert client.get(file_urls[0]).status_code == 403
    login(client, billing_officer)
    assert client.get(file_urls[0]).status_code == 200


def test_the_household_page_shows_the_mandate_masked(client, household, agent):
    enrol(household)
    login(client, agent)
    page = client.get(reverse("household", args=[household.premise_id])).content.decode()
    assert reverse("household-auto-debit", args=[household.premise_id]) in page
    panel = client.get(reverse("household-auto-debit", args=[household.premise_id])).content.decode()
    assert "110-***-**5678" in panel and "홍*동" in panel and "신한은행" in panel
    assert "455678" not in panel and "홍길동" not in panel
    assert "Change bank account" in panel and "Cancel auto-debit" in panel


def test_a_direct_payer_is_offered_enrolment_and_a_marked_account_without_mandate_is_flagged(
    client, city, agent
):
    direct = city.account()
    login(client, agent)
    panel = client.get(reverse("household-auto-debit", args=[direct.premise_id])).content.decode()
    assert "Enrol in auto-debit" in panel and "Pays directly" in panel
    type(direct).objects.filter(pk=direct.pk).update(payment_method=PaymentMethod.AUTO_DEBIT)
    panel = client.get(reverse("household-auto-debit", args=[direct.premise_id])).content.decode()
    assert "no bank account is on record" in panel


def test_enrolling_and_cancelling_from_the_household_page(client, household, agent):
    login(client, agent)
    url = reverse("auto-debit-enrol", args=[household.premise_id, household.pk])
    form = {
        "bank": "004",
        "bank_account": "123-45-6789012",
        "holder_name": "홍길동",
        "payer_relation": "holder",
        "requested_on": "2026-11-23",
        "starts_on": "2026-12-01",
    }
    refused = client.post(url, form | {"bank_account": "12-34"})
    assert refused.status_code == 200 and "10 to 16 digits" in refused.content.decode()
    assert not Mandate.objects.exists()
    response = client.post(url, form)
    assert response.status_code == 302 and response.url.endswith("#auto-debit")
    mandate = Mandate.objects.get()
    assert (mandate.bank, mandate.bank_account, mandate.recorded_by) == ("004", "123456789012", agent)

    page = client.get(url).content.decode()
    assert "Change the bank account debited" in page and "123-***-**9012" in page

    response = client.post(
        reverse("auto-debit-cancel", args=[household.premise_id, household.pk]),
        {"reason": "customer", "note": ""},
    )
    assert response.status_code == 302
    mandate.refresh_from_db()
    household.refresh_from_db()
    assert mandate.ended_on == D(2026, 11, 23) and household.payment_method == PaymentMethod.DIRECT
    assert (
        client.get(reverse("auto-debit-cancel", args=[household.premise_id, household.pk])).status_code == 404
    )


def test_revealing_the_bank_account_is_logged(client, household, agent):
    mandate = enrol(household)
    login(client, agent)
    url = reverse("auto-debit-reveal", args=[household.premise_id, mandate.pk])
    refused = client.post(url, {"reason_code": "other", "reason_text": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422 and not AuditEvent.objects.filter(action="autodebit.revealed").exists()
    shown = client.post(url, {"reason_code": "callback"}, HTTP_HX_REQUEST="true").content.decode()
    assert "110-123-455678" in shown and "홍길동" in shown
    assert AuditEvent.objects.get(action="autodebit.revealed").actor == agent
    # The next look is masked again.
    panel = client.get(reverse("household-auto-debit", args=[household.premise_id])).content.decode()
    assert "455678" not in panel


def test_the_billing_officers_round_trip(client, city, billing_officer):
    paying = city.account()
    enrol(paying)
    bill = issue_bill(paying, 30_000, due_on=DUE)
    failing = city.account(name="김영희")
    enrol(failing, bank_account="3333012345678")
    unpaid = issue_bill(failing, 20_000, due_on=DUE)
    login(client, billing_officer)

    response = client.post(reverse("auto-debit-files"), {"do": "requests", "collect_on": "2026-11-22"})
    assert response.status_code == 422 and "has passed" in response.content.decode()
    response = client.post(reverse("auto-debit-files"), {"do": "requests", "collect_on": DUE.isoformat()})
    batch = DebitRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse("debit-request", args=[batch.pk])
    assert "50,000" in client.get(response.url).content.decode()

    download = client.get(reverse("debit-request-file", args=[batch.pk]))
    assert (
        download["Content-Type"].startswith("text/csv") and "20261125.csv" in download["Content-Disposition"]
    )
    assert b"110123455678" in download.content
    assert AuditEvent.objects.filter(
        action="autodebit.request_file_downloaded", actor=billing_officer
    ).exists()

    content = (
        "reference,result,amount,debited_at,message\n"
        f"{reference_for(DUE, bill.pk)},0000,30000,2026-11-23 09:00:00,\n"
        f"{reference_for(DUE, unpaid.pk)},1001,0,2026-11-23 09:00:00,잔액부족\n"
        "20261125000000999999,0000,1000,2026-11-23 09:00:00,\n"
    ).encode()
    upload = SimpleUploadedFile("result-1125.csv", content, content_type="text/csv")
    response = client.post(reverse("auto-debit-files"), {"do": "results", "file": upload})
    source = PaymentFile.objects.get()
    assert response.status_code == 302 and response.url == reverse("debit-results", args=[source.pk])
    page = client.get(response.url).content.decode()
    assert "잔액부족" in page and failing.display_number in page and "rows in the file" in page
    report = client.get(reverse("debit-result-rejections", args=[source.pk])).content.decode("utf-8-sig")
    assert "20261125000000999999" in report and "No debit request" in report

    files_page = client.get(reverse("auto-debit-files")).content.decode()
    assert "result-1125.csv" in files_page and "2026-11-25" in files_page

    # A file with results can no longer be withdrawn.
    response = client.post(reverse("debit-request-withdraw", args=[batch.pk]))
    assert response.status_code == 302 and DebitRequest.objects.exists()


def test_a_replaced_mandate_is_shown_debiting_until_its_successor_starts(client, household, agent):
    enrol(household)
    enrol(household, bank="090", bank_account="3333012345678", starts_on=D(2026, 12, 15), replace=True)
    login(client, agent)
    panel = client.get(reverse("household-auto-debit", args=[household.premise_id])).content.decode()
    assert "takes over for the bills due from 2026-12-15" in panel
    assert panel.index("110-***-**5678") < panel.index("333-***-***5678"), "the one debiting now comes first"
    assert "Earlier mandates" not in panel

"""The dunning console: the worklist and "run now", the letters, the household panel, protection and arrangements."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from collection.choices import ArrangementStatus
from collection.dunning import events
from collection.dunning.run import run_dunning
from collection.models import DunningRun, DunningStep, PaymentArrangement, Protection
from collection.tests.builders import issue_bill
from collection.tests.dunning_helpers import NOTICE_DAY, REMINDER_DAY, in_arrears, on_day
from core.models import AuditEvent


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        client.cookies["django_language"] = "en"
        return client

    return login


def reminded(city, **customer):
    account = in_arrears(city, **customer)
    with on_day(REMINDER_DAY):
        run_dunning()
    return account


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    return " ".join(text.split())  # lines broken where the layout wraps them


def test_the_worklist_shows_the_accounts_at_each_stage(
    city, billing_officer, as_user, django_assert_max_num_queries
):
    accounts = [reminded(city) for _ in range(3)]
    client = as_user(billing_officer)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("dunning-worklist"))
    text = page.content.decode()
    assert page.status_code == 200
    for account in accounts:
        assert account.display_number in text
    assert "Reminder" in text and "61,800" in text
    filtered = client.get(reverse("dunning-worklist"), {"stage": "notice", "day": "2026-08-13"})
    assert accounts[0].display_number not in filtered.content.decode()
    assert "Letters of 2026-08-13" in filtered.content.decode()


def test_who_may_see_the_worklist_and_run_it(city, supervisor, clerk, billing_officer, outsider, as_user):
    assert as_user(supervisor).get(reverse("dunning-worklist")).status_code == 200
    assert as_user(supervisor).post(reverse("dunning-run"), {"on": "2026-11-23"}).status_code == 403
    assert as_user(clerk).get(reverse("dunning-worklist")).status_code == 403
    assert as_user(outsider).get(reverse("dunning-worklist")).status_code == 403
    assert not DunningRun.objects.exists()


def test_run_now_goes_through_the_daily_job(city, billing_officer, as_user):
    in_arrears(city)
    response = as_user(billing_officer).post(reverse("dunning-run"), {"on": "2026-08-13"}, follow=True)
    assert "1 reminders" in response.content.decode()
    run = DunningRun.objects.get()
    assert run.started_by == billing_officer and run.on == dt.date(2026, 8, 13)
    future = as_user(billing_officer).post(reverse("dunning-run"), {"on": "2026-12-31"}, follow=True)
    assert "still to come" in future.content.decode()


def test_a_letter_says_what_is_owed_by_when_and_how_to_pay(city, agent, as_user, settings):
    settings.BILL_LANGUAGE = "en"  # the letters' language, whatever the console's
    account = reminded(city)
    with on_day(NOTICE_DAY):
        run_dunning()
    notice = DunningStep.objects.get(account=account, stage="notice")
    text = pdf_text(as_user(agent).get(reverse("dunning-letter", args=[notice.pk])))
    assert "Notice of water supply suspension" in text and "will be suspended without further notice" in text
    assert "61,800" in text and "2026-09-14" in text
    assert f"2770-{account.number}" in text  # the customer's virtual account


def test_a_protected_households_letter_does_not_threaten(city, clerk, as_user, settings):
    settings.BILL_LANGUAGE = "en"
    account = in_arrears(city)
    with on_day(dt.date(2026, 8, 5)):
        from collection.dunning.protection import register_protection

        register_protection(account, reason="medical", evidence="Dialysis", starts_on=dt.date(2026, 8, 5),
                            acting_user=clerk)  # fmt: skip
    with on_day(REMINDER_DAY):
        run_dunning()
    step = DunningStep.objects.get(account=account)
    text = pdf_text(as_user(clerk).get(reverse("dunning-letter", args=[step.pk])))
    assert "will not be suspended" in text
    assert "will be suspended without" not in text and "not disconnected" not in text


def test_the_days_letters_come_in_one_file(city, billing_officer, as_user):
    for _ in range(2):
        reminded(city)
    response = as_user(billing_officer).get(
        reverse("dunning-letters"), {"day": "2026-08-13", "stage": "reminder", "part": 1}
    )
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 2


def test_the_household_panel_shows_the_stage_and_its_letters(city, agent, as_user):
    account = reminded(city)
    text = as_user(agent).get(reverse("household-dunning", args=[account.premise_id])).content.decode()
    assert "Stage reached: Reminder" in text
    assert reverse("dunning-letter", args=[DunningStep.objects.get().pk]) in text
    assert "Agree installments" not in text  # the agent may not agree installments


def test_a_clerk_protects_a_household_from_the_household_page(city, clerk, as_user):
    account = reminded(city)
    client = as_user(clerk)
    url = reverse("protect-account", args=[account.premise_id, account.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": "medical", "evidence": "", "starts_on": "2026-11-23"})
    assert refused.status_code == 200 and not Protection.objects.exists()
    done = client.post(url, {"reason": "medical", "evidence": "Hospital letter", "starts_on": "2026-11-23"})
    assert done.status_code == 302
    protection = Protection.objects.get()
    assert protection.recorded_by == clerk
    end = reverse("end-protection", args=[account.premise_id, account.pk, protection.pk])
    assert client.post(end, {"reason": "Moved to a care home"}).status_code == 302
    protection.refresh_from_db()
    assert protection.ended_by == clerk and protection.ends_on == dt.date(2026, 11, 23)


def test_an_agent_may_not_register_protection(city, agent, as_user):
    account = city.account()
    url = reverse("protect-account", args=[account.premise_id, account.pk])
    assert as_user(agent).get(url).status_code == 403


def test_installments_agreed_from_the_household_page(city, clerk, as_user):
    account = city.account()
    issue_bill(account, 90_000, due_on=dt.date(2026, 11, 2))
    client = as_user(clerk)
    url = reverse("payment-arrangement", args=[account.premise_id, account.pk])
    page = client.get(url)
    assert "90,000" in page.content.decode()
    wrong = client.post(url, {"installments": 3, "first_due_on": "2026-12-01", "amounts": "30000, 30000"})
    assert "2 amounts for 3 installments" in wrong.content.decode()
    short = client.post(url, {"installments": 2, "first_due_on": "2026-12-01", "amounts": "30000, 30000"})
    assert "add up to 60,000" in short.content.decode()
    done = client.post(url, {"installments": 3, "first_due_on": "2026-12-01", "amounts": ""})
    assert done.status_code == 302
    arrangement = PaymentArrangement.objects.get()
    assert [i.amount for i in arrangement.installments.all()] == [30_000, 30_000, 30_000]
    assert AuditEvent.objects.filter(action=events.ARRANGEMENT_MADE, household_id=account.premise_id).exists()
    cancel = reverse("cancel-arrangement", args=[account.premise_id, account.pk, arrangement.pk])
    assert client.post(cancel, {"reason": "Agreed by mistake"}).status_code == 302
    assert PaymentArrangement.objects.get().status == ArrangementStatus.CANCELLED


def test_a_korean_letter_heads_the_payment_table_as_a_bank_would(city, agent, as_user, settings):
    settings.BILL_LANGUAGE = "ko"
    account = reminded(city)
    reminder = DunningStep.objects.get(account=account, stage="reminder")
    text = pdf_text(as_user(agent).get(reverse("dunning-letter", args=[reminder.pk])))
    # The virtual accounts' column: a bank account number and its holder, not the customer's number.
    assert "은행 계좌번호 예금주" in text

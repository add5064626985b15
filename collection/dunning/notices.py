"""SMS and e-mail to the customer at each stage, through the outbox (core.notify), once each (dedupe keys).

Only customers who agreed to SMS or e-mail notices get them; the letter (collection.dunning.letters)
goes to everybody. Texts are written in the customer's language. A protected household, or one
whose payment arrangement is honoured, is never told of a disconnection.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from core import notify
from core.models import Notification

from ..choices import DunningStage


def payment_accounts(account_number: str) -> list[tuple[str, str]]:
    """The banks and account numbers the customer pays into (a virtual account per customer: 가상계좌)."""
    return [
        (bank, template.replace("{account}", account_number))
        for bank, template in settings.BILL_PAYMENT_ACCOUNTS
    ]


def contact_line(office) -> str:
    """Whom to call: the branch office, and the call centre."""
    office_name = office.display_name if office is not None else ""
    phone = office.phone if office is not None else ""
    if office_name and phone:
        return _("%(office)s (%(phone)s) or the call centre %(centre)s") % {
            "office": office_name,
            "phone": phone,
            "centre": settings.DUNNING_CALL_CENTRE,
        }
    return _("the call centre %(centre)s") % {"centre": settings.DUNNING_CALL_CENTRE}


def _won(amount: int) -> str:
    return f"{amount:,}"


def _day(day) -> str:
    return day.isoformat() if day else ""


def step_text(step, account, office) -> tuple[str, str]:
    """(subject, body) of a stage's SMS / e-mail, in the active language."""
    accounts = payment_accounts(account.number)
    pay = ", ".join(f"{bank} {number}" for bank, number in accounts[:1])
    values = {
        "utility": settings.BILL_UTILITY_NAME,
        "account": account.display_number,
        "owed": _won(step.owed),
        "deadline": _day(step.deadline),
        "pay": pay,
        "contact": contact_line(office),
    }
    if step.stage == DunningStage.REMINDER:
        subject = _("Water charges overdue")
        body = _(
            "[%(utility)s] Water charges of %(owed)s won for account %(account)s are overdue. "
            "Please pay by %(deadline)s (%(pay)s). If paying is hard, ask about an installment plan: %(contact)s."
        )
    elif step.stage == DunningStage.NOTICE:
        subject = _("Notice of water supply suspension")
        body = _(
            "[%(utility)s] %(owed)s won for account %(account)s is still unpaid. Unless it is paid by "
            "%(deadline)s (%(pay)s), the water supply will be suspended under the water supply ordinance. "
            "To agree an installment plan, call %(contact)s."
        )
    else:
        subject = _("Water supply suspended for arrears")
        body = _(
            "[%(utility)s] The water supply of account %(account)s is being suspended for %(owed)s won unpaid. "
            "Once it is paid (%(pay)s) the water is turned back on, the same working day. Questions: %(contact)s."
        )
    return subject, body % values


def _send(customer, kind: str, subject: str, body: str, *, about, key: str) -> list[str]:
    """Queue the notice by SMS and e-mail, as the customer agreed; returns the channels newly queued."""
    sent = []
    phone = customer.phone or customer.phone_alt
    if customer.consent_sms and phone:
        queued = notify.queue(
            Notification.Channel.SMS, phone, kind=kind, body=body, about=about, dedupe_key=f"{key}:sms"
        )
        if queued:
            sent.append("sms")
    if customer.consent_email and customer.email:
        queued = notify.queue(
            Notification.Channel.EMAIL,
            customer.email,
            kind=kind,
            subject=subject,
            body=body,
            about=about,
            dedupe_key=f"{key}:email",
        )
        if queued:
            sent.append("email")
    return sent


def language_of(customer) -> str:
    return customer.preferred_language or settings.LANGUAGE_CODE


def notify_step(step, account, office) -> str:
    """Queue the stage's SMS / e-mail; returns what was queued ("sms,email", "sms", …)."""
    customer = account.customer
    with translation.override(language_of(customer)):
        subject, body = step_text(step, account, office)
    return ",".join(
        _send(
            customer, f"collection.dunning.{step.stage}", subject, body, about=step, key=f"dunning:{step.pk}"
        )
    )


def notify_reconnection(disconnection, account, work_order_number: str, *, protected: bool = False) -> None:
    customer = account.customer
    with translation.override(language_of(customer)):
        subject = _("Your water supply is being restored")
        if protected:
            text = _(
                "[%(utility)s] Your household is registered for protection: our crew will turn the water of "
                "account %(account)s back on (work order %(number)s) within the working day. Questions: %(contact)s."
            )
        else:
            text = _(
                "[%(utility)s] Thank you: the arrears of account %(account)s are paid. Our crew will turn the water "
                "back on (work order %(number)s) within the working day. Questions: %(contact)s."
            )
        body = text % {
            "utility": settings.BILL_UTILITY_NAME,
            "account": account.display_number,
            "number": work_order_number,
            "contact": contact_line(account.premise.district.office),
        }
    _send(
        customer,
        "collection.reconnection",
        subject,
        body,
        about=disconnection,
        key=f"reconnection:{disconnection.pk}",
    )


def notify_withdrawal(disconnection, account, *, protected: bool = False) -> None:
    customer = account.customer
    with translation.override(language_of(customer)):
        subject = _("Water supply will not be suspended")
        if protected:
            text = _(
                "[%(utility)s] Your household is registered for protection: the water supply of account "
                "%(account)s will not be suspended."
            )
        else:
            text = _(
                "[%(utility)s] Thank you: the arrears of account %(account)s are paid, so the water supply "
                "will not be suspended."
            )
        body = text % {"utility": settings.BILL_UTILITY_NAME, "account": account.display_number}
    _send(
        customer,
        "collection.reconnection",
        subject,
        body,
        about=disconnection,
        key=f"reconnection:{disconnection.pk}",
    )


def notify_arrangement(arrangement, account, installments) -> None:
    customer = account.customer
    with translation.override(language_of(customer)):
        schedule = ", ".join(
            _("%(day)s %(amount)s won") % {"day": _day(i.due_on), "amount": _won(i.amount)}
            for i in installments
        )
        subject = _("Your installment plan")
        body = _(
            "[%(utility)s] Installment plan for account %(account)s (%(arrears)s won): %(schedule)s. "
            "Pay each by its date (%(pay)s)."
        ) % {
            "utility": settings.BILL_UTILITY_NAME,
            "account": account.display_number,
            "arrears": _won(arrangement.arrears),
            "schedule": schedule,
            "pay": ", ".join(f"{b} {n}" for b, n in payment_accounts(account.number)[:1]),
        }
    _send(
        customer,
        "collection.arrangement",
        subject,
        body,
        about=arrangement,
        key=f"arrangement:{arrangement.pk}",
    )


def notify_broken_arrangement(arrangement, account, installment) -> None:
    customer = account.customer
    with translation.override(language_of(customer)):
        subject = _("Your installment plan has ended")
        body = _(
            "[%(utility)s] Installment %(number)s of your plan for account %(account)s (due %(day)s) was not "
            "paid, so the plan has ended. Please pay what is overdue or call %(contact)s."
        ) % {
            "utility": settings.BILL_UTILITY_NAME,
            "number": installment.number,
            "account": account.display_number,
            "day": _day(installment.due_on),
            "contact": contact_line(account.premise.district.office),
        }
    _send(
        customer,
        "collection.arrangement",
        subject,
        body,
        about=arrangement,
        key=f"arrangement:{arrangement.pk}:broken",
    )

"""What the customer is told about auto-debit: enrolment, its end, a debit that failed.

Queued through the outbox (core.notify) inside the action's transaction, by SMS and/or
e-mail as the customer agreed to receive notices, in the customer's language. A
customer who agreed to neither learns of a failed debit from the next bill, which
shows what is still owed. The bank account appears masked, as on the console.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import notify
from core.models import Notification

KIND = "collection.auto_debit"


def _channels(customer) -> list[tuple[str, str]]:
    channels = []
    phone = customer.phone or customer.phone_alt
    if customer.consent_sms and phone:
        channels.append((Notification.Channel.SMS, phone))
    if customer.consent_email and customer.email:
        channels.append((Notification.Channel.EMAIL, customer.email))
    return channels


def _send(customer, *, about, key: str, subject: str, body: str) -> int:
    queued = 0
    for channel, recipient in _channels(customer):
        queued += bool(
            notify.queue(
                channel,
                recipient,
                kind=KIND,
                subject=subject if channel == Notification.Channel.EMAIL else "",
                body=body,
                about=about,
                dedupe_key=f"{key}:{channel}",
            )
        )
    return queued


def _language(customer) -> str:
    return customer.preferred_language or settings.LANGUAGE_CODE


def ways_to_pay(account) -> str:
    """The bill's payment accounts (virtual accounts carry the account number), as one line."""
    return ", ".join(
        f"{bank} {template.replace('{account}', account.number)}"
        for bank, template in settings.BILL_PAYMENT_ACCOUNTS
    )


def enrolled(mandate, customer) -> int:
    with translation.override(_language(customer)):
        body = _(
            "[Suido] Auto-debit is set up for water account %(account)s: bills due from %(starts_on)s "
            "will be debited on their due date from %(bank)s %(bank_account)s."
        ) % {
            "account": mandate.account.display_number,
            "starts_on": date_format(mandate.starts_on),
            "bank": mandate.bank_name,
            "bank_account": mandate.masked_account,
        }
        return _send(
            customer,
            about=mandate,
            key=f"mandate:{mandate.pk}:enrolled",
            subject=_("Auto-debit set up"),
            body=body,
        )


def ended(mandate, customer) -> int:
    with translation.override(_language(customer)):
        body = _(
            "[Suido] Auto-debit of water account %(account)s from %(bank)s %(bank_account)s ends on %(ended_on)s "
            "(%(reason)s). Bills due from then on are paid directly: %(ways)s."
        ) % {
            "account": mandate.account.display_number,
            "bank": mandate.bank_name,
            "bank_account": mandate.masked_account,
            "ended_on": date_format(mandate.ended_on),
            "reason": mandate.get_end_reason_display(),
            "ways": ways_to_pay(mandate.account),
        }
        return _send(
            customer,
            about=mandate,
            key=f"mandate:{mandate.pk}:ended",
            subject=_("Auto-debit ended"),
            body=body,
        )


def debit_failed(line, customer, *, due_on, mandate_ended: bool) -> int:
    """The debit did not happen: what is owed, why, and how to pay it another way."""
    account = line.account
    with translation.override(_language(customer)):
        body = _(
            "[Suido] The auto-debit of %(amount)s won for water account %(account)s (bill due %(due_on)s) "
            "did not go through: %(reason)s. Please pay it by transfer to %(ways)s, or at a bank or our office."
        ) % {
            "amount": f"{line.amount:,}",
            "account": account.display_number,
            "due_on": date_format(due_on),
            "reason": line.result_text,
            "ways": ways_to_pay(account),
        }
        if mandate_ended:
            body += " " + _(
                "Auto-debit has ended for this account; to use it again, apply with a bank account."
            )
        return _send(
            customer,
            about=line,
            key=f"debit:{line.reference}:failed",
            subject=_("Auto-debit failed: please pay your water bill"),
            body=body,
        )

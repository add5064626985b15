"""Card and online payment callbacks: a payment provider tells us of a payment taken, or cancelled.

The provider signs each call with the secret it shares with us (HMAC-SHA256 over the
timestamp and the body, as in docs/collection.md); a call unsigned, signed with another
secret, or older than ``CALLBACK_MAX_AGE`` is refused before anything is read. The
``Idempotency-Key`` header is the provider's own id of the payment: the same payment
told twice (providers retry until they hear 2xx) is recorded once, and a cancellation
reverses it once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from customers.models import Account

from .actions import record_payment, reverse_payment
from .choices import PaymentSource, PaymentStatus
from .imports import account_number_as_written
from .ledger import position
from .models import Payment

CALLBACK_MAX_AGE = timedelta(minutes=5)
METHODS = {"card": PaymentSource.CARD, "online": PaymentSource.ONLINE}


class NotAuthentic(Exception):
    """The call is not from the provider it names (or too old to trust)."""


class UnknownPayment(Exception):
    """A cancellation of a payment we never recorded."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a provider sends: ``sha256=`` and the hex HMAC of ``timestamp.body``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def authenticate(provider: str, timestamp: str, signature: str, body: bytes, *, now: datetime | None = None):
    secret = settings.PAYMENT_CALLBACK_SECRETS.get(provider)
    if not secret:
        raise NotAuthentic(_("Unknown payment provider."))
    if not hmac.compare_digest(sign(secret, timestamp or "", body), signature or ""):
        raise NotAuthentic(_("The signature does not match."))
    try:
        sent = datetime.fromtimestamp(int(timestamp), tz=timezone.get_default_timezone())
    except (TypeError, ValueError, OverflowError):
        raise NotAuthentic(_("The timestamp is not a number of seconds.")) from None
    if abs((now or timezone.now()) - sent) > CALLBACK_MAX_AGE:
        raise NotAuthentic(_("The call is more than five minutes old or ahead; it is not accepted again."))


@dataclass
class CallbackOutcome:
    status: str  # recorded, already_recorded, suspense, reversed, already_reversed
    payment: Payment

    def as_json(self) -> dict:
        payment = self.payment
        answer = {"status": self.status, "payment": payment.pk, "reference": payment.reference}
        if payment.account_id is not None:
            answer |= {
                "account": payment.account.display_number,
                "allocated": payment.allocated,
                "balance": position(payment.account_id).balance,
            }
        return answer


def handle_callback(provider: str, idempotency_key: str, body: bytes) -> CallbackOutcome:
    """Record (or reverse) the payment the authenticated call tells of."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 48:
        raise ValidationError(
            {"idempotency_key": _("The Idempotency-Key header (1 to 48 characters) is missing.")}
        )
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(_("The body is not JSON.")) from None
    if not isinstance(data, dict):
        raise ValidationError(_("The body is not a JSON object."))
    source = METHODS.get(data.get("method"))
    if source is None:
        raise ValidationError({"method": _("The method must be “card” or “online”.")})
    reference = f"{provider}:{key}"
    event = data.get("event")
    if event == "cancelled":
        return _cancel(source, reference, data)
    if event != "paid":
        raise ValidationError({"event": _("The event must be “paid” or “cancelled”.")})

    amount = data.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError({"amount": _("The amount must be a positive whole number of won.")})
    paid_at = parse_datetime(str(data.get("paid_at") or ""))
    if paid_at is None or timezone.is_naive(paid_at):
        raise ValidationError({"paid_at": _("paid_at must be a date and time with its offset (ISO 8601).")})
    if paid_at > timezone.now() + CALLBACK_MAX_AGE:
        raise ValidationError({"paid_at": _("paid_at is in the future.")})
    stated = str(data.get("account") or "")[:40]
    number = account_number_as_written(stated)
    account = Account.objects.filter(number=number).first() if number else None
    recorded = record_payment(
        account,  # no account: the money was taken, so it waits in suspense for a clerk
        amount=amount,
        source=source,
        reference=reference,
        received_at=paid_at,
        acting_user=None,
        payer=str(data.get("payer") or "")[:100],
        note=_("Told by %(provider)s") % {"provider": provider},
        stated_account=stated,
    )
    if not recorded.created:
        status = "already_recorded"
    elif account is None:
        status = "suspense"
    else:
        status = "recorded"
    return CallbackOutcome(status, Payment.objects.select_related("account").get(pk=recorded.payment.pk))


def _cancel(source: str, reference: str, data: dict) -> CallbackOutcome:
    payment = Payment.objects.select_related("account").filter(source=source, reference=reference).first()
    if payment is None:
        raise UnknownPayment(_("No payment %(reference)s is on record.") % {"reference": reference})
    if payment.status == PaymentStatus.REVERSED:
        return CallbackOutcome("already_reversed", payment)
    reason = str(data.get("reason") or "").strip()[:200] or _("cancelled by the payer")
    payment = reverse_payment(
        payment,
        reason=_("Cancelled at %(source)s: %(reason)s")
        % {"source": payment.get_source_display(), "reason": reason},
        acting_user=None,
    )
    return CallbackOutcome("reversed", Payment.objects.select_related("account").get(pk=payment.pk))

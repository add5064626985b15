"""Reconnection (단수해제): when a disconnected account's arrears are paid, its water is ordered back on.

Whatever brought the money (counter, bank file, card callback, auto-debit), the ledger's
``settle`` sends ``collection.signals.payments_settled`` once the payment is committed;
``collection.tasks.reconnect_paid`` then looks at the few accounts among them that are
disconnected and resolves those with nothing overdue left — within minutes, automatically.
A sweep every few minutes catches what a lost task missed.

Resolving a disconnection, with its row locked so it happens once:

- the crew has not started on the disconnection order yet → the order (and its visit, if it
  carries nothing else) is withdrawn: the water was never off;
- otherwise (done, or the crew is on site) → a **reconnection work order**, one per
  disconnection (the disconnection is resolved in the same transaction; one open
  disconnection per account is a database constraint, so never two orders for one account).

Either way the episode of arrears closes and the customer is told.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.audit import record_event
from core.dates import today as seoul_today
from customers.models import Account

from ..choices import DisconnectionResolution
from ..ledger import lock_accounts
from ..models import ArrearsEpisode, Disconnection
from . import events
from .notices import notify_reconnection, notify_withdrawal
from .stages import RECONNECTION_TYPE, overdue_by_account


@dataclass
class Reconnected:
    reconnections: int = 0
    withdrawn: int = 0


def reconnect_cleared(account_ids=None, *, now=None) -> Reconnected:
    """Resolve the open disconnections (of these accounts, or all) whose arrears are paid."""
    open_ = Disconnection.objects.filter(resolved_at__isnull=True)
    rows = list(open_.values_list("id", "account_id"))  # few: the accounts whose water is off
    if account_ids is not None:
        wanted = {int(a) for a in account_ids}
        rows = [row for row in rows if row[1] in wanted]
    outcome = Reconnected()
    if not rows:
        return outcome
    still_owing = overdue_by_account(seoul_today(), [account for _pk, account in rows])
    for pk, account_id in rows:
        if account_id in still_owing:
            continue
        resolution = resolve(pk, now=now)
        if resolution == DisconnectionResolution.WITHDRAWN:
            outcome.withdrawn += 1
        elif resolution:
            outcome.reconnections += 1
    return outcome


def resolve(pk: int, *, protected: bool = False, now=None) -> str:
    """Resolve one open disconnection (arrears paid, or the household now protected); returns the resolution."""
    from servicedesk.actions import Contact, RequestDraft, cancel_request, take_requests
    from servicedesk.choices import OPEN_REQUEST_STATUSES, Channel, Origin, RequestStatus, VisitStatus
    from servicedesk.models import RequestType, Visit

    now = now or timezone.now()
    today = seoul_today()
    account_id = Disconnection.objects.filter(pk=pk).values_list("account_id", flat=True).first()
    if account_id is None:
        return ""
    with transaction.atomic():
        lock_accounts([account_id])
        disconnection = (
            Disconnection.objects.select_for_update(of=("self",))
            .select_related("order__visit", "step")
            .filter(pk=pk, resolved_at__isnull=True)
            .first()
        )
        if disconnection is None:
            return ""  # resolved meanwhile (the task and the sweep, or two payments)
        if not protected and overdue_by_account(today, [account_id]):
            return ""  # a payment reversed since, or a new bill fell due
        account = Account.objects.select_related("customer", "premise__district__office").get(pk=account_id)
        order = disconnection.order
        visit = order.visit
        untouched = order.status in OPEN_REQUEST_STATUSES and (
            visit is None or visit.status == VisitStatus.PLANNED
        )
        with translation.override(settings.LANGUAGE_CODE):
            if protected:
                reason = _("The household is now protected from disconnection.")
            else:
                reason = _("The arrears are paid.")
            if untouched or order.status == RequestStatus.CANCELLED:
                if untouched:
                    cancel_request(order, reason=reason + " " + _("No disconnection."), acting_user=None)
                    if (
                        visit is not None
                        and not visit.requests.filter(status__in=OPEN_REQUEST_STATUSES).exists()
                    ):
                        Visit.objects.filter(pk=visit.pk, status=VisitStatus.PLANNED).update(
                            status=VisitStatus.CANCELLED
                        )
                resolution, work_order = DisconnectionResolution.WITHDRAWN, None
            else:
                kind = RequestType.objects.get(code=RECONNECTION_TYPE)
                description = _(
                    "%(reason)s Turn the water of account %(account)s back on (disconnected by work order "
                    "%(order)s) and remove the seal."
                ) % {"reason": reason, "account": account.display_number, "order": order.number}
                customer = account.customer
                intake = take_requests(
                    [RequestDraft(kind, description)],
                    channel=Channel.PROACTIVE,
                    origin=Origin.PROACTIVE,
                    contact=Contact(
                        name=customer.name,
                        phone=customer.phone or customer.phone_alt,
                        email=customer.email,
                        by_sms=customer.consent_sms,
                        by_email=customer.consent_email,
                    ),
                    acting_user=None,
                    premise=account.premise,
                    received_at=now,
                    notify_citizen=False,
                    intake_key=f"dunning-reconnection:{disconnection.pk}",
                )
                work_order = intake.requests[0]
                resolution = (
                    DisconnectionResolution.PROTECTED if protected else DisconnectionResolution.RECONNECTION
                )
        disconnection.resolved_at = now
        disconnection.resolution = resolution
        disconnection.reconnection = work_order
        disconnection.save(update_fields=["resolved_at", "resolution", "reconnection"])
        if not protected:
            ArrearsEpisode.objects.filter(account_id=account_id, closed_on__isnull=True).update(
                closed_on=max(today, disconnection.step.on)
            )
        if work_order is None:
            record_event(
                events.DISCONNECTION_WITHDRAWN,
                actor=None,
                subject=disconnection,
                household_id=account.premise_id,
                details={
                    "account": account.display_number,
                    "work_order": order.number,
                    "protected": protected,
                },
            )
            notify_withdrawal(disconnection, account, protected=protected)
        else:
            record_event(
                events.RECONNECTION_ORDERED,
                actor=None,
                subject=disconnection,
                household_id=account.premise_id,
                details={
                    "account": account.display_number,
                    "work_order": work_order.number,
                    "protected": protected,
                },
            )
            notify_reconnection(disconnection, account, work_order.number, protected=protected)
        return resolution

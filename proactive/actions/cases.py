"""A proactive case's steps: pre-call (explained → closed; not explained or unreachable →
leak-diagnosis visit), the visit's finding, and the leak bill reduction prefilled from
the billing rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_event
from servicedesk.actions.common import require_text
from servicedesk.actions.dispatch import open_visit
from servicedesk.actions.lifecycle import finish_request

from .. import events
from ..choices import CaseStage, PrecallOutcome
from ..models import ProactiveCase


def _lock(case: ProactiveCase, stage: str) -> ProactiveCase:
    case = (
        ProactiveCase.objects.select_for_update(of=("self",))
        .select_related("request", "account")
        .get(pk=case.pk)
    )
    if case.stage != stage:
        raise ValidationError(
            _("This case is at “%(stage)s”, not at “%(expected)s”.")
            % {"stage": case.get_stage_display(), "expected": CaseStage(stage).label},
            code="stage",
        )
    return case


@transaction.atomic
def record_precall(case: ProactiveCase, *, outcome: str, note: str, acting_user) -> ProactiveCase:
    """Step 1: the call to the household. Explained: closed. Otherwise: a leak-diagnosis visit."""
    if outcome not in PrecallOutcome.values:
        raise ValidationError({"outcome": _("Choose how the call went.")})
    case = _lock(case, CaseStage.PRECALL)
    if outcome == PrecallOutcome.EXPLAINED:
        note = require_text(note, "note", _("Write down what explains the rise."))
    case.precall_outcome, case.precall_note = outcome, note.strip()
    case.precall_at, case.precall_by = timezone.now(), acting_user
    if outcome == PrecallOutcome.EXPLAINED:
        finish_request(case.request, resolution=_("Explained by the household: %(note)s") % {"note": case.precall_note},
                       acting_user=acting_user)  # fmt: skip
        case.stage, case.closed_at = CaseStage.CLOSED, timezone.now()
    else:
        open_visit(case.request, acting_user=acting_user)
        case.stage = CaseStage.VISIT
    case.save()
    _record_step(events.PRECALL_RECORDED, case, acting_user, precall_outcome=outcome, note=case.precall_note)
    return case


@transaction.atomic
def record_leak_finding(
    case: ProactiveCase, *, leak_found: bool, repaired_on: date | None, note: str, acting_user
) -> ProactiveCase:
    """Step 2: what the visit found. A leak found and repaired leads to the bill reduction."""
    case = _lock(case, CaseStage.VISIT)
    note = require_text(note, "note", _("Write down what the visit found."))
    if repaired_on is not None and not leak_found:
        raise ValidationError({"repaired_on": _("A repair date needs a leak found.")})
    case.leak_found, case.repaired_on = leak_found, repaired_on
    if leak_found and repaired_on is not None:
        case.stage = CaseStage.REDUCTION
    else:
        case.stage, case.closed_at = CaseStage.CLOSED, timezone.now()
    case.save()
    _record_step(
        events.LEAK_FINDING_RECORDED, case, acting_user, leak_found=leak_found,
        repaired_on=repaired_on.isoformat() if repaired_on else "", note=note,
    )  # fmt: skip
    return case


def _record_step(action: str, case: ProactiveCase, acting_user, **details) -> None:
    record_event(
        action,
        actor=acting_user,
        subject=case,
        household_id=case.account.premise_id,
        details={"number": case.request.number, **details},
    )


@dataclass
class ReductionProposal:
    """The leak reduction the officer is offered: the bill and the rule's settings, prefilled."""

    bill: object
    baseline: str
    months: int
    share_percent: int


def propose_reduction(case: ProactiveCase) -> ReductionProposal:
    """The bill of the period the leak was found in, with the configured leak-reduction rule."""
    from billing.choices import BillStatus
    from billing.models import Bill

    detection = case.detections.order_by("read_on").first()
    bill = (
        Bill.objects.filter(account=case.account, status=BillStatus.ISSUED, period_end__gte=detection.read_on)
        .order_by("period_end")
        .first()
    )
    if bill is None:
        raise ValidationError(_("The period of the leak has not been billed yet."), code="not_billed")
    return ReductionProposal(
        bill, settings.LEAK_BASELINE, settings.LEAK_BASELINE_MONTHS, settings.LEAK_REDUCTION_SHARE_PERCENT
    )


@transaction.atomic
def apply_reduction(case: ProactiveCase, *, reason: str, acting_user, **rule) -> ProactiveCase:
    """Step 3: the leak bill reduction (누수요금감면) on the proposed bill; the case closes."""
    from billing.actions import reduce_for_leak

    case = _lock(case, CaseStage.REDUCTION)
    proposal = propose_reduction(case)
    case.adjustment = reduce_for_leak(
        proposal.bill,
        reason=reason,
        acting_user=acting_user,
        baseline=rule.get("baseline", proposal.baseline),
        months=rule.get("months", proposal.months),
        share_percent=rule.get("share_percent", proposal.share_percent),
    )
    case.stage, case.closed_at = CaseStage.CLOSED, timezone.now()
    case.save()
    return case

"""A bill and its corrections: cancel, cancel and rebill, adjust, reduce for a leak."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import add_action_errors
from customers.privacy import shown_name
from metering.models import MeterReading

from .. import actions
from ..choices import AdjustmentKind, LeakBaseline
from ..forms import AdjustForm, CancelForm, LeakForm, RebillForm
from ..models import Bill
from . import RUN_BILLING, VIEW_BILLS
from .tariffs import component_label

OPERATIONS = {"cancel": CancelForm, "rebill": RebillForm, "adjust": AdjustForm, "leak": LeakForm}


@dataclass
class Charge:
    label: str
    amount: int


def charge_lines(bill: Bill) -> list[Charge]:
    """The bill's charges with the labels of its own tariff version, in the reader's language."""
    labels = {c.code: component_label(c) for c in bill.tariff_version.parsed_rules.components}
    return [Charge(labels.get(code, code), amount) for code, amount in bill.charges]


def leak_calculation(adjustment, labels: dict[str, str]) -> dict | None:
    """The leak reduction's figures, as the officer and the customer read them."""
    calc = adjustment.calculation or {}
    if adjustment.kind != AdjustmentKind.LEAK or not calc:
        return None
    baseline = calc.get("baseline")
    return {
        "baseline_label": LeakBaseline(baseline).label if baseline in LeakBaseline.values else baseline,
        "months": calc.get("months"),
        "compared": calc.get("compared", []),
        "usage_m3": calc.get("usage_m3"),
        "baseline_m3": calc.get("baseline_m3"),
        "leaked_m3": calc.get("leaked_m3"),
        "share_percent": calc.get("share_percent"),
        "waived_m3": calc.get("waived_m3"),
        "by_component": [
            (labels.get(code, code), -won) for code, won in (calc.get("by_component") or {}).items()
        ],
    }


def _perform(operation: str, bill: Bill, data: dict, user):
    """Call the operation's action; returns (the bill to show next, the message)."""
    number, month = bill.account.display_number, bill.period.strftime("%Y-%m")
    if operation == "cancel":
        actions.cancel_bill(bill, reason=data["reason"], acting_user=user)
        return bill, _("The bill of %(account)s for %(month)s was cancelled.") % {
            "account": number,
            "month": month,
        }
    if operation == "rebill":
        new = actions.rebill(bill, reason=data["reason"], acting_user=user)
        return new, _("%(account)s was billed again for %(month)s.") % {"account": number, "month": month}
    if operation == "adjust":
        actions.adjust_bill(
            bill, amount=data["amount"], kind=data["kind"], reason=data["reason"], acting_user=user
        )
        return bill, _("The adjustment was added to the bill.")
    adjustment = actions.reduce_for_leak(
        bill,
        reason=data["reason"],
        baseline=data["baseline"],
        months=data["months"],
        share_percent=data["share_percent"],
        acting_user=user,
    )
    return bill, _("Leak reduction of %(m3)s m³ applied.") % {"m3": adjustment.calculation["waived_m3"]}


@login_required
@permission_required(VIEW_BILLS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def bill_detail(request, pk: int):
    bill = get_object_or_404(
        Bill.objects.select_related(
            "account__customer",
            "account__premise__route__cycle",
            "tariff_version__tariff",
            "end_reading__meter",
            "run__cycle",
            "cancelled_by",
            "replaces",
        ),
        pk=pk,
    )
    forms = {name: form_class(prefix=name) for name, form_class in OPERATIONS.items()}
    status = 200
    if request.method == "POST":
        if not request.user.has_perm(RUN_BILLING):
            raise PermissionDenied
        operation = request.POST.get("op")
        if operation not in OPERATIONS:
            return HttpResponseBadRequest(_("Unknown operation."))
        form = forms[operation] = OPERATIONS[operation](request.POST, prefix=operation)
        if form.is_valid():
            try:
                shown, message = _perform(operation, bill, form.cleaned_data, request.user)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, message)
                return redirect("bill", shown.pk)
        status = 422
        bill.refresh_from_db()  # nothing changed: show the bill as it stands
    labels = {c.code: component_label(c) for c in bill.tariff_version.parsed_rules.components}
    adjustments = list(bill.adjustment_lines.select_related("created_by").order_by("created_at", "id"))
    for adjustment in adjustments:
        adjustment.leak = leak_calculation(adjustment, labels)
    counted = (
        MeterReading.objects.filter(
            account=bill.account, read_on__gt=bill.period_start, read_on__lte=bill.period_end
        )
        .select_related("meter")
        .order_by("read_on", "id")
    )
    replaced_by = Bill.objects.filter(replaces=bill).first()
    context = {
        "bill": bill,
        "account": bill.account,
        "premise": bill.account.premise,
        "holder": shown_name(bill.account.customer),
        "charges": charge_lines(bill),
        "adjustments": adjustments,
        "readings": list(counted[:40]),
        "replaced_by": replaced_by,
        "forms": forms,
        "open_operation": request.POST.get("op") if status == 422 else "",
        "has_leak": any(a.kind == AdjustmentKind.LEAK for a in adjustments),
        "can_correct": bill.is_issued and request.user.has_perm(RUN_BILLING),
    }
    return render(request, "billing/bill_detail.html", context, status=status)

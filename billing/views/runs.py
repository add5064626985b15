"""Billing runs: the list with the form to start one, a run's record with live progress and its exceptions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.dates import today
from core.forms import add_action_errors
from customers.models import BillingCycle

from .. import actions
from ..choices import INFORMATIONAL_REASONS, ChunkStatus, RunExceptionReason, RunStatus
from ..forms import RunFilterForm, StartRunForm
from ..models import BillingRun, BillingRunChunk, RunException
from ..run.periods import BillingPeriod
from . import PAGE_SIZE, RUN_BILLING, VIEW_RUNS


@dataclass
class MonthSummary:
    period: date
    runs: int
    running: int
    unbalanced: int
    with_exceptions: int
    accounts: int
    bills: int
    estimated: int
    exceptions: int
    unaccounted: int
    amount: int


def month_summaries(limit: int = 12) -> list[MonthSummary]:
    rows = (
        BillingRun.objects.values("period")
        .annotate(
            runs=Count("id"),
            running=Count("id", filter=Q(status=RunStatus.RUNNING)),
            unbalanced=Count("id", filter=Q(status=RunStatus.UNBALANCED)),
            with_exceptions=Count("id", filter=Q(status=RunStatus.WITH_EXCEPTIONS)),
            accounts=Sum("scope_accounts"),
            bills=Sum("bills"),
            estimated=Sum("bills_estimated"),
            exceptions=Sum("exceptions"),
            unaccounted=Sum("unaccounted"),
            amount=Sum("amount_total"),
        )
        .order_by("-period")[:limit]
    )
    return [MonthSummary(**row) for row in rows]


@login_required
@permission_required(VIEW_RUNS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def runs(request):
    """The months billed, the runs of one month (the latest by default), and the form to start a run."""
    form = StartRunForm()
    status = 200
    if request.method == "POST":
        if not request.user.has_perm(RUN_BILLING):
            raise PermissionDenied
        form = StartRunForm(request.POST)
        if form.is_valid():
            started = _start(request, form)
            if started is not None:
                return started
        status = 422
    months = month_summaries()
    filters = RunFilterForm(request.GET or None)
    selected, run_status = None, ""
    if filters.is_valid():
        selected, run_status = filters.cleaned_data["month"], filters.cleaned_data["status"]
    if selected is None and months:
        selected = months[0].period
    queryset = BillingRun.objects.select_related("cycle", "started_by").order_by("-period", "cycle__code")
    query = {}
    if selected:
        queryset = queryset.filter(period=selected)
        query["month"] = selected.strftime("%Y-%m")
    if run_status:
        queryset = queryset.filter(status=run_status)
        query["status"] = run_status
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    waiting = []
    if selected:
        waiting = [
            (cycle, BillingPeriod.of(cycle, selected))
            for cycle in BillingCycle.objects.exclude(runs__period=selected).order_by("code")
        ]
    if not form.is_bound and selected:
        form = StartRunForm(initial={"month": selected})
    context = {
        "form": form,
        "filters": filters,
        "months": months,
        "selected": selected,
        "run_status": run_status,
        "page": page,
        "page_query": urlencode(query) + "&" if query else "",
        "waiting": waiting,
        "today": today(),
    }
    return render(request, "billing/runs.html", context, status=status)


def _start(request, form):
    """Bill the month for the cycle chosen, or for every cycle whose readings are due; None if refused."""
    month, cycle = form.cleaned_data["month"], form.cleaned_data["cycle"]
    cycles = [cycle] if cycle else list(BillingCycle.objects.order_by("code"))
    started, refused = [], []
    for billing_cycle in cycles:
        try:
            started.append(run_cycle(billing_cycle, month, request.user))
        except ValidationError as exc:
            if cycle is not None:
                add_action_errors(form, exc)
                return None
            refused.append((billing_cycle, exc))
    if not started:
        add_action_errors(form, refused[0][1])
        return None
    if cycle is not None:
        run = started[0]
        messages.success(
            request,
            _("Billing of cycle %(cycle)s for %(month)s: %(status)s.")
            % {"cycle": run.cycle.code, "month": month.strftime("%Y-%m"), "status": run.get_status_display()},
        )
        return redirect("billing-run", run.pk)
    messages.success(
        request,
        _("Billing of %(month)s started for %(n)s cycles.")
        % {"month": month.strftime("%Y-%m"), "n": len(started)},
    )
    if refused:
        messages.warning(
            request,
            _("Not yet billable: cycles %(cycles)s (their reading window has not opened).")
            % {"cycles": ", ".join(c.code for c, _exc in refused)},
        )
    return redirect(reverse("billing-runs") + "?" + urlencode({"month": month.strftime("%Y-%m")}))


def run_cycle(cycle, month, user) -> BillingRun:
    """Start, resume or fill the gaps of the run; embedded, it is billed here, with a broker by the workers."""
    return actions.run_billing_cycle(cycle, month, acting_user=user)


def _reconciliation(run: BillingRun) -> dict:
    explained = run.bills + run.exceptions + run.unaccounted
    return {
        "billed_elsewhere": max(run.scope_accounts - explained, 0),
        "balanced": run.unaccounted == 0,
    }


def _so_far(run: BillingRun) -> dict | None:
    """While a run runs, what its finished chunks of this pass did (the run is reconciled at the end)."""
    if run.finished:
        return None
    return BillingRunChunk.objects.filter(run=run, pass_number=run.passes, status=ChunkStatus.DONE).aggregate(
        accounts=Coalesce(Sum("accounts"), 0), exceptions=Coalesce(Sum("exceptions"), 0)
    )


@login_required
@permission_required(VIEW_RUNS, raise_exception=True)
@require_GET
def run_detail(request, pk: int):
    run = get_object_or_404(BillingRun.objects.select_related("cycle", "started_by"), pk=pk)
    reason = request.GET.get("reason", "")
    if reason not in RunExceptionReason.values:
        reason = ""
    by_reason = dict(
        RunException.objects.filter(run=run).values_list("reason").annotate(n=Count("id")).order_by()
    )
    exceptions = (
        RunException.objects.filter(run=run)
        .select_related("account__premise")
        .order_by("reason", "account_id")
    )
    if reason:
        exceptions = exceptions.filter(reason=reason)
    page = Paginator(exceptions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "run": run,
        "reconciliation": _reconciliation(run),
        "so_far": _so_far(run),
        "page": page,
        "page_query": f"reason={reason}&" if reason else "",
        "reason": reason,
        "reasons": [
            (value, label, by_reason.get(value, 0), value in INFORMATIONAL_REASONS)
            for value, label in RunExceptionReason.choices
            if by_reason.get(value)
        ],
        "total_exceptions": sum(by_reason.values()),
        "print_batches": _print_batches(run),
    }
    return render(request, "billing/run_detail.html", context)


def _print_batches(run: BillingRun) -> list:
    """The run's print files (billing/documents), newest first."""
    batches = getattr(run, "print_batches", None)
    return list(batches.select_related("created_by").order_by("-number")) if batches is not None else []


@login_required
@permission_required(VIEW_RUNS, raise_exception=True)
@require_GET
def run_progress(request, pk: int):
    """The run's progress as a fragment, polled while it runs; once it has finished, the page reloads."""
    run = get_object_or_404(BillingRun.objects.select_related("cycle"), pk=pk)
    if run.finished and request.htmx and request.GET.get("poll"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"  # the exceptions and totals of the finished run
        return response
    context = {"run": run, "reconciliation": _reconciliation(run), "so_far": _so_far(run)}
    return render(request, "billing/_run_progress.html", context)

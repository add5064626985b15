from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import uploads
from core.dates import today
from core.pii import masked_phone
from customers.views import VIEW_HOUSEHOLD, OperationView, premise_or_404

from . import actions
from .choices import CaseStage, DetectionStatus, Suppression
from .forms import (
    DeclareEventForm,
    DetectionFilterForm,
    FindingForm,
    FlowImportForm,
    PrecallForm,
    ReductionForm,
    ResidentsForm,
)
from .household import proactive_panel
from .imports import import_hourly_flows
from .models import DeclaredEvent, FlowImport, ProactiveCase
from .statistics import detection_review, detections_read, four_inconveniences

WORK = "proactive.work_proactive"
EXPLAIN = "proactive.record_explanation"
CASE_LIST_LIMIT = 200
DETECTIONS_PAGE = 50


@login_required
@permission_required("servicedesk.supervise_requests", raise_exception=True)
def statistics(request):
    years, rows = four_inconveniences()
    return render(request, "proactive/statistics.html", {"years": years, "rows": rows})


@login_required
@permission_required("servicedesk.supervise_requests", raise_exception=True)
@require_GET
def detections(request):
    """A month's findings by outcome, and the findings themselves: what a utility tunes its thresholds on."""
    filters = request.GET.copy()
    filters.setdefault("month", today().strftime("%Y-%m"))  # this month unless another is chosen
    form = DetectionFilterForm(filters)
    chosen = form.cleaned_data if form.is_valid() else {}
    first_day = chosen.get("month") or today().replace(day=1)
    last_day = (first_day + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    office = getattr(request.user, "office", None)
    everywhere = office is None or request.GET.get("office") == "all"
    found = detections_read(first_day, last_day, office=None if everywhere else office)
    if chosen.get("kind"):
        found = found.filter(kind=chosen["kind"])
    outcome = chosen.get("outcome")
    if outcome == DetectionStatus.ALERTED:
        found = found.filter(status=DetectionStatus.ALERTED)
    elif outcome:
        found = found.filter(suppressed_by=outcome)
    page = Paginator(
        found.select_related("account__premise", "case__request").order_by("-read_on", "-id"), DETECTIONS_PAGE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "first_day": first_day,
        "summary": detection_review(first_day, last_day, office=None if everywhere else office),
        "reasons": Suppression.choices,
        "page": page,
        "filter_query": query.urlencode() + "&" if query else "",
        "office": office,
        "everywhere": everywhere,
    }
    return render(request, "proactive/detections.html", context)


@login_required
@permission_required(WORK, raise_exception=True)
def cases(request):
    """Open cases, oldest first, in the user's office (all offices for a user without one)."""
    open_cases = (
        ProactiveCase.objects.exclude(stage=CaseStage.CLOSED)
        .select_related("request", "account__premise")
        .prefetch_related("detections")
        .order_by("created_at")
    )
    office = getattr(request.user, "office", None)
    if office is not None and request.GET.get("office") != "all":
        open_cases = open_cases.filter(request__office=office)
    return render(
        request,
        "proactive/cases.html",
        {"cases": open_cases[:CASE_LIST_LIMIT], "office": office, "all": request.GET.get("office") == "all"},
    )


@login_required
@permission_required(WORK, raise_exception=True)
@require_http_methods(["GET", "POST"])
def case_detail(request, pk: int):
    case = get_object_or_404(ProactiveCase.objects.select_related("request", "account__premise"), pk=pk)
    forms = {
        CaseStage.PRECALL: PrecallForm,
        CaseStage.VISIT: FindingForm,
        CaseStage.REDUCTION: ReductionForm,
    }
    form_class = forms.get(case.stage)
    form = form_class(request.POST or None) if form_class else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            done = _perform(case, form.cleaned_data, request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, done)
            return redirect("proactive-case", pk=case.pk)
    proposal = None
    if case.stage == CaseStage.REDUCTION:
        try:
            proposal = actions.propose_reduction(case)
        except ValidationError as error:
            form.add_error(None, error.messages[0])
    return render(
        request,
        "proactive/case.html",
        {
            "case": case,
            "detections": case.detections.order_by("-read_on"),
            "form": form,
            "proposal": proposal,
            # Masked: the full number is revealed, and the reveal logged, on the request's page.
            "phone": masked_phone(case.request.contact_phone),
        },
    )


def _perform(case: ProactiveCase, data: dict, user) -> str:
    """Carry the case one step; returns what to tell the user."""
    if case.stage == CaseStage.PRECALL:
        case = actions.record_precall(case, outcome=data["outcome"], note=data["note"], acting_user=user)
        if case.stage == CaseStage.CLOSED:
            return _("The case is closed with the household's explanation.")
        return _("A leak diagnosis visit is waiting to be arranged.")
    if case.stage == CaseStage.VISIT:
        case = actions.record_leak_finding(
            case,
            leak_found=data["leak_found"],
            repaired_on=data["repaired_on"],
            note=data["note"],
            acting_user=user,
        )
        if case.stage == CaseStage.REDUCTION:
            return _("The leak bill reduction is ready for the billing officer.")
        return _("The case is closed.")
    # The reduction changes a bill: billing's own permission, as on the bill page.
    if not user.has_perm("billing.run_billing"):
        raise PermissionDenied
    case = actions.apply_reduction(case, reason=data["reason"], acting_user=user)
    return _("Leak reduction of %(m3)s m³ applied.") % {"m3": case.adjustment.calculation["waived_m3"]}


# The household page's panel and what a caller declares


@login_required
@permission_required(VIEW_HOUSEHOLD, raise_exception=True)
@require_GET
def household_panel(request, pk: int):
    premise = premise_or_404(pk)
    return render(
        request, "proactive/household_panel.html", {"premise": premise, "panel": proactive_panel(premise.pk)}
    )


class DeclareEventView(OperationView):
    permission_required = EXPLAIN
    form_class = DeclareEventForm
    title = gettext_lazy("Declare an event")
    intro = gettext_lazy(
        "A read whose period overlaps the event is not alerted as unusual use; the suppression is recorded. "
        "For a lasting change, register the residents instead."
    )

    def get_initial(self):
        return {"starts_on": today(), "ends_on": today()}

    def perform(self, form):
        d = form.cleaned_data
        return actions.declare_event(
            self.account,
            kind=d["kind"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            note=d["note"],
            acting_user=self.request.user,
        )

    def get_success_message(self):
        return _("Event recorded: %(kind)s from %(start)s to %(end)s.") % {
            "kind": self.result.get_kind_display(),
            "start": self.result.starts_on.isoformat(),
            "end": self.result.ends_on.isoformat(),
        }


class ResidentsView(OperationView):
    permission_required = EXPLAIN
    form_class = ResidentsForm
    title = gettext_lazy("Register the residents")
    intro = gettext_lazy(
        "Use is judged per person from this date on, so more people living here is not taken for a leak."
    )

    def get_initial(self):
        return {"effective_from": today()}

    def perform(self, form):
        d = form.cleaned_data
        return actions.register_residents(
            self.account,
            residents=d["residents"],
            effective_from=d["effective_from"],
            reason=d["reason"],
            acting_user=self.request.user,
        )

    def get_success_message(self):
        return _("%(n)s resident(s) from %(day)s recorded.") % {
            "n": self.result.residents,
            "day": self.result.effective_from.isoformat(),
        }


@login_required
@permission_required(EXPLAIN, raise_exception=True)
@require_POST
def withdraw_event(request, pk: int, event_id: int):
    premise = premise_or_404(pk)
    event = get_object_or_404(DeclaredEvent, pk=event_id, account__premise=premise)
    try:
        actions.withdraw_event(event, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The declared event was withdrawn."))
    return redirect("household", pk=premise.pk)


# AMI hourly flow files (billing officers, beside the reading files)

REVIEW_READINGS = "metering.review_readings"


@login_required
@permission_required(REVIEW_READINGS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def flow_import_file(request):
    form, done = uploads.handle_upload(request, FlowImportForm, import_hourly_flows, "flow-import")
    if not isinstance(done, int):
        return done
    recent = FlowImport.objects.select_related("uploaded_by")[:20]
    return render(request, "proactive/flow_import.html", {"form": form, "recent": recent}, status=done)


@login_required
@permission_required(REVIEW_READINGS, raise_exception=True)
@require_GET
def flow_import_detail(request, pk: int):
    source = get_object_or_404(FlowImport.objects.select_related("uploaded_by"), pk=pk)
    context = {"source": source, "rejections": source.rejections.all()[:200]}
    return render(request, "proactive/flow_import_detail.html", context)


@login_required
@permission_required(REVIEW_READINGS, raise_exception=True)
@require_GET
def flow_rejection_report(request, pk: int):
    source = get_object_or_404(FlowImport, pk=pk)
    return uploads.rejection_report(source.name, source.pk, source.rejections.all())

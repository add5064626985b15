from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import actions
from .choices import CaseStage
from .forms import FindingForm, PrecallForm, ReductionForm
from .models import ProactiveCase
from .statistics import four_inconveniences

WORK = "proactive.work_proactive"
CASE_LIST_LIMIT = 200


@login_required
@permission_required("servicedesk.supervise_requests", raise_exception=True)
def statistics(request):
    years, rows = four_inconveniences()
    return render(request, "proactive/statistics.html", {"years": years, "rows": rows})


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

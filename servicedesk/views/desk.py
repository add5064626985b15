"""The office desk: the clerk's queue, arranging visits, the supervisor's board and the Happy Calls.

Each view parses, authorises, calls an action (``servicedesk.actions``) and renders;
the lists come from the read-only queries in ``servicedesk.board``.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import add_action_errors
from core.phones import format_phone
from core.pii import mask_name, masked_phone
from customers.choices import RevealReason
from customers.privacy import REVEAL_PERMISSION, shown_name
from staff.models import BranchOffice

from .. import actions
from .. import board as selectors
from ..actions.dispatch import field_crew, may_arrange
from ..actions.survey import MAX_CALL_ATTEMPTS
from ..choices import OPEN_REQUEST_STATUSES, SurveyStatus
from ..forms.desk import AnswerForm, ArrangeForm, RevealForm
from ..models import Survey, Visit
from ..notices import when

HANDLE = "servicedesk.handle_request"
DISPATCH = "servicedesk.dispatch_visit"
SUPERVISE = "servicedesk.supervise_requests"
HAPPY_CALL = "servicedesk.happy_call"
PAGE_SIZE = 50


# The queue


def _queue_office(request) -> BranchOffice | None:
    """The clerk's own office (None: the central team); a supervisor may look at any other."""
    office = request.user.office
    if request.user.has_perm(SUPERVISE):
        chosen = request.GET.get("office", "")
        if chosen == selectors.CENTRAL:
            office = None
        elif chosen.isdigit():
            office = get_object_or_404(BranchOffice, pk=int(chosen))
    return office


@login_required
@permission_required(HANDLE, raise_exception=True)
def queue(request):
    now = timezone.now()
    office = _queue_office(request)
    tab = request.GET.get("tab", "all")
    if tab not in selectors.TAB_KEYS:
        tab = "all"
    page = Paginator(selectors.queue(office, tab, user=request.user, now=now), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    selectors.mark_urgency(page.object_list, now)
    counts = selectors.tab_counts(office, user=request.user, now=now)
    can_choose = request.user.has_perm(SUPERVISE)
    context = {
        "office": office,
        "office_key": str(office.pk) if office else selectors.CENTRAL,
        "offices": list(BranchOffice.objects.order_by("code")) if can_choose else [],
        "can_choose_office": can_choose,
        "tabs": [(key, label, counts[key]) for key, label in selectors.TABS],
        "tab": tab,
        "page": page,
        "now": now,
    }
    if request.htmx and request.htmx.target == "queue":
        return render(request, "servicedesk/desk/_queue.html", context)
    return render(request, "servicedesk/desk/queue.html", context)


# Arranging a visit


def _renamed(error: ValidationError, names: dict[str, str]) -> ValidationError:
    """The action names the model's fields; the form calls them more simply."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({names.get(field, field): errors for field, errors in error.error_dict.items()})


ACTION_FIELDS = {"appointment_start": "start", "appointment_end": "end", "appointment_note": "note"}


@login_required
@permission_required(DISPATCH, raise_exception=True)
@require_http_methods(["GET", "POST"])
def arrange(request, number: str):
    visit = get_object_or_404(Visit.objects.select_related("premise__district", "office"), number=number)
    if not may_arrange(request.user, visit):
        raise PermissionDenied(
            _("Visit %(number)s belongs to %(office)s.") % {"number": visit.number, "office": visit.office}
        )
    requests = list(
        visit.requests.select_related("type", "owner").prefetch_related("type__skills").order_by("pk")
    )
    crew_qs = field_crew(visit.office).prefetch_related("skills").order_by("full_name", "username")
    status = 200
    if request.method == "POST":
        form = ArrangeForm(request.POST, crew_queryset=crew_qs)
        if form.is_valid():
            start, end = form.appointment()
            automatic = "automatic" in request.POST
            try:
                visit = actions.arrange_visit(
                    visit,
                    start=start,
                    end=end,
                    crew=None if automatic else list(form.cleaned_data["crew"]),
                    note=form.cleaned_data["note"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                add_action_errors(form, _renamed(exc, ACTION_FIELDS))
            else:
                crew = ", ".join(str(member) for member in visit.crew.order_by("full_name", "username"))
                messages.success(
                    request,
                    _("Visit %(number)s arranged for %(start)s–%(end)s with %(crew)s.")
                    % {
                        "number": visit.number,
                        "start": when(start),
                        "end": timezone.localtime(end).strftime("%H:%M"),
                        "crew": crew,
                    },
                )
                if requests:
                    return redirect("request-detail", requests[0].number)
                return redirect("desk-queue")
        status = 422
    else:
        form = ArrangeForm(crew_queryset=crew_qs, initial=_arrange_initial(visit, request.GET))

    # The crew's load is counted on the day being arranged (htmx asks again when the date changes).
    if form.is_bound:
        day = getattr(form, "cleaned_data", {}).get("on") or _parse_day(form.data.get("on"))
    else:
        day = form.initial.get("on")
    day = day or timezone.localdate()
    members = list(crew_qs)
    loads = selectors.visits_that_day([m.pk for m in members], day)
    needed = {
        skill.pk: skill
        for r in requests
        if r.status in OPEN_REQUEST_STATUSES
        for skill in r.type.skills.all()
    }
    chosen = {str(value) for value in (form["crew"].value() or [])}
    crew_rows = [
        {
            "member": member,
            "skills": [(skill, skill.pk in needed) for skill in member.skills.all()],
            "load": loads.get(member.pk, 0),
            "checked": str(member.pk) in chosen,
        }
        for member in members
    ]
    covered = {skill.pk for member in members for skill in member.skills.all()}
    context = {
        "visit": visit,
        "requests": requests,
        "needed": list(needed.values()),
        "uncovered": [skill for pk, skill in needed.items() if pk not in covered],
        "crew_rows": crew_rows,
        "day": day,
        "form": form,
        "arrangeable": visit.status == "planned",
    }
    return render(request, "servicedesk/desk/arrange.html", context, status=status)


def _parse_day(value) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def _arrange_initial(visit: Visit, query) -> dict:
    if "on" in query:
        # The page asked again for another day, keeping what was ticked.
        return {
            "on": _parse_day(query.get("on")) or timezone.localdate(),
            "start": query.get("start", ""),
            "end": query.get("end", ""),
            "note": query.get("note", ""),
            "crew": query.getlist("crew"),
        }
    if visit.appointment_start is None and visit.requested_start is None:
        return {"on": timezone.localdate()}
    if visit.appointment_start is None:
        # Start from the time the citizen asked for at intake, when no crew could be sent then.
        start, end = timezone.localtime(visit.requested_start), timezone.localtime(visit.requested_end)
        return {"on": start.date(), "start": start.time(), "end": end.time(), "note": visit.appointment_note}
    start, end = timezone.localtime(visit.appointment_start), timezone.localtime(visit.appointment_end)
    return {
        "on": start.date(),
        "start": start.time(),
        "end": end.time(),
        "note": visit.appointment_note,
        "crew": [member.pk for member in visit.crew.all()],
    }


# The supervisor's board


@login_required
@permission_required(SUPERVISE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def board(request):
    if request.method == "POST":
        escalated = actions.escalate_overdue(acting_user=request.user)
        if escalated:
            messages.success(
                request,
                _("%(count)d overdue request(s) escalated.") % {"count": escalated},
            )
        else:
            messages.info(request, _("No overdue request was waiting to be escalated."))
        return redirect("desk-board")
    now = timezone.now()
    rows = selectors.office_rows(now)
    overdue = selectors.overdue_and_escalated(now)
    selectors.mark_urgency(overdue, now)
    revisits = selectors.open_revisits()
    selectors.mark_urgency(revisits, now)
    context = {
        "rows": rows,
        "totals": selectors.totals(rows),
        "overdue": overdue,
        "revisits": revisits,
        "list_limit": selectors.BOARD_LIST_LIMIT,
        "satisfaction": selectors.satisfaction(now),
        "compliance": selectors.sla_compliance(now),
        "days": selectors.STATS_DAYS,
        "now": now,
    }
    return render(request, "servicedesk/desk/board.html", context)


# Happy Calls


def _call_phone(service_request) -> str:
    """The number to call: the request's contact, else the account holder's."""
    if service_request.contact_phone:
        return service_request.contact_phone
    customer = service_request.customer
    return customer.phone if customer is not None else ""


@login_required
@permission_required(HAPPY_CALL, raise_exception=True)
def happy_calls(request):
    now = timezone.now()
    page = Paginator(selectors.call_list(now), PAGE_SIZE).get_page(request.GET.get("page"))
    surveys = list(page.object_list)
    links = selectors.survey_links(s.request_id for s in surveys)
    for survey in surveys:
        survey.links = links.get(survey.request_id, [])
        survey.masked_phone = masked_phone(_call_phone(survey.request))
    context = {"page": page, "surveys": surveys, "max_attempts": MAX_CALL_ATTEMPTS, "now": now}
    return render(request, "servicedesk/desk/happy_calls.html", context)


@login_required
@permission_required(HAPPY_CALL, raise_exception=True)
@require_http_methods(["GET", "POST"])
def happy_call(request, survey_id: int):
    survey = get_object_or_404(
        Survey.objects.select_related(
            "request__type",
            "request__customer",
            "request__premise",
            "request__owner",
            "request__visit",
            "revisit__owner",
        ),
        pk=survey_id,
    )
    answer_form, reveal_form = AnswerForm(), RevealForm()
    phone = {"revealed": False, "number": masked_phone(_call_phone(survey.request)), "holder": ""}
    status = 200
    if request.method == "POST":
        operation = request.POST.get("op")
        if operation == "reveal":
            reveal_form = RevealForm(request.POST)
            if _reveal(request, survey, reveal_form, phone):
                if request.htmx:
                    return _phone_block(request, survey, reveal_form, phone)
            else:
                status = 422
                if request.htmx:
                    return _phone_block(request, survey, reveal_form, phone, status=status)
        elif operation == "no_answer":
            return _no_answer(request, survey)
        elif operation == "answer":
            answer_form = AnswerForm(request.POST)
            response = _answer(request, survey, answer_form)
            if response is not None:
                return response
            status = 422
        else:
            return HttpResponseBadRequest(_("Unknown operation."))
    service_request = survey.request
    customer = service_request.customer
    context = {
        "survey": survey,
        "sr": service_request,
        "open": survey.status == SurveyStatus.SCHEDULED,
        "answer_form": answer_form,
        "score_fields": [answer_form[name] for name in AnswerForm.SCORE_FIELDS],
        "reveal_form": reveal_form,
        "phone": phone,
        "contact_name": shown_name(customer) if customer else _masked_contact(service_request.contact_name),
        "prefers_other_language": customer is not None
        and not (request.LANGUAGE_CODE or "ko").startswith(customer.preferred_language or "ko"),
        "max_attempts": MAX_CALL_ATTEMPTS,
        "can_reveal": request.user.has_perm(REVEAL_PERMISSION),
    }
    return render(request, "servicedesk/desk/happy_call.html", context, status=status)


def _masked_contact(name: str) -> str:
    return mask_name(name) if name else ""


def _reveal(request, survey: Survey, form: RevealForm, phone: dict) -> bool:
    """Unmask the number to call, logged as a call-back."""
    service_request = survey.request
    if not form.is_valid():
        return False
    try:
        contact = actions.reveal_request_contact(
            service_request,
            reason=RevealReason.CALLBACK,
            note=form.cleaned_data["note"]
            or _("Happy Call on request %(number)s") % {"number": service_request.number},
            acting_user=request.user,
        )
    except ValidationError as exc:
        add_action_errors(form, exc)
        return False
    phone.update(revealed=True, number=format_phone(contact.phone), name=contact.name)
    if contact.holder_phone:
        phone["holder"] = format_phone(contact.holder_phone)
    return True


def _phone_block(request, survey, form, phone, status=200):
    context = {
        "survey": survey,
        "sr": survey.request,
        "reveal_form": form,
        "phone": phone,
        "can_reveal": request.user.has_perm(REVEAL_PERMISSION),
        "open": survey.status == SurveyStatus.SCHEDULED,
    }
    return render(request, "servicedesk/desk/_call_phone.html", context, status=status)


def _no_answer(request, survey: Survey):
    try:
        survey = actions.record_no_answer(survey, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("happy-call", survey.pk)
    if survey.status == SurveyStatus.UNREACHABLE:
        messages.warning(
            request,
            _(
                "No answer on request %(number)s for the %(count)d time: the citizen is recorded as unreachable."
            )
            % {"number": survey.request.number, "count": survey.call_attempts},
        )
    else:
        messages.info(
            request,
            _("No answer on request %(number)s (attempt %(count)d of %(max)d); it stays on the call list.")
            % {"number": survey.request.number, "count": survey.call_attempts, "max": MAX_CALL_ATTEMPTS},
        )
    return redirect("happy-calls")


def _answer(request, survey: Survey, form: AnswerForm):
    """Record the answers; ``None`` when they were refused (the form carries the reasons)."""
    if not form.is_valid():
        return None
    try:
        survey = actions.answer_survey(survey, form.answers(), via="call", acting_user=request.user)
    except ValidationError as exc:
        add_action_errors(form, exc)
        return None
    number = survey.request.number
    if survey.revisit is not None:
        revisit = survey.revisit
        messages.warning(
            request,
            _(
                "Request %(number)s: the citizen is not satisfied. Revisit %(revisit)s created, "
                "due %(due)s, owner %(owner)s."
            )
            % {
                "number": number,
                "revisit": revisit.number,
                "due": when(revisit.due_at),
                "owner": revisit.owner or _("not assigned yet"),
            },
        )
    else:
        messages.success(
            request, _("Request %(number)s: the citizen is satisfied. Thank you.") % {"number": number}
        )
    return redirect("happy-calls")

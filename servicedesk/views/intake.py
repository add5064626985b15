"""Intake (a caller on the line), the confirmation read back to them, and the request page.

Each view parses, authorises, calls an action (``servicedesk.actions``) and renders;
what the pages show comes from the read-only queries in ``servicedesk.selectors``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import add_action_errors
from core.pii import mask_email, mask_name, masked_phone
from customers.privacy import shown_name
from customers.search import classify, search_households

from .. import actions, selectors
from ..choices import RequestStatus, VisitStatus
from ..forms.intake import (
    MAX_ROWS,
    OPERATION_FORMS,
    AssignForm,
    IntakeForm,
    RequestRowForm,
    new_intake_key,
)
from ..models import ServiceRequest
from ..notices import status_url, when

TAKE = "servicedesk.take_request"
HANDLE = "servicedesk.handle_request"
DISPATCH = "servicedesk.dispatch_visit"
VIEW_HOUSEHOLD = "customers.view_household"
LOOKUP_LIMIT = 10


# Intake


@login_required
@permission_required(TAKE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def intake(request):
    types = selectors.catalogue()
    if request.method == "GET":
        premise = selectors.load_premise(request.GET.get("premise")) if request.GET.get("premise") else None
        query = request.GET.get("q", "").strip()
        form = IntakeForm(
            initial={
                "premise": premise.pk if premise else None,
                "intake_key": new_intake_key(),
                "contact_phone": request.GET.get("caller", "")[:30],
            }
        )
        rows = [RequestRowForm(catalogue=types, index=0)]
        hits = search_households(query, limit=LOOKUP_LIMIT) if query else None
        return _render_intake(request, form, rows, premise=premise, query=query, hits=hits)

    data = request.POST.copy()
    indices = _row_indices(data)
    if "choose_premise" in data:
        # A household picked from the lookup: show it with everything typed so far, create nothing.
        chosen = data["choose_premise"]
        data["premise"] = chosen if chosen.isdigit() else ""
        if data.get("caller") and not data.get("contact_phone", "").strip():
            data["contact_phone"] = data["caller"]
    premise = selectors.load_premise(data["premise"]) if data.get("premise") else None
    rows = [RequestRowForm(data, catalogue=types, index=index) for index in indices]
    form = IntakeForm(data)
    if "choose_premise" in data or "add_row" in data:
        if "add_row" in data and len(indices) < MAX_ROWS:
            rows.append(RequestRowForm(catalogue=types, index=max(indices) + 1, initial={}))
        return _render_intake(request, form, rows, premise=premise, quiet=True)

    filled = [row for row in rows if not row.is_empty()] or rows[:1]
    for row in rows:
        row.skipped = row not in filled
    rows_valid = [row.is_valid() for row in filled]  # every row, so each shows its own errors
    valid = form.is_valid() and all(rows_valid)
    if valid and form.cleaned_data["premise"] and premise is None:
        form.add_error("premise", _("This household was not found; look it up again."))
        valid = False
    if valid:
        try:
            result = actions.take_requests(
                [row.draft() for row in filled],
                channel=form.cleaned_data["channel"],
                contact=_contact(form, premise),
                acting_user=request.user,
                premise=premise,
                appointment=form.appointment(),
                appointment_note=form.cleaned_data["appointment_note"],
                intake_key=form.cleaned_data["intake_key"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            if result.repeated:
                messages.info(request, _("This intake was already saved; nothing new was created."))
            elif result.not_arranged:
                messages.warning(
                    request,
                    _("The requests are saved, but the visit could not be arranged: %(reason)s")
                    % {"reason": result.not_arranged},
                )
            return redirect("intake-done", result.requests[0].number)
    return _render_intake(request, form, rows, premise=premise, status=422)


def _row_indices(data) -> list[int]:
    """The row prefixes the form carries, in the order shown (a removed row simply is not sent)."""
    indices: list[int] = []
    for value in data.getlist("row"):
        if value.isdigit() and int(value) < 1000 and int(value) not in indices:
            indices.append(int(value))
    return indices[:MAX_ROWS] or [0]


def _contact(form: IntakeForm, premise) -> actions.Contact:
    d = form.cleaned_data
    phone = d["contact_phone"]
    if not phone and d["use_phone_on_file"] and premise is not None:
        account = selectors.household_summary(premise).account
        customer = account.customer if account else None
        phone = (customer.phone or customer.phone_alt) if customer else ""
    return actions.Contact(
        name=d["contact_name"],
        phone=phone,
        email=d["contact_email"],
        by_sms=d["notify_by_sms"],
        by_email=d["notify_by_email"],
    )


def _render_intake(request, form, rows, *, premise, query="", hits=None, quiet=False, status=200):
    summary = selectors.household_summary(premise) if premise else None
    holder = summary.account.customer if summary and summary.account else None
    holder_phone = (holder.phone or holder.phone_alt) if holder else ""
    for row in rows:
        row.quiet = quiet or getattr(row, "skipped", False)
    if premise is not None and status == 200 and rows[0].request_type is None:
        # The household is known: the agent goes straight on to what the caller wants.
        rows[0].fields["type"].widget.attrs["autofocus"] = True
    context = {
        "form": form,
        "rows": rows,
        "next_index": max(row.index for row in rows) + 1,
        "max_rows": MAX_ROWS,
        "premise": premise,
        "summary": summary,
        "holder_name": shown_name(holder) if holder else "",
        "phone_on_file": masked_phone(holder_phone),
        "history": selectors.complaint_history(premise.pk) if premise else None,
        "query": query,
        "hits": hits,
        "caller": query if query and classify(query) == "phone" else "",
        "quiet": quiet,
        "has_errors": status != 200
        and (bool(form.errors) or any(row.errors for row in rows if not row.quiet)),
        "any_visit": any(row.request_type and row.request_type.needs_visit for row in rows),
    }
    return render(request, "servicedesk/intake/intake.html", context, status=status)


@login_required
@permission_required(TAKE, raise_exception=True)
@require_GET
def household_lookup(request):
    """The lookup box's results (htmx): phone number first, then account, name, address."""
    query = request.GET.get("q", "").strip()
    if not request.htmx:
        return redirect(reverse("intake") + "?" + request.GET.urlencode())
    hits = search_households(query, limit=LOOKUP_LIMIT) if query else None
    caller = query if query and classify(query) == "phone" else ""
    return render(
        request, "servicedesk/intake/_lookup_results.html", {"hits": hits, "query": query, "caller": caller}
    )


@login_required
@permission_required(TAKE, raise_exception=True)
@require_GET
def request_row(request):
    """One request row (htmx): a fresh one for "add another request", or a row whose type changed."""
    try:
        index = min(max(int(request.GET.get("index", 0)), 0), 999)
    except ValueError:
        index = 0
    prefix = f"r{index}-"
    # What the agent already typed in this row stays; the new type's questions appear.
    initial = {
        key.removeprefix(prefix): value for key, value in request.GET.items() if key.startswith(prefix)
    }
    row = RequestRowForm(catalogue=selectors.catalogue(), index=index, initial=initial)
    if request.GET.get("add"):
        row.fields["type"].widget.attrs["autofocus"] = True
        context = {"row": row, "next_index": index + 1, "max_rows": MAX_ROWS, "oob": True}
        return render(request, "servicedesk/intake/_row_added.html", context)
    return render(request, "servicedesk/intake/_row.html", {"row": row})


@login_required
@permission_required(TAKE, raise_exception=True)
@require_GET
def intake_done(request, number: str):
    try:
        result = selectors.intake_result(number)
    except ServiceRequest.DoesNotExist:
        raise Http404(_("No such request.")) from None
    first = result.first
    rows = [
        {
            "request": r,
            "groups": reading_groups(r.number),
            "status_url": status_url(r),
            "handled_by": _handled_by(r),
        }
        for r in result.requests
    ]
    context = {
        "result": result,
        "rows": rows,
        "first": first,
        "premise": first.premise,
        "contact_phone": masked_phone(first.contact_phone),
        "contact_email": mask_email(first.contact_email) if first.contact_email else "",
        "can_arrange": request.user.has_perm(DISPATCH)
        and result.visit is not None
        and result.visit.status == VisitStatus.PLANNED
        and result.visit.appointment_start is None,
    }
    return render(request, "servicedesk/intake/done.html", context)


def reading_groups(number: str) -> list[str]:
    """26-0001234-5 → 26 · 000 · 1234 · 5: short groups an agent reads out and a caller writes down."""
    parts = number.split("-")
    if len(parts) == 3 and len(parts[1]) == 7:
        return [parts[0], parts[1][:3], parts[1][3:], parts[2]]
    return parts


def _handled_by(service_request: ServiceRequest) -> str:
    if service_request.office_id:
        return service_request.office.display_name
    return service_request.type.central_team or _("a central team")


# The request page


@login_required
@permission_required(VIEW_HOUSEHOLD, raise_exception=True)
@require_GET
def request_detail(request, number: str):
    return _render_detail(request, number)


def _render_detail(request, number: str, *, bound: dict | None = None, status: int = 200):
    try:
        page = selectors.request_page(number)
    except ServiceRequest.DoesNotExist:
        raise Http404(_("No such request.")) from None
    sr = page.request
    context = {
        "page": page,
        "sr": sr,
        "visit": page.visit,
        "survey": page.survey,
        "operations": _operations(request, sr, bound or {}),
        "failed": next(iter(bound), "") if bound else "",
        "refusals": [message for form in (bound or {}).values() for message in _messages_of(form)],
        "contact_name": mask_name(sr.contact_name) if sr.contact_name else "",
        "contact_phone": masked_phone(sr.contact_phone),
        "contact_email": mask_email(sr.contact_email) if sr.contact_email else "",
        "holder_name": shown_name(sr.customer) if sr.customer else "",
        "handled_by": _handled_by(sr),
        "notice_channels": _notice_channels(sr),
        "status_url": status_url(sr),
        "can_arrange": request.user.has_perm(DISPATCH)
        and page.visit is not None
        and page.visit.status == VisitStatus.PLANNED
        and page.visit.appointment_start is None,
        "now": timezone.now(),
    }
    return render(request, "servicedesk/intake/detail.html", context, status=status)


def _messages_of(form) -> list[str]:
    return [str(message) for errors in form.errors.values() for message in errors]


def _notice_channels(sr: ServiceRequest) -> list[str]:
    channels = []
    if sr.notify_by_sms and sr.contact_phone:
        channels.append(_("SMS"))
    if sr.notify_by_email and sr.contact_email:
        channels.append(_("e-mail"))
    return channels


def _available(sr: ServiceRequest) -> list[str]:
    """The operations the page offers for the request as it stands."""
    if not sr.is_open:
        return []
    waiting = sr.status == RequestStatus.WAITING
    ops = ["assign", "resume" if waiting else "pause", "delay"]
    if actions.on_live_visit(sr) is None:
        ops.append("complete")  # requests on a visit are completed with the visit, in the field
    ops.append("cancel")
    return ops


def _operation_form(operation: str, sr: ServiceRequest, user, data=None):
    form_class = OPERATION_FORMS[operation]
    if form_class is AssignForm:
        staff = selectors.assignable_staff(sr.office, me=user)
        return AssignForm(data, staff=staff, me=user, initial={"owner": sr.owner_id or user.pk})
    return form_class(data)


def _operations(request, sr: ServiceRequest, bound: dict) -> list[tuple[str, object]]:
    if not request.user.has_perm(HANDLE):
        return []
    return [(op, bound.get(op) or _operation_form(op, sr, request.user)) for op in _available(sr)]


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_POST
def request_operation(request, number: str, operation: str):
    if operation not in OPERATION_FORMS:
        raise Http404(_("No such operation."))
    sr = get_object_or_404(ServiceRequest.objects.select_related("type", "visit", "office"), number=number)
    form = _operation_form(operation, sr, request.user, data=request.POST)
    if form.is_valid():
        try:
            done = _perform(operation, sr, form, request.user)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("request-detail", sr.number)
    return _render_detail(request, sr.number, bound={operation: form}, status=422)


def _perform(operation: str, sr: ServiceRequest, form, user) -> str:
    """Call the operation's action; returns the message that confirms it."""
    d, number = form.cleaned_data, sr.number
    if operation == "assign":
        owner = form.chosen_owner()
        actions.assign_request(sr, owner=owner, acting_user=user)
        return _("Request %(number)s is now owned by %(owner)s.") % {"number": number, "owner": owner}
    if operation == "pause":
        actions.pause_request(sr, reason=d["reason"], acting_user=user)
        return _("Request %(number)s is waiting for the citizen; its clock has stopped.") % {"number": number}
    if operation == "resume":
        sr = actions.resume_request(sr, acting_user=user)
        return _("Request %(number)s resumed; now due %(due)s.") % {"number": number, "due": when(sr.due_at)}
    if operation == "delay":
        actions.announce_delay(sr, reason=d["reason"], expected=d["expected"], acting_user=user)
        return _("The citizen has been told that request %(number)s will take longer.") % {"number": number}
    if operation == "complete":
        actions.complete_request(sr, resolution=d["resolution"], acting_user=user)
        return _("Request %(number)s completed; the Happy Call follows.") % {"number": number}
    actions.cancel_request(sr, reason=d["reason"], acting_user=user)
    return _("Request %(number)s cancelled.") % {"number": number}


# The household page's panel


@login_required
@permission_required(VIEW_HOUSEHOLD, raise_exception=True)
@require_GET
def household_requests(request, pk: int):
    premise = selectors.load_premise(pk)
    if premise is None:
        raise Http404(_("No such premise."))
    context = {
        "premise": premise,
        "open": selectors.open_requests_at(premise.pk),
        "page": selectors.closed_requests_page(premise.pk, request.GET.get("page")),
    }
    return render(request, "servicedesk/intake/household_requests.html", context)

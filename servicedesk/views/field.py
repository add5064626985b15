"""The field crew's phone pages: today's jobs, and one visit from arrival to completion.

Views parse, authorise, call an action (servicedesk.actions) and render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.forms import add_action_errors
from customers.choices import RevealReason

from .. import actions, field_data
from ..forms.field import FoundProblemForm, PhotoForm, RevealContactForm, WorkForm
from ..models import Visit, VisitPhoto

WORK_VISIT = "servicedesk.work_visit"
DISPATCH_VISIT = "servicedesk.dispatch_visit"
VIEW_HOUSEHOLD = "customers.view_household"

# What the stored photo is, from its first bytes (never from the uploaded file's name).
_PHOTO_TYPES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


@login_required
@permission_required(WORK_VISIT, raise_exception=True)
@require_GET
def my_jobs(request):
    jobs = field_data.my_jobs(request.user)
    return render(request, "servicedesk/field/my_jobs.html", {"jobs": jobs})


@require_GET
def my_jobs_list(request):
    """The job cards alone; the page polls it so a newly assigned visit appears by itself."""
    if not request.user.is_authenticated:
        # A phone left asleep past its session: send the whole page to the login, not into the list.
        if request.htmx:
            return HttpResponseClientRedirect(reverse("login") + "?next=" + reverse("field-jobs"))
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm(WORK_VISIT):
        raise PermissionDenied
    jobs = field_data.my_jobs(request.user)
    return render(request, "servicedesk/field/_jobs.html", {"jobs": jobs})


def _visit_for(request, number: str) -> Visit:
    try:
        visit = field_data.load_visit(number)
    except Visit.DoesNotExist:
        raise Http404(_("No such visit.")) from None
    if not field_data.may_work(request.user, visit):
        raise PermissionDenied(_("You are not in the crew of visit %(number)s.") % {"number": number})
    return visit


def _render_visit(request, visit: Visit, *, revealed_request_id=None, status=200, **forms):
    page = field_data.visit_page(visit, revealed_request_id=revealed_request_id)
    context = {
        "page": page,
        "visit": visit,
        "work_form": forms.get("work_form") or _work_form(page),
        "photo_form": forms.get("photo_form") or PhotoForm(),
        "found_form": forms.get("found_form") or _found_form(visit),
        "reveal_form": RevealContactForm(),
    }
    return render(request, "servicedesk/field/visit.html", context, status=status)


def _work_form(page, data=None) -> WorkForm:
    visit = page.visit
    return WorkForm(
        data,
        requests=page.open_requests,
        initial={"findings": visit.findings, "work_done": visit.work_done},
    )


@login_required
@require_GET
def visit(request, number: str):
    return _render_visit(request, _visit_for(request, number))


@login_required
@require_POST
def visit_operation(request, number: str, operation: str):
    handler = _OPERATIONS.get(operation)
    if handler is None:
        raise Http404(_("Unknown operation."))
    return handler(request, _visit_for(request, number))


def _back(visit: Visit):
    return redirect("field-visit", number=visit.number)


def _start(request, visit: Visit):
    try:
        visit = actions.start_visit(visit, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Arrival recorded at %(time)s. The citizen sees that staff arrived.")
            % {"time": timezone.localtime(visit.started_at).strftime("%H:%M")},
        )
    return _back(visit)


def _findings(request, visit: Visit):
    page = field_data.visit_page(visit)
    form = _work_form(page, request.POST)
    saved_at = None
    if form.is_valid():
        try:
            actions.record_findings(
                visit,
                findings=form.cleaned_data["findings"],
                work_done=form.cleaned_data["work_done"],
                acting_user=request.user,
            )
            saved_at = timezone.now()
        except ValidationError as exc:
            add_action_errors(form, exc)
    if request.htmx:
        return render(request, "servicedesk/field/_saved.html", {"form": form, "saved_at": saved_at})
    if saved_at:
        messages.success(request, _("Findings saved."))
        return _back(visit)
    return _render_visit(request, visit, work_form=form)


def _photo(request, visit: Visit):
    form = PhotoForm(request.POST, request.FILES)
    added = None
    if form.is_valid():
        try:
            added = actions.add_photo(
                visit,
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
    if request.htmx:
        context = {
            "visit": visit,
            "photos": field_data.visit_photos(visit),
            "photo_form": PhotoForm() if added else form,
            "workable": True,
            "added": added,
        }
        return render(request, "servicedesk/field/_photos.html", context)
    if added:
        messages.success(request, _("Photo added."))
        return _back(visit)
    return _render_visit(request, visit, photo_form=form)


def _found_form(visit: Visit, data=None, **kwargs) -> FoundProblemForm:
    questions_url = reverse("field-visit-operation", args=[visit.number, "found-questions"])
    return FoundProblemForm(data, questions_url=questions_url, **kwargs)


def _found_fragment(request, visit: Visit, form: FoundProblemForm, *, just_found=None, is_open=False):
    context = {
        "visit": visit,
        "found_list": field_data.found_on_visit(visit),
        "found_form": form,
        "found_open": is_open,
        "just_found": just_found,
        "workable": True,
    }
    return render(request, "servicedesk/field/_found.html", context)


def _found(request, visit: Visit):
    form = _found_form(visit, request.POST)
    found = None
    if form.is_valid():
        d = form.cleaned_data
        try:
            found = actions.report_found_problem(
                visit,
                request_type=d["type"],
                description=d["description"],
                details=form.details,
                resolved_on_site=d["resolved_on_site"],
                resolution=d["resolution"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
    if request.htmx:
        return _found_fragment(request, visit, _found_form(visit) if found else form, just_found=found)
    if found:
        messages.success(request, _found_message(found))
        return _back(visit)
    return _render_visit(request, visit, found_form=form)


def _found_questions(request, visit: Visit):
    """The form again, with the chosen kind's own questions and what was typed so far; nothing saved."""
    keep = ("type", "description", "resolved_on_site", "resolution")
    initial = {name: request.POST.get(name) for name in keep if request.POST.get(name)}
    return _found_fragment(request, visit, _found_form(visit, initial=initial), is_open=True)


def _found_message(found) -> str:
    if found.status == "completed":
        return _("Recorded as %(number)s (%(type)s) and completed on this visit.") % {
            "number": found.number,
            "type": found.type.display_name,
        }
    return _("Handed on as %(number)s (%(type)s) to %(where)s.") % {
        "number": found.number,
        "type": found.type.display_name,
        "where": found.office.display_name if found.office else found.type.central_team,
    }


def _complete(request, visit: Visit):
    page = field_data.visit_page(visit)
    form = _work_form(page, request.POST)
    if form.is_valid():
        try:
            actions.complete_visit(
                visit,
                findings=form.cleaned_data["findings"],
                work_done=form.cleaned_data["work_done"],
                resolutions=form.resolutions(),
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(
                request,
                _("Visit %(number)s completed; the Happy Call is scheduled.") % {"number": visit.number},
            )
            return redirect("field-jobs")
    return _render_visit(request, visit, work_form=form)


def _reveal(request, visit: Visit):
    """Unmask the contact to call them; logged as a field-visit reveal."""
    form = RevealContactForm(request.POST)
    if not form.is_valid():
        raise Http404
    requests = {r.pk: r for r in visit.requests.select_related("customer")}
    target = requests.get(form.cleaned_data["request"])
    if target is None:
        raise Http404(_("No such request on this visit."))
    try:
        actions.reveal_request_contact(
            target,
            reason=RevealReason.FIELD_VISIT,
            note=form.cleaned_data["note"] or _("Calling about visit %(number)s") % {"number": visit.number},
            acting_user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(visit)
    if request.htmx:
        page = field_data.visit_page(visit, revealed_request_id=target.pk)
        card = next(c for c in page.contacts if c.request.pk == target.pk)
        return render(request, "servicedesk/field/_contact.html", {"visit": visit, "contact": card})
    return _render_visit(request, visit, revealed_request_id=target.pk)


_OPERATIONS = {
    "start": _start,
    "findings": _findings,
    "photo": _photo,
    "found": _found,
    "found-questions": _found_questions,
    "complete": _complete,
    "reveal": _reveal,
}


@login_required
@require_GET
def photo(request, photo_id: int):
    """A visit photo, only to those who may see the visit; photos are never public files."""
    shot = get_object_or_404(VisitPhoto.objects.select_related("visit"), pk=photo_id)
    user = request.user
    if not (user.has_perm(VIEW_HOUSEHOLD) or field_data.may_work(user, shot.visit)):
        raise PermissionDenied
    handle = shot.image.open("rb")
    head = handle.read(16)
    handle.seek(0)
    content_type = next((kind for magic, kind in _PHOTO_TYPES if head.startswith(magic)), None)
    if content_type is None:
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            content_type = "image/webp"
        elif head[4:8] == b"ftyp":
            content_type = "image/heic"
        else:
            content_type = "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

"""Reading pages for billing officers: import a file, see what became of every row, work the exceptions.

Views parse, authorise, call an action (metering.actions) and render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import uploads
from core.forms import add_action_errors

from . import actions
from .choices import ExceptionReason, ExceptionStatus
from .forms import CorrectForm, ImportForm, NoteForm
from .models import MeterReading, ReadingException, ReadingImport

REVIEW = "metering.review_readings"
PAGE_SIZE = 50


@login_required
@permission_required(REVIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def import_file(request):
    form, done = uploads.handle_upload(request, ImportForm, actions.import_readings, "reading-import")
    if not isinstance(done, int):
        return done
    recent = ReadingImport.objects.select_related("uploaded_by")[:20]
    return render(request, "metering/import.html", {"form": form, "recent": recent}, status=done)


@login_required
@permission_required(REVIEW, raise_exception=True)
@require_GET
def import_detail(request, pk: int):
    source = get_object_or_404(ReadingImport.objects.select_related("uploaded_by"), pk=pk)
    context = {
        "source": source,
        "rejections": source.rejections.all()[:200],
        "held": ReadingException.objects.filter(reading__source=source)
        .select_related("reading__meter", "account")
        .order_by("reading__meter__serial")[:200],
    }
    return render(request, "metering/import_detail.html", context)


@login_required
@permission_required(REVIEW, raise_exception=True)
@require_GET
def rejection_report(request, pk: int):
    """The rejected rows as CSV, for the terminal's operator."""
    source = get_object_or_404(ReadingImport, pk=pk)
    return uploads.rejection_report(source.name, source.pk, source.rejections.all())


@login_required
@permission_required(REVIEW, raise_exception=True)
@require_GET
def exceptions(request):
    status = request.GET.get("status", ExceptionStatus.OPEN)
    if status not in ExceptionStatus.values:
        status = ExceptionStatus.OPEN
    queryset = (
        ReadingException.objects.filter(status=status)
        .select_related("reading__meter", "account__premise", "reading__source")
        .order_by("created_at", "id")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.reason_labels = [ExceptionReason(code).label for code in item.reasons]
    context = {
        "page": page,
        "page_query": f"status={status}&",
        "status": status,
        "statuses": ExceptionStatus.choices,
    }
    return render(request, "metering/exceptions.html", context)


OPERATIONS = {"accept": NoteForm, "correct": CorrectForm, "reread": NoteForm}


@login_required
@permission_required(REVIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def exception_detail(request, pk: int):
    exception = get_object_or_404(
        ReadingException.objects.select_related(
            "reading__meter", "account__premise", "correction", "resolved_by"
        ),
        pk=pk,
    )
    forms = {
        "accept": NoteForm(prefix="accept"),
        "correct": CorrectForm(prefix="correct"),
        "reread": NoteForm(prefix="reread"),
    }
    status = 200
    if request.method == "POST":
        operation = request.POST.get("op")
        if operation not in OPERATIONS:
            return HttpResponse(_("Unknown operation."), status=400)
        form = OPERATIONS[operation](request.POST, prefix=operation)
        forms[operation] = form
        if form.is_valid():
            d = form.cleaned_data
            try:
                if operation == "accept":
                    actions.accept_reading(exception, note=d["note"], acting_user=request.user)
                elif operation == "correct":
                    actions.correct_reading(
                        exception,
                        value=d["value"],
                        rolled_over=d["rolled_over"],
                        note=d["note"],
                        acting_user=request.user,
                    )
                else:
                    actions.order_reread(exception, note=d["note"], acting_user=request.user)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Reading of meter %(serial)s resolved.") % {"serial": exception.reading.meter.serial},
                )
                return redirect("reading-exceptions")
        status = 422
    reading = exception.reading
    history = list(
        MeterReading.objects.filter(meter=reading.meter)
        .order_by("-read_on", "-id")
        .select_related("source")[:13]
    )
    context = {
        "exception": exception,
        "reading": reading,
        "reason_labels": [ExceptionReason(code).label for code in exception.reasons],
        "history": history,
        "forms": forms,
        "open": exception.status == ExceptionStatus.OPEN,
    }
    return render(request, "metering/exception_detail.html", context, status=status)

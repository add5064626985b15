"""What the file-import pages share: the upload round trip, the header check, the rejection report."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .forms import add_action_errors


def handle_upload(request, form_class, importer: Callable, detail_url: str):
    """The upload form, and the response when done: (form, redirect) on success, else (form, status).

    ``importer(name, content, acting_user=…)`` returns an outcome with ``source`` (the
    import's record) and ``repeated`` (the same file was imported before).
    """
    if request.method != "POST":
        return form_class(), 200
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = importer(upload.name, upload.read(), acting_user=request.user)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            if outcome.repeated:
                messages.info(request, _("This file was imported before; nothing changed."))
            return form, redirect(detail_url, outcome.source.pk)
    return form, 422


def check_header(
    header: list[str], known: Sequence[str], required: Sequence[str], *, one_of: Sequence[str] = ()
):
    """Refuse a file whose header names unknown columns or lacks needed ones (``one_of``: at least one)."""
    unknown = [column for column in header if column not in known]
    if unknown:
        raise ValidationError(
            _("Unknown column(s) %(columns)s; the columns are %(known)s.")
            % {"columns": ", ".join(unknown), "known": ", ".join(known)}
        )
    missing = [column for column in required if column not in header]
    if one_of and not any(column in header for column in one_of):
        missing.append(" / ".join(one_of))
    if missing:
        raise ValidationError(
            _("The header lacks the column(s) %(columns)s.") % {"columns": ", ".join(missing)}
        )


def rejection_report(name: str, pk: int, rejections) -> HttpResponse:
    """An import's rejected rows as CSV (line, reason, the row as received), for the sender's operator."""
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read the Korean reasons as UTF-8
    writer = csv.writer(out)
    writer.writerow(["line", "reason", "row"])
    for rejection in rejections:
        writer.writerow([rejection.line, rejection.reason, rejection.raw])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    stem = name.rsplit(".", 1)[0]
    response["Content-Disposition"] = (
        f"attachment; filename=\"rejected-{pk}.csv\"; filename*=UTF-8''{quote(stem, safe='')}-rejected.csv"
    )
    return response

"""Bill PDFs and print batch files for the console. Each view parses, authorises, calls and responds."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template import engines
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..actions import build_print_batch
from ..choices import PrintBatchStatus
from ..models import Bill, BillingRun, PrintBatch
from .fonts import BillFontMissing
from .output import CHECKSUMS, MANIFEST, bill_filename, bill_pdf

VIEW_HOUSEHOLD = "customers.view_household"
VIEW_BILLS = "billing.view_bill"
RUN_BILLING = "billing.run_billing"
_UNAVAILABLE = Path(__file__).with_name("unavailable.html")


@login_required
@permission_required(VIEW_HOUSEHOLD, raise_exception=True)
@permission_required(VIEW_BILLS, raise_exception=True)
def bill_pdf_view(request, pk: int):
    """The bill as a PDF (inline; ``?download=1`` to save it), in the bills' language."""
    bill = get_object_or_404(Bill.objects.select_related("account"), pk=pk)
    try:
        content = bill_pdf(bill.pk)
    except BillFontMissing as missing:
        return unavailable(request, str(missing))
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{bill_filename(bill.account.number, bill.period)}"'
    )
    response["Cache-Control"] = "private, no-store"  # personal data: never kept by a proxy or the browser
    return response


@login_required
@permission_required(RUN_BILLING, raise_exception=True)
@require_POST
def print_batch_build(request, pk: int):
    """Print a billing run (``only_unprinted=1``: only the bills no earlier batch printed)."""
    run = get_object_or_404(BillingRun.objects.select_related("cycle"), pk=pk)
    try:
        batch = build_print_batch(
            run, actor=request.user, only_unprinted=bool(request.POST.get("only_unprinted"))
        )
    except (ValidationError, BillFontMissing) as refused:
        text = " ".join(refused.messages) if isinstance(refused, ValidationError) else str(refused)
        messages.error(request, text)
    else:
        if batch.status == PrintBatchStatus.DONE:
            messages.success(
                request,
                _("Print batch %(number)s is ready: %(bills)s bills in %(files)s files.")
                % {"number": batch.number, "bills": batch.bills, "files": batch.file_count},
            )
        else:
            messages.success(
                request, _("Print batch %(number)s is being written.") % {"number": batch.number}
            )
    return redirect(_back(request, run))


@login_required
@permission_required(RUN_BILLING, raise_exception=True)
def print_batch_file(request, pk: int, name: str):
    """A file of a print batch that is ready: a PDF, the manifest or the checksums."""
    batch = get_object_or_404(PrintBatch, pk=pk, status=PrintBatchStatus.DONE)
    pdfs = {f["name"] for f in batch.files}
    if name not in pdfs | {MANIFEST, CHECKSUMS}:
        raise Http404(_("This print batch has no file of that name."))
    path = batch.path / name
    if not path.is_file():
        raise Http404(_("The file is no longer in the print batch's directory."))
    if name in pdfs:
        content_type = "application/pdf"
    elif name == MANIFEST:
        content_type = "text/csv; charset=utf-8"
    else:
        content_type = "text/plain; charset=utf-8"
    download = f"{batch.run.period:%Y-%m}-cycle-{batch.run.cycle.code}-batch-{batch.number}-{name}"
    response = FileResponse(path.open("rb"), as_attachment=True, filename=download, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


def unavailable(request, message: str) -> HttpResponse:
    """Bills cannot be made right now (the font is missing): the reason, not a server error."""
    template = engines["django"].from_string(_UNAVAILABLE.read_text(encoding="utf-8"))
    return HttpResponse(template.render({"message": message}, request), status=503)


def _back(request, run) -> str:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return wanted
    try:
        return reverse("billing-run", args=[run.pk])
    except NoReverseMatch:
        return "/"

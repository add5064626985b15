"""Collection console: auto-debit (자동납부) — the household's mandates, the banks' request and result files."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import uploads
from core.dates import today
from core.forms import add_action_errors
from customers.forms import RevealForm
from customers.views import VIEW_HOUSEHOLD, OperationView, premise_or_404

from ..autodebit.forms import CancelForm, DebitRequestForm, EnrolForm, ResultFileForm
from ..autodebit.household import autodebit_panel
from ..autodebit.mandates import cancel_auto_debit, current_mandate, enrol_auto_debit, reveal_mandate
from ..autodebit.requests import export_debit_requests, make_debit_requests, progress, withdraw_debit_requests
from ..autodebit.results import import_debit_results
from ..choices import DebitLineStatus, MandateEndReason, PaymentFileKind
from ..models import DebitRequest, DebitRequestLine, Mandate, PaymentFile

MANAGE = "collection.manage_auto_debit"
FILES = "collection.exchange_debit_files"
REVEAL = "customers.reveal_personal_data"


# --- the household page ------------------------------------------------------------------------


@login_required
@permission_required(VIEW_HOUSEHOLD, raise_exception=True)
@require_GET
def household_panel(request, pk: int):
    premise = premise_or_404(pk)
    context = {"premise": premise, "cards": autodebit_panel(premise.pk, today=today())}
    return render(request, "collection/autodebit/household_panel.html", context)


class EnrolView(OperationView):
    """Enrol an account, or — when it already has a mandate — change the bank account debited."""

    permission_required = MANAGE
    form_class = EnrolForm
    template_name = "collection/autodebit/mandate_operation.html"
    fieldsets = [
        (gettext_lazy("Bank account"), ["bank", "bank_account", "holder_name", "payer_relation"]),
        (gettext_lazy("Dates"), ["requested_on", "starts_on"]),
    ]

    def load_subject(self):
        super().load_subject()
        if self.account is None or not self.account.is_open:
            raise Http404(_("No open account here."))
        self.current = current_mandate(self.account.pk)

    @property
    def title(self):
        return _("Change the bank account debited") if self.current else _("Enrol in auto-debit")

    @property
    def submit_label(self):
        return _("Change the bank account") if self.current else _("Enrol")

    @property
    def intro(self):
        if self.current:
            return _(
                "The current mandate debits until the new one starts, so no bill goes undebited in between. "
                "The customer is told by SMS or e-mail if they agreed to notices."
            )
        return _(
            "From the customer's application (자동납부 신청). The bank account is shown masked everywhere after this; "
            "the customer is told by SMS or e-mail if they agreed to notices."
        )

    def get_initial(self):
        return {"requested_on": today(), "starts_on": today()}

    def get_context_data(self, **kwargs):
        # The meter has nothing to do with a bank mandate: no meter line on this form.
        return super().get_context_data(**kwargs) | {"current": self.current, "installation": None}

    def perform(self, form):
        d = form.cleaned_data
        return enrol_auto_debit(
            self.account,
            bank=d["bank"],
            bank_account=d["bank_account"],
            holder_name=d["holder_name"],
            payer_relation=d["payer_relation"],
            requested_on=d["requested_on"],
            starts_on=d["starts_on"],
            replace=self.current is not None,
            acting_user=self.request.user,
        )

    def get_success_message(self):
        return _(
            "Auto-debit from %(bank)s %(bank_account)s for the bills of account %(account)s due from %(date)s."
        ) % {
            "bank": self.result.bank_name,
            "bank_account": self.result.masked_account,
            "account": self.account.display_number,
            "date": date_format(self.result.starts_on),
        }

    def get_success_url(self):
        return super().get_success_url() + "#auto-debit"


class CancelView(OperationView):
    permission_required = MANAGE
    form_class = CancelForm
    template_name = "collection/autodebit/mandate_operation.html"
    title = gettext_lazy("Cancel auto-debit")
    submit_label = gettext_lazy("End auto-debit today")
    intro = gettext_lazy(
        "The mandate ends today: bills falling due from today on are paid directly, and the account's payment "
        "method becomes direct payment. A request already in a file sent to the bank may still be debited."
    )

    def load_subject(self):
        super().load_subject()
        if self.account is None:
            raise Http404(_("No such account here."))
        self.mandate = current_mandate(self.account.pk)
        if self.mandate is None:
            raise Http404(_("This account has no auto-debit mandate to cancel."))

    def get_initial(self):
        return {"reason": MandateEndReason.CUSTOMER_REQUEST}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"current": self.mandate, "installation": None}

    def perform(self, form):
        d = form.cleaned_data
        return cancel_auto_debit(
            self.mandate, reason=d["reason"], note=d["note"], acting_user=self.request.user
        )

    def get_success_message(self):
        return _("Auto-debit of account %(account)s is cancelled; it pays directly from today.") % {
            "account": self.account.display_number
        }

    def get_success_url(self):
        return super().get_success_url() + "#auto-debit"


@login_required
@permission_required(VIEW_HOUSEHOLD, raise_exception=True)
@permission_required(REVEAL, raise_exception=True)
@require_POST
def reveal(request, pk: int, mandate_id: int):
    premise = premise_or_404(pk)
    mandate = get_object_or_404(
        Mandate.objects.select_related("account"), pk=mandate_id, account__premise=premise
    )
    form = RevealForm(request.POST)
    shown = None
    if form.is_valid():
        try:
            shown = reveal_mandate(
                mandate,
                reason=form.cleaned_data["reason_code"],
                note=form.cleaned_data["reason_text"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
    context = {"premise": premise, "mandate": mandate, "form": form, "shown": shown}
    if shown is None:
        if request.htmx:
            return render(request, "collection/autodebit/_mandate.html", context, status=422)
        messages.error(request, _("Say why you need to see the bank account."))
        return redirect(reverse("household", args=[premise.pk]) + "#auto-debit")
    return render(request, "collection/autodebit/_mandate.html", context)


# --- the banks' files (billing officers) --------------------------------------------------------


@login_required
@permission_required(FILES, raise_exception=True)
@require_http_methods(["GET", "POST"])
def files(request):
    """Make a date's debit-request file; import a bank's result file; the recent ones of each."""
    request_form = DebitRequestForm(
        initial={
            "collect_on": today() + timedelta(days=1),
            "include_earlier": settings.AUTO_DEBIT_INCLUDE_EARLIER,
        }
    )
    upload_form, status = ResultFileForm(), 200
    doing = request.POST.get("do") if request.method == "POST" else None
    if doing == "results":
        upload_form, done = uploads.handle_upload(
            request, ResultFileForm, import_debit_results, "debit-results"
        )
        if not isinstance(done, int):
            return done
        status = done
    elif doing == "requests":
        request_form = DebitRequestForm(request.POST)
        status = 422
        if request_form.is_valid():
            try:
                made = make_debit_requests(
                    request_form.cleaned_data["collect_on"],
                    include_earlier=request_form.cleaned_data["include_earlier"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                add_action_errors(request_form, exc)
            else:
                if not made.created:
                    messages.info(
                        request, _("The file for this date was made before; here it is, unchanged.")
                    )
                return redirect("debit-request", made.batch.pk)
    batches = DebitRequest.objects.select_related("created_by").annotate(
        debited=Count("lines", filter=Q(lines__status=DebitLineStatus.DEBITED)),
        failed=Count("lines", filter=Q(lines__status=DebitLineStatus.FAILED)),
        pending=Count("lines", filter=Q(lines__status=DebitLineStatus.PENDING)),
    )[:30]
    result_files = PaymentFile.objects.filter(kind=PaymentFileKind.AUTO_DEBIT_RESULTS).select_related(
        "uploaded_by", "debit_results"
    )[:20]
    context = {
        "request_form": request_form,
        "upload_form": upload_form,
        "batches": batches,
        "result_files": result_files,
    }
    return render(request, "collection/autodebit/files.html", context, status=status)


@login_required
@permission_required(FILES, raise_exception=True)
@require_GET
def debit_request(request, pk: int):
    batch = get_object_or_404(DebitRequest.objects.select_related("created_by"), pk=pk)
    failed = (
        batch.lines.filter(status=DebitLineStatus.FAILED)
        .select_related("account", "bill", "result_file")
        .order_by("reference")[:200]
    )
    context = {"batch": batch, "progress": progress(batch), "failed": failed}
    return render(request, "collection/autodebit/request.html", context)


@login_required
@permission_required(FILES, raise_exception=True)
@require_GET
def debit_request_file(request, pk: int):
    batch = get_object_or_404(DebitRequest, pk=pk)
    content = export_debit_requests(batch, acting_user=request.user)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    name = f"debit-requests-{batch.collect_on:%Y%m%d}.csv"
    response["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@permission_required(FILES, raise_exception=True)
@require_POST
def withdraw(request, pk: int):
    batch = get_object_or_404(DebitRequest, pk=pk)
    try:
        withdraw_debit_requests(batch, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("debit-request", batch.pk)
    messages.success(
        request,
        _("The debit-request file for %(date)s is withdrawn; it can be made again.")
        % {"date": date_format(batch.collect_on)},
    )
    return redirect("auto-debit-files")


@login_required
@permission_required(FILES, raise_exception=True)
@require_GET
def debit_results(request, pk: int):
    source = get_object_or_404(
        PaymentFile.objects.select_related("uploaded_by", "debit_results"),
        pk=pk,
        kind=PaymentFileKind.AUTO_DEBIT_RESULTS,
    )
    summary = getattr(source, "debit_results", None)
    failed = (
        DebitRequestLine.objects.filter(result_file=source, status=DebitLineStatus.FAILED)
        .select_related("account", "bill", "batch", "mandate")
        .order_by("reference")
    )
    failed_count = summary.failed if summary else 0
    context = {
        "source": source,
        "summary": summary,
        "rows_in_file": source.rows + (summary.failed + summary.failed_already if summary else 0),
        "failed": failed[:200],
        "failed_count": failed_count,
        "rejections": source.rejections.all()[:200],
    }
    return render(request, "collection/autodebit/results.html", context)


@login_required
@permission_required(FILES, raise_exception=True)
@require_GET
def debit_result_rejections(request, pk: int):
    source = get_object_or_404(PaymentFile, pk=pk, kind=PaymentFileKind.AUTO_DEBIT_RESULTS)
    return uploads.rejection_report(source.name, source.pk, source.rejections.all())


urlpatterns = [
    path("households/<int:pk>/auto-debit/", household_panel, name="household-auto-debit"),
    path(
        "households/<int:pk>/accounts/<int:account_id>/auto-debit/enrol/",
        EnrolView.as_view(),
        name="auto-debit-enrol",
    ),
    path(
        "households/<int:pk>/accounts/<int:account_id>/auto-debit/cancel/",
        CancelView.as_view(),
        name="auto-debit-cancel",
    ),
    path("households/<int:pk>/auto-debit/<int:mandate_id>/reveal/", reveal, name="auto-debit-reveal"),
    path("payments/auto-debit/", files, name="auto-debit-files"),
    path("payments/auto-debit/requests/<int:pk>/", debit_request, name="debit-request"),
    path("payments/auto-debit/requests/<int:pk>/requests.csv", debit_request_file, name="debit-request-file"),
    path("payments/auto-debit/requests/<int:pk>/withdraw/", withdraw, name="debit-request-withdraw"),
    path("payments/auto-debit/results/<int:pk>/", debit_results, name="debit-results"),
    path(
        "payments/auto-debit/results/<int:pk>/rejections.csv",
        debit_result_rejections,
        name="debit-result-rejections",
    ),
]

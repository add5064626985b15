"""Collection console: the banks' deposit files and the suspense queue; the payment providers' callback."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import uploads
from core.forms import add_action_errors
from core.pii import mask_name
from customers.views import OperationView

from ..actions import match_suspense_payment, reverse_payment
from ..autodebit.banks import bank_choices
from ..callbacks import NotAuthentic, UnknownPayment, authenticate, handle_callback
from ..choices import PaymentFileKind, PaymentStatus
from ..counter import find_account
from ..imports import import_deposits
from ..ledger import position
from ..models import Payment, PaymentFile, Refund
from ..refunds import refund_credit

IMPORT_PAYMENTS = "collection.import_payments"
RESOLVE_PAYMENTS = "collection.reverse_payment"


class DepositFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Deposit file (CSV)"),
        help_text=gettext_lazy("From the bank; the format is in docs/import-formats.md."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class MatchForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Account number"), max_length=20)
    note = forms.CharField(
        label=gettext_lazy("How you know"),
        max_length=300,
        help_text=gettext_lazy("E.g. “the payer called and gave the account number”."),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why it is returned"), max_length=300)


class RefundForm(forms.Form):
    amount = forms.IntegerField(label=gettext_lazy("Amount (won)"), min_value=1)
    method = forms.ChoiceField(label=gettext_lazy("Paid back by"), widget=forms.RadioSelect)
    bank = forms.ChoiceField(label=gettext_lazy("Bank"), required=False)
    bank_account = forms.CharField(label=gettext_lazy("Bank account number"), max_length=20, required=False)
    holder = forms.CharField(label=gettext_lazy("Bank account holder"), max_length=100, required=False)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = Refund.Method.choices
        self.fields["bank"].choices = [("", "—"), *bank_choices()]


class RefundView(OperationView):
    """Give back a household's credit (billing officers, supervisors)."""

    permission_required = RESOLVE_PAYMENTS
    form_class = RefundForm
    title = gettext_lazy("Refund credit")
    submit_label = gettext_lazy("Refund")
    fieldsets = [
        ("", ["amount", "method", "reason"]),
        (gettext_lazy("The customer's bank account (for a transfer)"), ["bank", "bank_account", "holder"]),
    ]

    def load_subject(self):
        super().load_subject()
        self.credit = position(self.account.pk).credit if self.account else 0
        self.intro = _("The account holds %(credit)s won of credit: money paid beyond its bills.") % {
            "credit": f"{self.credit:,}"
        }

    def get_initial(self):
        return {"amount": self.credit or None, "method": Refund.Method.BANK_TRANSFER}

    def perform(self, form):
        data = form.cleaned_data
        return refund_credit(self.account, amount=data["amount"], method=data["method"], reason=data["reason"],
                             bank=data["bank"], bank_account=data["bank_account"], holder=data["holder"],
                             acting_user=self.request.user)  # fmt: skip

    def get_success_message(self):
        return _("%(amount)s won refunded.") % {"amount": f"{self.result.amount:,}"}


@login_required
@permission_required(IMPORT_PAYMENTS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def deposit_files(request):
    form, done = uploads.handle_upload(request, DepositFileForm, import_deposits, "payment-file")
    if not isinstance(done, int):
        return done
    recent = PaymentFile.objects.filter(kind=PaymentFileKind.DEPOSITS).select_related("uploaded_by")[:20]
    return render(request, "collection/deposit_files.html", {"form": form, "recent": recent}, status=done)


@login_required
@permission_required(IMPORT_PAYMENTS, raise_exception=True)
@require_GET
def payment_file(request, pk: int):
    source = get_object_or_404(PaymentFile.objects.select_related("uploaded_by"), pk=pk)
    waiting = source.payments.filter(status=PaymentStatus.SUSPENSE).order_by("received_at", "id")
    context = {
        "source": source,
        "rejections": source.rejections.all()[:200],
        "waiting": waiting[:50],
        "waiting_count": waiting.count(),
    }
    return render(request, "collection/payment_file.html", context)


@login_required
@permission_required(IMPORT_PAYMENTS, raise_exception=True)
@require_GET
def payment_file_rejections(request, pk: int):
    source = get_object_or_404(PaymentFile, pk=pk)
    return uploads.rejection_report(source.name, source.pk, source.rejections.all())


@login_required
@permission_required(RESOLVE_PAYMENTS, raise_exception=True)
@require_GET
def suspense_queue(request):
    waiting = (
        Payment.objects.filter(status=PaymentStatus.SUSPENSE)
        .select_related("file")
        .order_by("received_at", "id")
    )
    totals = waiting.aggregate(count=Count("id"), amount=Sum("amount"))
    page = Paginator(waiting, 50).get_page(request.GET.get("page"))
    return render(request, "collection/suspense.html", {"page": page, "totals": totals})


@login_required
@permission_required(RESOLVE_PAYMENTS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def suspense_payment(request, pk: int):
    """One payment in suspense: look up the account it is for, confirm, match (or return it to the payer)."""
    payment = get_object_or_404(Payment.objects.select_related("file"), pk=pk)
    if payment.status != PaymentStatus.SUSPENSE:
        messages.info(request, _("This payment is no longer in suspense."))
        return redirect("suspense-queue")
    action = request.POST.get("do") if request.method == "POST" else None
    match_form = MatchForm(
        request.POST if action == "match" else None, initial={"number": payment.stated_account}
    )
    return_form = ReturnForm(request.POST if action == "return" else None)
    candidate = _account_looked_up(match_form) if action == "match" else None
    # Matched only once the page showed this very account and the clerk confirmed it.
    confirmed = candidate is not None and request.POST.get("confirmed") == str(candidate.pk)
    if confirmed and match_form.is_valid():
        try:
            match_suspense_payment(
                payment, candidate, acting_user=request.user, note=match_form.cleaned_data["note"]
            )
        except ValidationError as exc:
            add_action_errors(match_form, exc)
        else:
            messages.success(request, _("%(amount)s won is now on account %(account)s.")
                             % {"amount": f"{payment.amount:,}", "account": candidate.display_number})  # fmt: skip
            return redirect("suspense-queue")
    if action == "return" and return_form.is_valid():
        reason = _("Returned to the payer: %(reason)s") % {"reason": return_form.cleaned_data["reason"]}
        try:
            reverse_payment(payment, reason=reason, acting_user=request.user)
        except ValidationError as exc:
            add_action_errors(return_form, exc)
        else:
            messages.success(request, _("The payment is marked as returned to the payer."))
            return redirect("suspense-queue")
    context = {
        "payment": payment,
        "match_form": match_form,
        "return_form": return_form,
        "candidate": candidate,
        "candidate_holder": mask_name(candidate.customer.name) if candidate else "",
        "candidate_position": position(candidate.pk) if candidate else None,
    }
    return render(request, "collection/suspense_payment.html", context, status=422 if action else 200)


def _account_looked_up(form: MatchForm):
    """The account the number typed names, or None with the reason on the form."""
    number = form.data.get("number", "")
    if not number.strip():
        return None
    try:
        return find_account(number)
    except ValidationError as exc:
        add_action_errors(form, exc)
        return None


@csrf_exempt  # authenticated by the provider's signature, not by a session
@require_POST
def payment_callback(request, provider: str):
    """A card or online payment provider tells of a payment taken or cancelled (collection/callbacks.py)."""
    body = request.body
    try:
        authenticate(provider, request.headers.get("X-Suido-Timestamp", ""),
                     request.headers.get("X-Suido-Signature", ""), body)  # fmt: skip
    except NotAuthentic as exc:
        return JsonResponse({"error": "not_authentic", "message": str(exc)}, status=401)
    try:
        outcome = handle_callback(provider, request.headers.get("Idempotency-Key", ""), body)
    except UnknownPayment as exc:
        return JsonResponse({"error": "unknown_payment", "message": str(exc)}, status=404)
    except ValidationError as exc:
        conflict = getattr(exc, "code", None) == "conflict"
        return JsonResponse(
            {"error": "conflict" if conflict else "invalid", "message": " ".join(exc.messages),
             "fields": exc.message_dict if hasattr(exc, "error_dict") else {}},
            status=409 if conflict else 400,
        )  # fmt: skip
    status = 201 if outcome.status in ("recorded", "suspense") else 200
    return JsonResponse(outcome.as_json(), status=status)


urlpatterns = [
    path("api/payments/<slug:provider>/callback/", payment_callback, name="payment-callback"),
    path("payments/deposits/", deposit_files, name="deposit-files"),
    path("payments/files/<int:pk>/", payment_file, name="payment-file"),
    path("payments/files/<int:pk>/rejections.csv", payment_file_rejections, name="payment-file-rejections"),
    path("payments/suspense/", suspense_queue, name="suspense-queue"),
    path("payments/suspense/<int:pk>/", suspense_payment, name="suspense-payment"),
    path("households/<int:pk>/accounts/<int:account_id>/refund/", RefundView.as_view(), name="refund-credit"),
]

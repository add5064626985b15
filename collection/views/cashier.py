"""The counter: find the account, see what it owes, take the money, print the receipt."""

from __future__ import annotations

import re
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from billing.documents.fonts import BillFontMissing
from billing.documents.views import unavailable
from core.forms import add_action_errors
from customers.models import Account

from ..choices import CounterMeans, PaymentStatus
from ..counter import account_due, find_account, take_counter_payment
from ..models import CounterReceipt
from ..receipts import print_receipt, receipt_filename

TAKE_PAYMENT = "collection.take_payment"
RECENT_SHOWN = 10


class FindAccountForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Account number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autofocus": True, "placeholder": "100000001-7", "inputmode": "numeric"}
        ),
        help_text=gettext_lazy("With or without the hyphen before the last digit."),
        error_messages={"required": gettext_lazy("Enter the account number.")},
    )


class AmountField(forms.CharField):
    """Whole won as a clerk types it: "32500", "32,500" or "32,500원"."""

    def to_python(self, value):
        text = re.sub(r"[\s,원₩]", "", super().to_python(value) or "")
        if not text:
            return None
        if re.fullmatch(r"-\d+|0+", text):
            raise ValidationError(_("The amount must be more than zero."), code="not_positive")
        if not text.isdigit():
            raise ValidationError(
                _("Enter the amount in whole won, digits only (e.g. 32,500)."), code="not_whole"
            )
        return int(text)


class CounterPaymentForm(forms.Form):
    account = forms.IntegerField(widget=forms.HiddenInput)
    token = forms.UUIDField(widget=forms.HiddenInput)
    amount = AmountField(
        label=gettext_lazy("Amount received (won)"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "amount"}),
        help_text=gettext_lazy("Less than owed pays the oldest bills first; more is kept as credit."),
        error_messages={"required": gettext_lazy("Enter the amount received.")},
    )
    means = forms.ChoiceField(
        label=gettext_lazy("Paid by"),
        choices=CounterMeans.choices,
        widget=forms.RadioSelect,
        initial=CounterMeans.CASH,
    )
    card_approval = forms.CharField(
        label=gettext_lazy("Card approval number"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("From the card terminal's slip, for a card payment."),
    )


def _account_for(request) -> Account | None:
    account_id = request.GET.get("account", "")
    if not account_id.isdigit():
        return None
    return get_object_or_404(
        Account.objects.select_related("customer", "premise__district__office"), pk=int(account_id)
    )


@login_required
@permission_required(TAKE_PAYMENT, raise_exception=True)
def counter(request):
    """GET: find an account (?number= or ?account=) and show the form; POST: take the payment."""
    find = FindAccountForm(request.GET if "number" in request.GET else None)
    account, payment_form = None, None
    if request.method == "POST":
        payment_form = CounterPaymentForm(request.POST)
        account_id = request.POST.get("account", "")
        if not account_id.isdigit():
            raise Http404(_("No such account."))
        account = get_object_or_404(
            Account.objects.select_related("customer", "premise__district__office"), pk=int(account_id)
        )
        if payment_form.is_valid():
            d = payment_form.cleaned_data
            try:
                taken = take_counter_payment(
                    account,
                    amount=d["amount"],
                    means=d["means"],
                    card_approval=d["card_approval"],
                    token=d["token"],
                    acting_user=request.user,
                )
            except ValidationError as refused:
                add_action_errors(payment_form, refused)
            else:
                if not taken.created:
                    messages.info(
                        request,
                        _(
                            "This payment had already been recorded: the form was sent twice. Nothing was taken again."
                        ),
                    )
                return redirect("counter-receipt", pk=taken.receipt.payment_id)
    elif find.is_bound:
        if find.is_valid():
            try:
                account = find_account(find.cleaned_data["number"])
            except ValidationError as refused:
                add_action_errors(find, refused)
    else:
        account = _account_for(request)
    due = account_due(account) if account is not None else None
    refusal = ""
    if due is not None and due.closed_with_nothing_owed:
        refusal = _("Account %(account)s is closed and owes nothing: there is nothing to pay.") % {
            "account": account.display_number
        }
        payment_form = None
    elif due is not None and payment_form is None:
        payment_form = CounterPaymentForm(
            initial={
                "account": account.pk,
                "token": uuid.uuid4(),
                "amount": f"{due.suggested:,}" if due.suggested else "",
                "means": CounterMeans.CASH,
            }
        )
    if account is not None and not find.is_bound:
        find = FindAccountForm(initial={"number": account.display_number})
    context = {
        "find": find,
        "due": due,
        "form": payment_form,
        "refusal": refusal,
        "today": _today_at_counter(request.user),
    }
    return render(
        request,
        "collection/counter.html",
        context,
        status=422 if refusal or _has_errors(find, payment_form) else 200,
    )


def _has_errors(*forms_) -> bool:
    return any(f is not None and f.is_bound and f.errors for f in forms_)


def _today_at_counter(user) -> dict:
    """What this clerk took today: for the count of the till at closing."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    receipts = CounterReceipt.objects.filter(taken_by=user, payment__received_at__gte=start)
    live = Q(payment__status=PaymentStatus.POSTED)
    sums = receipts.aggregate(
        count=Count("id", filter=live),
        total=Sum("payment__amount", filter=live),
        cash=Sum("payment__amount", filter=live & Q(means=CounterMeans.CASH)),
        card=Sum("payment__amount", filter=live & Q(means=CounterMeans.CARD)),
        reversed=Count("id", filter=Q(payment__status=PaymentStatus.REVERSED)),
    )
    recent = list(
        receipts.select_related("payment__account").order_by("-payment__received_at", "-id")[:RECENT_SHOWN]
    )
    return {**{k: v or 0 for k, v in sums.items()}, "recent": recent}


def _receipt_or_404(pk: int) -> CounterReceipt:
    return get_object_or_404(
        CounterReceipt.objects.select_related(
            "payment__account__customer", "payment__account__premise", "taken_by", "office"
        ),
        payment_id=pk,
    )


@login_required
@permission_required(TAKE_PAYMENT, raise_exception=True)
@require_GET
def counter_receipt(request, pk: int):
    """What the payment paid and what is left: the page after taking the money (and for a reprint)."""
    receipt = _receipt_or_404(pk)
    payment = receipt.payment
    kept = payment.amount - sum(line["amount"] for line in receipt.paid_bills)
    return render(
        request,
        "collection/counter_receipt.html",
        {"receipt": receipt, "payment": payment, "account": payment.account, "kept": kept},
    )


@login_required
@permission_required(TAKE_PAYMENT, raise_exception=True)
@require_GET
def counter_receipt_pdf(request, pk: int):
    """The receipt PDF; each print is counted and logged (a reprint says which copy it is)."""
    receipt = _receipt_or_404(pk)
    try:
        content = print_receipt(receipt, acting_user=request.user)
    except BillFontMissing as missing:
        return unavailable(request, str(missing))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{receipt_filename(receipt)}"'
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("payments/counter/", counter, name="counter"),
    path("payments/counter/<int:pk>/", counter_receipt, name="counter-receipt"),
    path("payments/counter/<int:pk>/receipt.pdf", counter_receipt_pdf, name="counter-receipt-pdf"),
]

"""The household's ledger panel, reversing a payment from it, and the arrears and collection-rate reports."""

from __future__ import annotations

import csv

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core.dates import today as seoul_today
from core.forms import add_action_errors
from customers.models import Premise
from staff.models import BranchOffice

from ..actions import reverse_payment
from ..choices import PaymentStatus
from ..household_ledger import load_ledger
from ..models import Payment
from ..reports import BUCKETS, arrears_aging, collection_rate, last_months

VIEW_HOUSEHOLD = "customers.view_household"
VIEW_BILLS = "billing.view_bill"
REVERSE_PAYMENT = "collection.reverse_payment"
VIEW_REPORTS = "collection.view_collection_reports"


@login_required
@permission_required(VIEW_HOUSEHOLD, raise_exception=True)
@permission_required(VIEW_BILLS, raise_exception=True)
@require_GET
def household_ledger(request, pk: int):
    """The household page's ledger panel (loaded by htmx): balance and arrears first, then bills and payments."""
    if not Premise.objects.filter(pk=pk).exists():
        raise Http404(_("No such premise."))
    today = seoul_today()
    return render(
        request,
        "collection/_household_ledger.html",
        {"premise_id": pk, "ledger": load_ledger(pk, today=today), "today": today},
    )


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the payment reversed?"),
        max_length=300,
        widget=forms.Textarea(attrs={"autofocus": True, "rows": 2}),
        help_text=gettext_lazy(
            "E.g. the bank returned the transfer, the card payment was cancelled, taken on the wrong account."
        ),
    )


@login_required
@permission_required(VIEW_HOUSEHOLD, raise_exception=True)
@permission_required(REVERSE_PAYMENT, raise_exception=True)
def reverse_payment_view(request, pk: int):
    """Reverse a posted payment of an account: what it paid is owed again (other credit pays it if it can)."""
    payment = get_object_or_404(
        Payment.objects.select_related("account__premise", "account__customer", "counter_receipt"),
        pk=pk,
        account__isnull=False,
    )
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and payment.status == PaymentStatus.POSTED and form.is_valid():
        try:
            reverse_payment(payment, reason=form.cleaned_data["reason"], acting_user=request.user)
        except ValidationError as refused:
            add_action_errors(form, refused)
        else:
            messages.success(
                request,
                _("Payment %(reference)s of %(amount)s won reversed: the bills it paid are owed again.")
                % {"reference": payment.reference, "amount": f"{payment.amount:,}"},
            )
            return redirect(reverse("household", args=[payment.account.premise_id]))
    paid = (
        payment.allocations.filter(released_at__isnull=True).select_related("bill").order_by("bill__due_on")
    )
    return render(
        request,
        "collection/reverse_payment.html",
        {
            "payment": payment,
            "account": payment.account,
            "paid": paid,
            "form": form,
            "premise": payment.account.premise,
        },
        status=422 if form.errors else 200,
    )


class ReportFilterForm(forms.Form):
    office = forms.ChoiceField(label=gettext_lazy("Office"), required=False)
    month = forms.DateField(
        label=gettext_lazy("Up to bill month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=gettext_lazy("The collection rate shows the twelve months up to this one."),
    )

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = [("all", _("All offices")), *[(str(o.pk), str(o)) for o in offices]]


def _report_filters(request):
    offices = list(BranchOffice.objects.order_by("code"))
    data = request.GET.copy()
    own = getattr(request.user, "office_id", None)
    data.setdefault("office", str(own) if own else "all")
    data.setdefault("month", f"{seoul_today():%Y-%m}")
    form = ReportFilterForm(data, offices=offices)
    chosen = form.cleaned_data if form.is_valid() else {}
    office_id = chosen.get("office")
    office_id = int(office_id) if office_id and office_id != "all" else None
    month = chosen.get("month") or seoul_today().replace(day=1)
    return form, office_id, next((o for o in offices if o.pk == office_id), None), month


@login_required
@permission_required(VIEW_REPORTS, raise_exception=True)
@require_GET
def arrears_report(request):
    form, office_id, office, month = _report_filters(request)
    today = seoul_today()
    query = request.GET.urlencode()
    return render(
        request,
        "collection/arrears_report.html",
        {
            "form": form,
            "office": office,
            "aging": arrears_aging(today, office_id=office_id),
            "buckets": BUCKETS,
            "rates": collection_rate(last_months(month), office_id=office_id),
            "filter_query": query,
            "today": today,
        },
    )


def _csv_response(name: str) -> tuple[HttpResponse, csv.writer]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # a BOM, so that spreadsheet programs read the Korean names as UTF-8
    return response, csv.writer(response)


@login_required
@permission_required(VIEW_REPORTS, raise_exception=True)
@require_GET
def arrears_aging_csv(request):
    _form, office_id, _office, _month = _report_filters(request)
    today = seoul_today()
    aging = arrears_aging(today, office_id=office_id)
    response, out = _csv_response(f"arrears-aging-{today:%Y-%m-%d}.csv")
    out.writerow(["as_of", "office_code", "office", "bucket", "days_from", "days_to", "accounts", "owed_won"])
    for row in aging.rows:
        for bucket, cell in zip(BUCKETS, row.cells, strict=True):
            out.writerow(
                [
                    f"{today:%Y-%m-%d}",
                    row.office.code,
                    row.office.name,
                    str(bucket.label),
                    "" if bucket.low is None else bucket.low,
                    "" if bucket.high is None else bucket.high,
                    cell.accounts,
                    cell.owed,
                ]
            )
    return response


@login_required
@permission_required(VIEW_REPORTS, raise_exception=True)
@require_GET
def collection_rate_csv(request):
    _form, office_id, _office, month = _report_filters(request)
    rates = collection_rate(last_months(month), office_id=office_id)
    response, out = _csv_response(f"collection-rate-{month:%Y-%m}.csv")
    out.writerow(
        [
            "month",
            "office_code",
            "office",
            "bills",
            "billed_won",
            "collected_won",
            "outstanding_won",
            "rate_percent",
        ]
    )
    for row in rates.rows:
        for period, rate in zip(rates.months, row.months, strict=True):
            out.writerow(
                [
                    f"{period:%Y-%m}",
                    row.office.code,
                    row.office.name,
                    rate.bills,
                    rate.billed,
                    rate.collected,
                    rate.outstanding,
                    "" if rate.percent is None else f"{rate.percent:.1f}",
                ]
            )
    return response


urlpatterns = [
    path("households/<int:pk>/ledger/", household_ledger, name="household-ledger"),
    path("payments/<int:pk>/reverse/", reverse_payment_view, name="ledger-payment-reverse"),
    path("arrears/report/", arrears_report, name="arrears-report"),
    path("arrears/report/aging.csv", arrears_aging_csv, name="arrears-aging-csv"),
    path("arrears/report/collection-rate.csv", collection_rate_csv, name="collection-rate-csv"),
]

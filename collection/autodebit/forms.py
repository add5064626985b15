"""The console's auto-debit forms."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput

from ..choices import MandateEndReason, PayerRelation
from .banks import bank_choices
from .mandates import CANCEL_REASONS


class EnrolForm(forms.Form):
    bank = forms.ChoiceField(label=_("Bank"), choices=[("", "—")] + bank_choices())
    bank_account = forms.CharField(
        label=_("Bank account number"),
        max_length=24,
        help_text=_("10 to 16 digits; hyphens and spaces are ignored."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    holder_name = forms.CharField(
        label=_("Bank account holder (예금주)"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    payer_relation = forms.ChoiceField(
        label=_("Whose bank account"), choices=PayerRelation.choices, initial=PayerRelation.HOLDER
    )
    requested_on = forms.DateField(label=_("Applied on"), widget=DateInput())
    starts_on = forms.DateField(
        label=_("Debit the bills due from"),
        widget=DateInput(),
        help_text=_(
            "Each bill due on or after this day is debited on its due date; bills due earlier are paid directly."
        ),
    )


class CancelForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why"),
        choices=[(reason.value, MandateEndReason(reason).label) for reason in CANCEL_REASONS],
        initial=MandateEndReason.CUSTOMER_REQUEST,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DebitRequestForm(forms.Form):
    collect_on = forms.DateField(label=_("Collection date"), widget=DateInput())
    include_earlier = forms.BooleanField(
        label=_("Also ask again for earlier unpaid bills of the same accounts"),
        required=False,
        initial=settings.AUTO_DEBIT_INCLUDE_EARLIER,
    )


class ResultFileForm(forms.Form):
    file = forms.FileField(
        label=_("Debit-result file (CSV)"),
        help_text=_("From the bank; the format is in docs/import-formats.md."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

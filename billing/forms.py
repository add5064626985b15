"""Forms of the billing console. They only parse; the actions (billing.actions) decide and explain."""

from __future__ import annotations

from datetime import date

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from customers.models import BillingCycle

from .choices import AdjustmentKind, LeakBaseline, RunStatus


class MonthField(forms.CharField):
    """A month as the browser's month picker sends it (YYYY-MM); the first day of the month."""

    widget = forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}", "placeholder": "YYYY-MM"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return date.fromisoformat(f"{value.strip()[:7]}-01")
        except ValueError:
            raise ValidationError(_("Enter the month as YYYY-MM."), code="invalid") from None

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if isinstance(value, date) else value


class StartRunForm(forms.Form):
    cycle = forms.ModelChoiceField(
        label=_("Billing cycle"),
        queryset=BillingCycle.objects.order_by("code"),
        required=False,
        empty_label=_("Every cycle"),
    )
    month = MonthField(label=_("Billing month"))


class RunFilterForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *RunStatus.choices]
    )


def _reason_field(placeholder=""):
    # Not required here: the action refuses an empty reason and says why.
    return forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": placeholder}),
    )


class CancelForm(forms.Form):
    reason = _reason_field(placeholder=_("e.g. billed twice, the customer moved out in May"))


class RebillForm(forms.Form):
    reason = _reason_field(placeholder=_("e.g. reading corrected, sewer volume rule found"))


class AdjustForm(forms.Form):
    amount = forms.IntegerField(
        label=_("Amount (won)"),
        help_text=_("Negative for a reduction, e.g. -3000."),
        widget=forms.NumberInput(attrs={"step": 10}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (AdjustmentKind.CORRECTION, AdjustmentKind.CORRECTION.label),
            (AdjustmentKind.OTHER, AdjustmentKind.OTHER.label),
        ],
        initial=AdjustmentKind.CORRECTION,
    )
    reason = _reason_field()


class LeakForm(forms.Form):
    reason = _reason_field(placeholder=_("e.g. leak under the kitchen sink repaired on 12 October"))
    baseline = forms.ChoiceField(label=_("Usage without the leak"), choices=LeakBaseline.choices)
    months = forms.IntegerField(
        label=_("Bills averaged"),
        required=False,
        min_value=1,
        max_value=12,
        help_text=_("For the average of the previous months."),
    )
    share_percent = forms.IntegerField(label=_("Share of the leaked water waived (%)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["baseline"].initial = settings.LEAK_BASELINE
        self.fields["months"].initial = settings.LEAK_BASELINE_MONTHS
        self.fields["share_percent"].initial = settings.LEAK_REDUCTION_SHARE_PERCENT

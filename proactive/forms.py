from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import PrecallOutcome


class PrecallForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did the call go?"), choices=PrecallOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("What the household said"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the household explains the rise (김장, guests, a new resident …)."),
    )


class FindingForm(forms.Form):
    leak_found = forms.TypedChoiceField(
        label=_("Did the visit find a leak?"),
        choices=[("yes", _("Yes, a leak")), ("no", _("No leak"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    repaired_on = forms.DateField(
        label=_("Repaired on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("What the visit found"), widget=forms.Textarea(attrs={"rows": 3}))


class ReductionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, initial="")

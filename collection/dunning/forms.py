"""Forms of the dunning pages: protection, payment arrangements, the worklist's filters and "run now"."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import DateInput
from staff.models import BranchOffice

from ..choices import DunningStage, ProtectionReason
from .arrangements import MAX_INSTALLMENTS, MIN_INSTALLMENTS, add_months, equal_installments


class ProtectionForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why is the household protected?"), choices=ProtectionReason.choices
    )
    evidence = forms.CharField(
        label=gettext_lazy("Evidence"),
        max_length=300,
        help_text=gettext_lazy(
            "The document seen or the agency that confirmed it, e.g. “수급자 증명서 seen at the counter” "
            "(no resident registration numbers)."
        ),
    )
    starts_on = forms.DateField(label=gettext_lazy("Protected from"), widget=DateInput())
    ends_on = forms.DateField(
        label=gettext_lazy("Protected until"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy(
            "Inclusive. Leave empty when it is to be reviewed, e.g. a lasting medical need."
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


class ArrangementForm(forms.Form):
    installments = forms.IntegerField(
        label=gettext_lazy("Number of installments"),
        min_value=MIN_INSTALLMENTS,
        max_value=MAX_INSTALLMENTS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    first_due_on = forms.DateField(
        label=gettext_lazy("First installment due on"),
        widget=DateInput(),
        help_text=gettext_lazy("The next ones fall due on the same day of the following months."),
    )
    amounts = forms.CharField(
        label=gettext_lazy("Amounts (won)"),
        required=False,
        help_text=gettext_lazy(
            "Leave empty for equal installments (in tens of won, the first takes the rest), or list one amount "
            "per installment, separated by commas; they must add up to the arrears."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "30000, 20000, 11800"}),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)

    def __init__(self, *args, arrears: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.arrears = arrears

    def clean_amounts(self):
        """ "30000, 20000, 11800", "30,000 20,000 11,800" or "30000;20000;11800" → [30000, 20000, 11800]."""
        raw = self.cleaned_data["amounts"].replace("원", " ").replace("₩", " ")
        amounts = []
        for token in re.split(r"[\s;/]+", raw):
            token = token.strip(",")
            if not token:
                continue
            # "30,000" is one amount with a thousands separator; "30000,20000" two amounts.
            pieces = (
                [token.replace(",", "")] if re.fullmatch(r"\d{1,3}(,\d{3})+", token) else token.split(",")
            )
            for piece in pieces:
                if not piece.isdigit():
                    raise forms.ValidationError(
                        _("“%(part)s” is not a whole number of won.") % {"part": piece}
                    )
                amounts.append(int(piece))
        return amounts

    def schedule(self):
        """[(due date, won), …] as entered (the action checks the rules)."""
        d = self.cleaned_data
        if d["amounts"]:
            if len(d["amounts"]) != d["installments"]:
                raise forms.ValidationError(
                    {
                        "amounts": _("%(given)s amounts for %(count)s installments.")
                        % {"given": len(d["amounts"]), "count": d["installments"]}
                    }
                )
            return [(add_months(d["first_due_on"], k), amount) for k, amount in enumerate(d["amounts"])]
        return equal_installments(self.arrears, d["installments"], d["first_due_on"])


class RunForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Run for"), widget=DateInput())


class WorklistFilter(forms.Form):
    office = forms.ModelChoiceField(
        label=gettext_lazy("Office"),
        queryset=BranchOffice.objects.all(),
        required=False,
        empty_label=gettext_lazy("All offices"),
    )
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage reached"),
        choices=[("", gettext_lazy("Every stage"))] + DunningStage.choices,
        required=False,
    )
    day = forms.DateField(label=gettext_lazy("Steps of"), required=False, widget=DateInput())

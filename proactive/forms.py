from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput

from .choices import DetectionKind, DetectionStatus, EventKind, PrecallOutcome, Suppression


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


class DeclareEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("What for"), choices=EventKind.choices)
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("Needed for “Other”; e.g. “10 guests for the wedding”."),
    )


class ResidentsForm(forms.Form):
    residents = forms.IntegerField(label=_("People living in the household"), min_value=1, max_value=99)
    effective_from = forms.DateField(label=_("From"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"), max_length=200, required=False, help_text=_("e.g. a baby born, a lodger moved in.")
    )


class FlowImportForm(forms.Form):
    file = forms.FileField(
        label=_("Hourly flow file (CSV)"),
        help_text=_("From the AMI head-end; the format is in docs/import-formats.md."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class DetectionFilterForm(forms.Form):
    """The detections review's filters (GET); an invalid value falls back to its default."""

    month = forms.DateField(
        label=_("Month read"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    kind = forms.ChoiceField(
        label=_("Found"), choices=[("", _("All kinds")), *DetectionKind.choices], required=False
    )
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request, so that the labels are in the reader's language.
        self.fields["outcome"].choices = [
            ("", _("All outcomes")),
            (DetectionStatus.ALERTED, _("Alerted: a case was opened")),
            *[
                (reason, _("Not alerted: %(reason)s") % {"reason": label})
                for reason, label in Suppression.choices
            ],
        ]

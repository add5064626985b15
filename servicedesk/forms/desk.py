"""Forms of the office desk: arranging a visit and recording a Happy Call."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import DateInput, TimeInput

from .survey import SurveyAnswersForm, satisfied_field, score_field


class CrewChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class ArrangeForm(forms.Form):
    """The appointment agreed with the citizen, and who goes (or "choose automatically")."""

    on = forms.DateField(label=_("Date"), widget=DateInput())
    start = forms.TimeField(label=pgettext_lazy("time of day", "From"), widget=TimeInput())
    end = forms.TimeField(label=pgettext_lazy("time of day", "Until"), widget=TimeInput())
    note = forms.CharField(
        label=_("Agreed with the citizen"),
        max_length=200,
        required=False,
        help_text=_("Who agreed, and any access notes (gate code, dog, parking)."),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. agreed with the tenant; ring the bell twice")}),
    )
    crew = CrewChoiceField(
        label=_("Crew"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, crew_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["crew"].queryset = crew_queryset

    def appointment(self) -> tuple[datetime, datetime]:
        """The window as aware datetimes in the utility's zone (Asia/Seoul)."""
        zone = ZoneInfo(settings.TIME_ZONE)
        d = self.cleaned_data
        return (
            datetime.combine(d["on"], d["start"], tzinfo=zone),
            datetime.combine(d["on"], d["end"], tzinfo=zone),
        )


class AnswerForm(SurveyAnswersForm):
    """The four points of the service charter (1–5) and the overall verdict."""

    courtesy = score_field(_("Was our staff courteous?"))
    punctuality = score_field(_("Did we keep the appointment time?"))
    explanation = score_field(_("Did we explain the work to you?"))
    result = score_field(_("How satisfied are you with the result?"))
    satisfied = satisfied_field(
        _("Are you satisfied overall?"), _("Say whether the citizen is satisfied overall.")
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "In the citizen's words; when not satisfied, what is still wrong (the revisit starts from it)."
        ),
    )


class RevealForm(forms.Form):
    """Why the phone number is unmasked: always a call-back, with an optional note."""

    note = forms.CharField(label=_("Note"), max_length=300, required=False)

"""Forms of intake and of the request page. They only parse; the actions decide.

The intake is one conversation: an ``IntakeForm`` for the channel, contact and
appointment, and one ``RequestRowForm`` per problem the citizen describes, each
with its own prefix (``r0``, ``r1`` …) so rows can be added while the caller talks.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, TimeInput
from core.phones import normalize_phone

from .. import actions
from ..choices import Channel
from ..models import RequestType
from ..selectors import grouped_types, standard_text
from ..selectors import handled_by as type_handled_by
from .questions import TypeQuestionsMixin

# The channels a person can reach us by (proactive and found-on-site requests are not taken here).
INTAKE_CHANNELS = [
    (value, label) for value, label in Channel.choices if value not in (Channel.PROACTIVE, Channel.FIELD)
]
MAX_ROWS = 20


def new_intake_key() -> str:
    return uuid.uuid4().hex


class IntakeForm(forms.Form):
    """What one conversation has in common: where, how, who to call back, and the agreed visit."""

    premise = forms.IntegerField(required=False, widget=forms.HiddenInput)
    intake_key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        label=_("Received by"), choices=INTAKE_CHANNELS, initial=Channel.PHONE, widget=forms.RadioSelect
    )
    contact_name = forms.CharField(
        label=_("Contact name"),
        max_length=100,
        required=False,
        help_text=_("Leave empty when the account holder is the caller."),
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=30,
        required=False,
        help_text=_("For the call back and the SMS notices."),
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "off", "placeholder": "010-1234-5678"}
        ),
    )
    use_phone_on_file = forms.BooleanField(label=_("Use the holder's phone on file"), required=False)
    notify_by_sms = forms.BooleanField(label=_("Progress notices by SMS"), required=False, initial=True)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    notify_by_email = forms.BooleanField(label=_("Progress notices by e-mail"), required=False)
    appointment_date = forms.DateField(label=_("Visit date"), required=False, widget=DateInput())
    appointment_start = forms.TimeField(label=_("From (time)"), required=False, widget=TimeInput())
    appointment_end = forms.TimeField(label=_("Until (time)"), required=False, widget=TimeInput())
    appointment_note = forms.CharField(
        label=_("Agreed with the citizen"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. the tenant will be home; ring twice")}),
    )

    def clean_contact_phone(self):
        raw = self.cleaned_data["contact_phone"].strip()
        return normalize_phone(raw) if raw else ""

    def clean(self):
        data = super().clean()
        window = [data.get("appointment_date"), data.get("appointment_start"), data.get("appointment_end")]
        given = [value is not None for value in window]
        names = ["appointment_date", "appointment_start", "appointment_end"]
        if any(given) and not all(given) and not any(self.has_error(name) for name in names):
            raise ValidationError(
                _("Enter the date and both times of the agreed visit, or leave all three empty."),
                code="appointment_incomplete",
            )
        return data

    def appointment(self) -> tuple[datetime, datetime] | None:
        """The agreed window as aware datetimes in the utility's zone (Asia/Seoul), or None."""
        d = self.cleaned_data
        if d.get("appointment_date") is None:
            return None
        zone = ZoneInfo(settings.TIME_ZONE)
        return (
            datetime.combine(d["appointment_date"], d["appointment_start"], tzinfo=zone),
            datetime.combine(d["appointment_date"], d["appointment_end"], tzinfo=zone),
        )


def type_option_label(request_type: RequestType) -> str:
    return _("%(name)s — %(standard)s") % {
        "name": request_type.display_name,
        "standard": standard_text(request_type),
    }


class RequestRowForm(TypeQuestionsMixin, forms.Form):
    """One problem: its type, the citizen's words, and the type's own questions (``form_fields``)."""

    type = forms.TypedChoiceField(
        label=_("Type"),
        coerce=int,
        empty_value=None,
        error_messages={"required": _("Choose the type of request.")},
    )
    description = forms.CharField(
        label=_("What the citizen said"),
        max_length=4000,
        error_messages={"required": _("Write down what the citizen said.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, catalogue: list[RequestType], index: int = 0, **kwargs):
        kwargs.setdefault("prefix", f"r{index}")
        super().__init__(*args, **kwargs)
        self.index = index
        self.types = {t.pk: t for t in catalogue}
        self.fields["type"].choices = [("", _("Choose the type…"))] + [
            (str(label), [(t.pk, type_option_label(t)) for t in types])
            for label, types in grouped_types(catalogue)
        ]
        self.fields["type"].widget.attrs.update(
            {
                # Choosing a type brings its own questions (htmx); without scripts they appear on sending.
                "hx-get": reverse("intake-row"),
                "hx-vals": json.dumps({"index": str(index)}),
                "hx-include": "closest .ik-row",
                "hx-target": "closest .ik-row",
                "hx-swap": "outerHTML",
                "hx-trigger": "change",
            }
        )
        self.add_type_questions(self._chosen_type())

    @property
    def standard(self) -> str:
        return standard_text(self.request_type) if self.request_type else ""

    @property
    def handled_by(self) -> str:
        return type_handled_by(self.request_type) if self.request_type else ""

    def _chosen_type(self) -> RequestType | None:
        raw = self.data.get(self.add_prefix("type")) if self.is_bound else self.initial.get("type")
        try:
            return self.types.get(int(raw))
        except (TypeError, ValueError):
            return None

    def is_empty(self) -> bool:
        """A row added and left blank: skipped, not refused."""
        if not self.is_bound:
            return True
        names = ["type", "description", *self.detail_names]
        return not any((self.data.get(self.add_prefix(name)) or "").strip() for name in names)

    def clean(self):
        data = super().clean()
        self.clean_type_questions(data)
        return data

    def draft(self) -> actions.RequestDraft:
        return actions.RequestDraft(
            type=self.request_type,
            description=self.cleaned_data["description"],
            details=dict(self.details),
        )


# The request page's operations


class _TextForm(forms.Form):
    """A reason the citizen reads; the action refuses it empty and says why."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)


def _citizen_text(label, help_text="", rows=2):
    return forms.CharField(
        label=label,
        required=False,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "required": True}),
    )


class AssignForm(_TextForm):
    prefix_name = "assign"
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, empty_value=None)

    def __init__(self, *args, staff, me=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {member.pk: member for member in staff}
        self.fields["owner"].choices = [
            (member.pk, _("Me (%(name)s)") % {"name": member} if me and member.pk == me.pk else str(member))
            for member in staff
        ]

    def chosen_owner(self):
        return self.staff[self.cleaned_data["owner"]]


class PauseForm(_TextForm):
    prefix_name = "pause"
    reason = _citizen_text(
        _("What are we waiting for?"),
        _("The citizen reads it on the status page. The clock stops until work resumes."),
    )


class ResumeForm(_TextForm):
    prefix_name = "resume"


class DelayForm(_TextForm):
    prefix_name = "delay"
    reason = _citizen_text(
        _("Why it takes longer"), _("The citizen receives it by SMS with how far it has got.")
    )
    expected = forms.CharField(
        label=_("When the citizen can expect it"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"required": True, "placeholder": _("e.g. by Friday 4 December")}),
    )


class CompleteForm(_TextForm):
    prefix_name = "complete"
    resolution = _citizen_text(
        _("What was done"), _("The citizen reads it; the Happy Call follows within the hour."), rows=3
    )


class CancelForm(_TextForm):
    prefix_name = "cancel"
    reason = _citizen_text(_("Why it is cancelled"), _("The citizen reads it on the status page."))


OPERATION_FORMS = {
    "assign": AssignForm,
    "pause": PauseForm,
    "resume": ResumeForm,
    "delay": DelayForm,
    "complete": CompleteForm,
    "cancel": CancelForm,
}

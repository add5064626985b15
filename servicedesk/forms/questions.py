"""A request type's own questions (its ``form_fields``) as form fields, shared by every form
that files a request: the intake rows and the field crew's "found another problem"."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput

from .. import actions
from ..models import RequestType
from ..selectors import choice_label, field_label


def detail_field(spec: dict) -> forms.Field:
    label, kind = field_label(spec), spec.get("kind", "text")
    # Never required here: the action's own check (clean_details) names the field and the type.
    if spec.get("choices"):
        choices = [("", _("Choose…"))] + [(c[0], choice_label(c)) for c in spec["choices"]]
        field = forms.ChoiceField(label=label, choices=choices, required=False)
    elif kind == "date":
        field = forms.CharField(label=label, required=False, widget=DateInput())
    elif kind == "number":
        field = forms.CharField(
            label=label, required=False, widget=forms.NumberInput(attrs={"min": 1, "step": 1})
        )
    else:
        field = forms.CharField(label=label, required=False, max_length=200)
    field.spec = spec
    field.required_by_type = bool(spec.get("required"))
    return field


class TypeQuestionsMixin:
    """Adds ``detail_<name>`` fields for the chosen type and checks them one by one."""

    request_type: RequestType | None = None

    def add_type_questions(self, request_type: RequestType | None) -> None:
        self.request_type = request_type
        self.detail_names = []
        self.details = {}
        for spec in request_type.form_fields if request_type else []:
            name = f"detail_{spec['name']}"
            self.fields[name] = detail_field(spec)
            self.detail_names.append(name)

    def clean_type_questions(self, data: dict) -> None:
        """Fill ``self.details``; each refusal lands beside the question it is about."""
        if self.request_type is None:
            return
        raw = {name.removeprefix("detail_"): data.get(name, "") for name in self.detail_names}
        self.details = {}
        for name in self.detail_names:
            spec = self.fields[name].spec
            single = RequestType(
                name=self.request_type.name, name_en=self.request_type.name_en, form_fields=[spec]
            )
            try:
                self.details.update(actions.clean_details(single, raw))
            except ValidationError as exc:
                for message in exc.message_dict.get("details", exc.messages):
                    self.add_error(name, message)

    def detail_fields(self):
        return [self[name] for name in self.detail_names]

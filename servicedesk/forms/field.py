"""Forms of the field crew's visit page. They only parse; the actions decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import RequestType
from .questions import TypeQuestionsMixin


class WorkForm(forms.Form):
    """Findings and work done: saved as the crew goes, then sent with "complete the visit"."""

    findings = forms.CharField(
        label=_("Findings"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("What you found on site")}),
    )
    work_done = forms.CharField(
        label=_("Work done"),
        required=False,
        max_length=4000,
        help_text=_("Needed to complete the visit. The citizen reads it."),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("What you did")}),
    )

    def __init__(self, *args, requests=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.requests = list(requests)
        for request in self.requests:
            self.fields[self.resolution_field(request)] = forms.CharField(
                label=_("Result for %(number)s (%(type)s)")
                % {"number": request.number, "type": request.type.display_name},
                required=False,
                max_length=2000,
                help_text=_("Leave empty to use the work done."),
                # Shown in the "complete" section further down the page, sent with the work form.
                widget=forms.Textarea(attrs={"rows": 2, "form": "work-form"}),
            )

    @staticmethod
    def resolution_field(request) -> str:
        return f"resolution_{request.pk}"

    def resolution_fields(self):
        return [self[self.resolution_field(r)] for r in self.requests]

    def resolutions(self) -> dict[int, str]:
        return {
            r.pk: self.cleaned_data[self.resolution_field(r)].strip()
            for r in self.requests
            if self.cleaned_data.get(self.resolution_field(r), "").strip()
        }


class PhotoForm(forms.Form):
    # A plain file field: the action checks that it is a photo and says which formats are accepted.
    image = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    caption = forms.CharField(
        label=_("Caption"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. meter box before repair")}),
    )


class FoundProblemForm(TypeQuestionsMixin, forms.Form):
    """Another problem found on site; choosing its kind brings that kind's own questions."""

    type = forms.ModelChoiceField(
        label=_("Kind of problem"),
        queryset=RequestType.objects.filter(active=True).order_by("position", "code"),
        empty_label=_("Choose…"),
    )
    description = forms.CharField(
        label=_("What is wrong"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    resolved_on_site = forms.BooleanField(label=_("Fixed on the spot"), required=False)
    resolution = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=2000,
        help_text=_("Needed when fixed on the spot. The citizen reads it."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, questions_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if questions_url:
            # Choosing the kind re-draws the form with its questions (htmx); without scripts they
            # appear, marked, when the form comes back.
            self.fields["type"].widget.attrs.update(
                {
                    "hx-post": questions_url,
                    "hx-include": "closest form",
                    "hx-target": "#found",
                    "hx-swap": "innerHTML",
                    "hx-trigger": "change",
                }
            )
        self.add_type_questions(self._chosen_type())

    def _chosen_type(self) -> RequestType | None:
        raw = self.data.get(self.add_prefix("type")) if self.is_bound else self.initial.get("type")
        try:
            return RequestType.objects.filter(active=True).get(pk=int(raw))
        except (TypeError, ValueError, RequestType.DoesNotExist):
            return None

    def clean(self):
        data = super().clean()
        self.clean_type_questions(data)
        return data


class RevealContactForm(forms.Form):
    request = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. calling before arrival")}),
    )

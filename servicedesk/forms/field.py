"""Forms of the field crew's visit page. They only parse; the actions decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import RequestType


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


class FoundProblemForm(forms.Form):
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


class RevealContactForm(forms.Form):
    request = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. calling before arrival")}),
    )

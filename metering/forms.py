"""Forms of the reading pages. They only parse; the actions decide."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Reading file (CSV)"),
        help_text=_("From a handheld terminal or an AMI head-end; the format is in docs/import-formats.md."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class CorrectForm(forms.Form):
    value = forms.IntegerField(label=_("Correct register value (m³)"), min_value=0)
    rolled_over = forms.BooleanField(label=_("Register rolled over"), required=False)
    note = forms.CharField(
        label=_("Where the value comes from"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. meter photo IMG_0031, call with the tenant")}),
    )

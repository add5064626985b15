"""The citizen's Happy Call questionnaire (no login: reached by the link in the notice)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .survey import SurveyAnswersForm, satisfied_field, score_field


class SurveyForm(SurveyAnswersForm):
    """The charter's points, each 1 (very poor) to 5 (very good); only the overall answer is required."""

    courtesy = score_field(_("Were our staff courteous?"))
    punctuality = score_field(_("Did we come at the agreed time?"))
    explanation = score_field(_("Did we explain the work to you?"))
    result = score_field(_("How good is the result of the work?"))
    satisfied = satisfied_field(
        _("Overall, are you satisfied?"), _("Please say whether you are satisfied overall.")
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

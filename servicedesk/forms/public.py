"""The citizen's Happy Call questionnaire (no login: reached by the link in the notice)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..actions import Answers
from ..choices import SCORE_CHOICES


def _score(label):
    return forms.TypedChoiceField(
        label=label,
        choices=SCORE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class SurveyForm(forms.Form):
    """The charter's points, each 1 (very poor) to 5 (very good); only the overall answer is required."""

    courtesy = _score(_("Were our staff courteous?"))
    punctuality = _score(_("Did we come at the agreed time?"))
    explanation = _score(_("Did we explain the work to you?"))
    result = _score(_("How good is the result of the work?"))
    satisfied = forms.TypedChoiceField(
        label=_("Overall, are you satisfied?"),
        choices=[("yes", _("Yes, satisfied")), ("no", _("No, not satisfied"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Please say whether you are satisfied overall.")},
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def answers(self) -> Answers:
        d = self.cleaned_data
        return Answers(
            satisfied=d["satisfied"],
            courtesy=d["courtesy"],
            punctuality=d["punctuality"],
            explanation=d["explanation"],
            result=d["result"],
            comment=d["comment"],
        )

"""What the Happy Call asks, shared by the agent's call script and the citizen's survey link.

The two forms word the questions for their reader; the fields, their scale and how
the answers reach ``actions.answer_survey`` are the same.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..actions import Answers
from ..choices import SCORE_CHOICES

YES_NO = [("yes", _("Yes, satisfied")), ("no", _("No, not satisfied"))]
SCORE_FIELDS = ("courtesy", "punctuality", "explanation", "result")


def score_field(label) -> forms.TypedChoiceField:
    """One of the charter's points, 1 (very poor) to 5 (very good); optional."""
    return forms.TypedChoiceField(
        label=label,
        choices=SCORE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


def satisfied_field(label, required_message) -> forms.TypedChoiceField:
    """The overall verdict: the one answer that is required (unsatisfied brings a revisit)."""
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": required_message},
    )


class SurveyAnswersForm(forms.Form):
    """Base of both questionnaires: subclasses declare the worded fields."""

    SCORE_FIELDS = SCORE_FIELDS

    def answers(self) -> Answers:
        d = self.cleaned_data
        return Answers(
            satisfied=d["satisfied"], comment=d["comment"], **{name: d[name] for name in SCORE_FIELDS}
        )

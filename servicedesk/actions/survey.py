"""The Happy Call's answers, and the revisit that an unsatisfied answer brings."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.calendar import business_calendar

from .. import events, notices
from ..choices import AnsweredVia, Channel, LinkKind, RequestStatus, SurveyStatus, UpdateKind
from ..models import ServiceRequest, Survey, Visit
from ..numbers import new_request_numbers, new_visit_numbers
from .common import audit, step

# After this many unanswered calls the citizen is recorded as unreachable.
MAX_CALL_ATTEMPTS = 3


@dataclass
class Answers:
    satisfied: bool | None
    courtesy: int | None = None
    punctuality: int | None = None
    explanation: int | None = None
    result: int | None = None
    comment: str = ""


def _lock_survey(survey: Survey) -> Survey:
    return Survey.objects.select_for_update(of=("self",)).select_related("request__type").get(pk=survey.pk)


def _check(answers: Answers) -> None:
    if answers.satisfied is None:
        raise ValidationError({"satisfied": _("Say whether the citizen is satisfied overall.")})
    for name in ("courtesy", "punctuality", "explanation", "result"):
        value = getattr(answers, name)
        if value is not None and not 1 <= value <= 5:
            raise ValidationError({name: _("Scores go from 1 (very poor) to 5 (very good).")})


@transaction.atomic
def answer_survey(survey: Survey, answers: Answers, *, via: str, acting_user=None) -> Survey:
    """Record the citizen's answers (from the link or a Happy Call); unsatisfied brings a revisit."""
    survey = _lock_survey(survey)
    if survey.status == SurveyStatus.ANSWERED:
        raise ValidationError(_("This survey has already been answered. Thank you."), code="answered")
    _check(answers)
    if via not in AnsweredVia.values:
        raise ValidationError(_("Unknown way of answering."))
    survey.status = SurveyStatus.ANSWERED
    survey.answered_at = timezone.now()
    survey.answered_via = via
    survey.satisfied = answers.satisfied
    survey.courtesy, survey.punctuality = answers.courtesy, answers.punctuality
    survey.explanation, survey.result = answers.explanation, answers.result
    survey.comment = answers.comment.strip()
    if via == AnsweredVia.CALL and getattr(acting_user, "pk", None):
        survey.called_by = acting_user
    original = survey.request
    step(original, UpdateKind.SURVEY, actor=acting_user)
    verdict = _("satisfied") if answers.satisfied else _("not satisfied")
    audit(events.SURVEY_ANSWERED, original, actor=acting_user, details={"verdict": verdict})
    if not answers.satisfied:
        survey.revisit = _revisit(original, survey, acting_user=acting_user)
    survey.save()
    return survey


def _revisit(original: ServiceRequest, survey: Survey, *, acting_user) -> ServiceRequest:
    """Come back the next business day, owned by whoever did the work, visible to the supervisor."""
    now = timezone.now()
    due = business_calendar().add_business_days(now, 1)
    visit = None
    if original.visit_id:
        old = original.visit
        visit = Visit.objects.create(
            number=new_visit_numbers(timezone.localtime(now).year)[0],
            premise=old.premise,
            office=old.office,
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        visit.crew.set(old.crew.all())
    reason = survey.comment or _("The citizen was not satisfied with the result.")
    revisit = ServiceRequest.objects.create(
        number=new_request_numbers(timezone.localtime(now).year)[0],
        type=original.type,
        channel=Channel.PHONE if survey.answered_via == "call" else Channel.WEB,
        origin=original.origin,
        premise=original.premise,
        account=original.account,
        customer=original.customer,
        contact_name=original.contact_name,
        contact_phone=original.contact_phone,
        contact_email=original.contact_email,
        notify_by_sms=original.notify_by_sms,
        notify_by_email=original.notify_by_email,
        description=_("Revisit: %(reason)s") % {"reason": reason},
        details=original.details,
        office=original.office,
        owner=original.owner,
        status=RequestStatus.ASSIGNED if original.owner_id else RequestStatus.RECEIVED,
        visit=visit,
        parent=original,
        link_kind=LinkKind.REVISIT,
        received_at=now,
        due_at=due,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    step(revisit, UpdateKind.RECEIVED, actor=acting_user, at=now)
    step(original, UpdateKind.REVISIT, note=revisit.number, actor=acting_user)
    audit(
        events.REQUEST_RECEIVED,
        revisit,
        actor=acting_user,
        details={"channel": revisit.channel, "link_kind": LinkKind.REVISIT},
    )
    notices.revisit_arranged(revisit)
    return revisit


@transaction.atomic
def record_no_answer(survey: Survey, *, acting_user) -> Survey:
    """A Happy Call nobody picked up; after three tries the citizen counts as unreachable."""
    survey = _lock_survey(survey)
    if survey.status != SurveyStatus.SCHEDULED:
        raise ValidationError(_("This survey is closed."))
    survey.call_attempts += 1
    survey.called_by = acting_user
    if survey.call_attempts >= MAX_CALL_ATTEMPTS:
        survey.status = SurveyStatus.UNREACHABLE
    survey.save(update_fields=["call_attempts", "called_by", "status"])
    return survey

"""What the citizen is told, and when: at intake, when a visit is arranged, when a
request will miss its standard, at completion, and the Happy Call survey.

Every notice goes through the outbox (core.notify) inside the action's transaction,
so it exists exactly when its cause does; the text is written in the customer's
language. Notices carry the status-page link, never another person's data.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core import notify
from core.models import Notification

from .models import ServiceRequest, Survey


def status_url(request: ServiceRequest) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("request-status", args=[request.status_token])


def survey_url(survey: Survey) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("survey", args=[survey.token])


def when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def citizen_language(request: ServiceRequest) -> str:
    customer = request.customer
    return customer.preferred_language if customer is not None else settings.LANGUAGE_CODE


def _send(request: ServiceRequest, kind: str, text: str, *, subject: str, key: str, send_after=None) -> int:
    """Queue ``text`` on every channel the citizen asked for; returns how many notices were queued."""
    queued = 0
    if request.notify_by_sms and request.contact_phone:
        queued += bool(
            notify.queue(
                Notification.Channel.SMS,
                request.contact_phone,
                kind=f"servicedesk.{kind}",
                body=text,
                about=request,
                dedupe_key=f"sr:{request.pk}:{key}:sms",
                send_after=send_after,
            )
        )
    if request.notify_by_email and request.contact_email:
        queued += bool(
            notify.queue(
                Notification.Channel.EMAIL,
                request.contact_email,
                kind=f"servicedesk.{kind}",
                subject=subject,
                body=text,
                about=request,
                dedupe_key=f"sr:{request.pk}:{key}:email",
                send_after=send_after,
            )
        )
    return queued


def _type_name(request: ServiceRequest) -> str:
    return request.type.display_name


def request_received(requests: list[ServiceRequest]) -> None:
    """One notice for everything taken in one call (a compound complaint is one conversation)."""
    first = requests[0]
    with translation.override(citizen_language(first)):
        lines = [
            _("%(number)s %(type)s, answer due by %(due)s")
            % {"number": r.number, "type": _type_name(r), "due": when(r.due_at)}
            for r in requests
        ]
        text = _("[Suido] We have received your request.") + "\n" + "\n".join(lines) + "\n"
        text += _("Follow its progress: %(url)s") % {"url": status_url(first)}
        _send(
            first,
            "received",
            text,
            subject=_("Your request %(number)s") % {"number": first.number},
            key="received",
        )


def visit_arranged(request: ServiceRequest, *, start: datetime, end: datetime) -> None:
    with translation.override(citizen_language(request)):
        text = _(
            "[Suido] Our staff will visit about request %(number)s on %(start)s (until %(end)s). "
            "To change the time, call 120."
        ) % {
            "number": request.number,
            "start": when(start),
            "end": formats.time_format(timezone.localtime(end)),
        }
        key = f"visit:{int(start.timestamp())}"
        _send(
            request,
            "appointment",
            text,
            subject=_("Visit arranged for %(number)s") % {"number": request.number},
            key=key,
        )


def will_miss_standard(request: ServiceRequest, *, reason, last_step, expected) -> None:
    """The charter: if it will take longer, tell the citizen why and how far it has got.

    Everything is written in the citizen's language, including the progress so far
    (``last_step``, the latest public step, or None when there is none yet).
    """
    with translation.override(citizen_language(request)):
        progress = (
            _("%(step)s on %(when)s") % {"step": last_step.get_kind_display(), "when": when(last_step.at)}
            if last_step
            else _("Request received")
        )
        text = _(
            "[Suido] Request %(number)s will take longer than our standard. Reason: %(reason)s "
            "So far: %(progress)s; expected: %(expected)s. Details: %(url)s"
        ) % {
            "number": request.number,
            "reason": reason,
            "progress": progress,
            "expected": expected,
            "url": status_url(request),
        }
        _send(
            request,
            "delayed",
            text,
            subject=_("Request %(number)s is delayed") % {"number": request.number},
            key=f"delayed:{int(timezone.now().timestamp())}",
        )


def request_completed(request: ServiceRequest) -> None:
    with translation.override(citizen_language(request)):
        text = _("[Suido] Request %(number)s (%(type)s) is completed: %(resolution)s") % {
            "number": request.number,
            "type": _type_name(request),
            "resolution": request.resolution,
        }
        _send(
            request,
            "completed",
            text,
            subject=_("Request %(number)s completed") % {"number": request.number},
            key="completed",
        )


def survey_invitation(survey: Survey) -> int:
    """The Happy Call link, sent at the survey's time; returns 0 when the citizen cannot be reached in writing."""
    request = survey.request
    with translation.override(citizen_language(request)):
        text = _(
            "[Suido] Were you satisfied with how we handled request %(number)s? Four short questions: %(url)s"
        ) % {"number": request.number, "url": survey_url(survey)}
        return _send(
            request,
            "survey",
            text,
            subject=_("How did we do? (%(number)s)") % {"number": request.number},
            key="survey",
            send_after=survey.scheduled_for,
        )


def revisit_arranged(revisit: ServiceRequest) -> None:
    with translation.override(citizen_language(revisit)):
        text = _(
            "[Suido] We are sorry the work on request %(original)s did not satisfy you. "
            "We will come back: new request %(number)s, due by %(due)s."
        ) % {"original": revisit.parent.number, "number": revisit.number, "due": when(revisit.due_at)}
        _send(
            revisit,
            "revisit",
            text,
            subject=_("We will come back (%(number)s)") % {"number": revisit.number},
            key="revisit",
        )

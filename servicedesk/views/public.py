"""The two pages citizens reach from their notices, without logging in: the status page and the survey.

Both are found by an unguessable token. An unknown token gets the same friendly 404 whatever
it is, so the pages tell nobody which tokens exist. They show the request, never a person:
no staff names, no contact details, and the address only as district and road.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import check_for_language, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import add_action_errors

from .. import actions
from ..choices import AnsweredVia, StandardUnit, SurveyStatus
from ..forms.public import SurveyForm
from ..models import ServiceRequest, Survey

# Tokens are 32 characters (new_token); anything much longer is not one of ours.
_MAX_TOKEN = 64
# The token is in the address: no other site may learn it from a Referer header.
NO_REFERRER = "no-referrer"
# The survey posts a form: under "no-referrer" browsers send "Origin: null" with it, which
# Django's CSRF check rightly refuses. "same-origin" still tells no other site anything.
SAME_ORIGIN = "same-origin"


def _private(response, referrer_policy: str = NO_REFERRER):
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = referrer_policy
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _page(request, template: str, context=None, *, status: int = 200, referrer_policy: str = NO_REFERRER):
    context = {**(context or {}), "referrer_policy": referrer_policy}
    response = render(request, f"servicedesk/public/{template}", context, status=status)
    return _private(response, referrer_policy)


def _not_found(request):
    return _page(request, "not_found.html", status=404)


def _language_switch(request):
    """The language links (?lang=en): a GET, so they work under "no-referrer", where a POST would not."""
    code = request.GET.get("lang", "")
    if not check_for_language(code) or code not in dict(settings.LANGUAGES):
        return None
    response = _private(HttpResponseRedirect(request.path))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def service_standard(request_type) -> str:
    n = request_type.standard_amount
    if request_type.standard_unit == StandardUnit.BUSINESS_DAYS:
        return ngettext("%(n)s business day", "%(n)s business days", n) % {"n": n}
    if request_type.standard_unit == StandardUnit.BUSINESS_HOURS:
        return ngettext("%(n)s office hour", "%(n)s office hours", n) % {"n": n}
    return ngettext("%(n)s hour, day and night", "%(n)s hours, day and night", n) % {"n": n}


def public_area(premise) -> str:
    """Where, without saying which house: the district and the road, no building number or unit."""
    if premise is None:
        return ""
    return f"{premise.district.display_name} {premise.road_name}"


@require_GET
def status(request, token: str):
    if len(token) > _MAX_TOKEN:
        return _not_found(request)
    if "lang" in request.GET:
        return _language_switch(request) or _not_found(request)
    sr = (
        ServiceRequest.objects.select_related("type", "premise__district", "parent__type")
        .filter(status_token=token)
        .first()
    )
    if sr is None:
        return _not_found(request)
    context = {
        "sr": sr,
        "standard": service_standard(sr.type),
        "area": public_area(sr.premise),
        # Only the kind, time and public note of each step: the actor is never loaded.
        "steps": list(sr.updates.order_by("at", "id").only("kind", "at", "note", "request_id")),
        "parent": sr.parent if sr.link_kind else None,
        "linked": list(sr.linked_requests.select_related("type").order_by("received_at", "pk")),
        "survey": Survey.objects.filter(request=sr).only("token", "status", "request_id").first(),
    }
    return _page(request, "status.html", context)


@require_http_methods(["GET", "POST"])
def survey(request, token: str):
    if len(token) > _MAX_TOKEN:
        return _not_found(request)
    if request.method == "GET" and "lang" in request.GET:
        return _language_switch(request) or _not_found(request)
    found = Survey.objects.select_related("request__type", "revisit__type").filter(token=token).first()
    if found is None:
        return _not_found(request)

    def page(template, context):
        return _page(request, template, context, referrer_policy=SAME_ORIGIN)

    if found.status == SurveyStatus.ANSWERED:
        return page("survey_answered.html", {"survey": found, "sr": found.request})
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            answered = actions.answer_survey(found, form.answers(), via=AnsweredVia.LINK)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "answered":
                # Answered meanwhile (a second tab, a double tap): the same polite page.
                found.refresh_from_db()
                return page("survey_answered.html", {"survey": found, "sr": found.request})
            add_action_errors(form, exc)
        else:
            return page("survey_thanks.html", {"survey": answered, "sr": answered.request})
    return page("survey.html", {"survey": found, "sr": found.request, "form": form})

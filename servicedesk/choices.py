from django.db import models
from django.utils.translation import gettext_lazy as _


class TypeGroup(models.TextChoices):
    """The two halves of the Seoul catalogue: field works and billing/administration."""

    DISPATCH = "dispatch", _("Works (field visit)")
    ADMINISTRATIVE = "administrative", _("Billing and administration")


class Routing(models.TextChoices):
    OFFICE = "office", _("Branch office of the premise")
    CENTRAL = "central", _("Central team")


class StandardUnit(models.TextChoices):
    """How a service standard counts: office days and hours pause on holidays; clock hours do not."""

    BUSINESS_DAYS = "business_days", _("business days")
    BUSINESS_HOURS = "business_hours", _("business hours")
    CLOCK_HOURS = "clock_hours", _("hours, day and night")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit to the office")
    FAX = "fax", _("Fax")
    MAIL = "mail", _("Mail")
    WEB = "web", _("Web")
    EMAIL = "email", _("E-mail")
    PROACTIVE = "proactive", _("Proactive (by the utility)")
    FIELD = "field", _("Found on site")


class Origin(models.TextChoices):
    CITIZEN = "citizen", _("Citizen-raised")
    PROACTIVE = "proactive", _("Proactive")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Assigned")
    SCHEDULED = "scheduled", _("Visit scheduled")
    WAITING = "waiting", _("Waiting for the citizen")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_REQUEST_STATUSES = (
    RequestStatus.RECEIVED,
    RequestStatus.ASSIGNED,
    RequestStatus.SCHEDULED,
    RequestStatus.WAITING,
)


class LinkKind(models.TextChoices):
    """Why a request points at an earlier one."""

    FOUND_ON_SITE = "found_on_site", _("Found on site")
    REVISIT = "revisit", _("Revisit after an unsatisfied Happy Call")
    FOLLOW_UP = "follow_up", _("Follow-up")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ON_SITE = "on_site", _("On site")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class UpdateKind(models.TextChoices):
    """The steps a citizen sees on the status page."""

    RECEIVED = "received", _("Request received")
    ASSIGNED = "assigned", _("Someone is handling it")
    APPOINTMENT = "appointment", _("Visit arranged")
    ON_SITE = "on_site", _("Staff arrived")
    WAITING = "waiting", _("Waiting for you")
    RESUMED = "resumed", _("Work resumed")
    DELAYED = "delayed", _("Taking longer than the standard")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    SURVEY = "survey", _("Satisfaction survey answered")
    REVISIT = "revisit", _("Revisit arranged")


class SurveyStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ANSWERED = "answered", _("Answered")
    UNREACHABLE = "unreachable", _("Could not be reached")


class AnsweredVia(models.TextChoices):
    LINK = "link", _("Survey link (SMS / e-mail)")
    CALL = "call", _("Happy Call by an agent")


# Scores of the charter's points: 1 (very poor) … 5 (very good).
SCORE_CHOICES = [(5, _("Very good")), (4, _("Good")), (3, _("Fair")), (2, _("Poor")), (1, _("Very poor"))]

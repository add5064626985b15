"""Requests (민원), the visits that fix them, and the Happy Call that follows.

A ServiceRequest is one thing a citizen (or the utility, proactively) asked for:
it has a tracking number, an owner, a due date from its type's service standard,
and a public status page. A Visit is one trip to a premise by one or more crew
members and carries every request of that household that needs the field.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staff.models import LocalizedNameMixin

from .choices import (
    OPEN_REQUEST_STATUSES,
    SCORE_CHOICES,
    AnsweredVia,
    Channel,
    LinkKind,
    Origin,
    RequestStatus,
    Routing,
    StandardUnit,
    SurveyStatus,
    TypeGroup,
    UpdateKind,
    VisitStatus,
)


def new_token() -> str:
    """An unguessable token for links sent to citizens (status page, survey): 192 random bits."""
    return secrets.token_urlsafe(24)


class RequestType(LocalizedNameMixin):
    """One kind of request in the catalogue, with its routing and service standard (configuration)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    group = models.CharField(_("group"), max_length=16, choices=TypeGroup.choices)
    needs_visit = models.BooleanField(_("needs a field visit"), default=False)
    skills = models.ManyToManyField(
        "staff.Skill", verbose_name=_("skills needed"), blank=True, related_name="request_types"
    )
    routing = models.CharField(_("routing"), max_length=8, choices=Routing.choices, default=Routing.OFFICE)
    central_team = models.CharField(
        _("central team"), max_length=100, blank=True, help_text=_("Who handles it when routed centrally.")
    )
    standard_amount = models.PositiveSmallIntegerField(_("service standard"))
    standard_unit = models.CharField(_("counted in"), max_length=16, choices=StandardUnit.choices)
    # Extra fields the intake form asks for this type: a list of
    # {"name": "…", "label": "…", "label_en": "…", "required": bool, "choices": [[value, label], …]?}
    form_fields = models.JSONField(_("form fields"), default=list, blank=True)
    emergency = models.BooleanField(
        _("emergency"), default=False, help_text=_("Taken and dispatched day and night, every day.")
    )
    active = models.BooleanField(_("offered at intake"), default=True)
    position = models.PositiveSmallIntegerField(_("order in lists"), default=0)

    class Meta:
        verbose_name = _("request type")
        verbose_name_plural = _("request types")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(standard_amount__gt=0), name="request_type_standard_positive"),
            models.CheckConstraint(
                condition=Q(group=TypeGroup.DISPATCH) | Q(needs_visit=False),
                name="request_type_visit_only_dispatch",
            ),
        ]


class Visit(models.Model):
    """A work order: one trip to one premise, with its crew, appointment and findings."""

    number = models.CharField(_("work order number"), max_length=16, unique=True)
    premise = models.ForeignKey(
        "customers.Premise", verbose_name=_("premise"), on_delete=models.PROTECT, related_name="visits"
    )
    office = models.ForeignKey(
        "staff.BranchOffice", verbose_name=_("branch office"), on_delete=models.PROTECT, related_name="visits"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    crew = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("crew"), blank=True, related_name="visits"
    )
    appointment_start = models.DateTimeField(_("appointment from"), null=True, blank=True)
    appointment_end = models.DateTimeField(_("appointment until"), null=True, blank=True)
    # The time the citizen asked for when no crew could be sent at intake; whoever arranges
    # the visit starts from it.
    requested_start = models.DateTimeField(_("citizen asked for, from"), null=True, blank=True)
    requested_end = models.DateTimeField(_("citizen asked for, until"), null=True, blank=True)
    appointment_note = models.CharField(
        _("agreed with the citizen"),
        max_length=200,
        blank=True,
        help_text=_("Who agreed, and any access notes."),
    )
    started_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    work_done = models.TextField(_("work done"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["office", "status", "appointment_start"], name="visit_office_day"),
            models.Index(fields=["premise", "-created_at"], name="visit_premise"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(appointment_end__isnull=True)
                | Q(appointment_start__isnull=False, appointment_end__gt=models.F("appointment_start")),
                name="visit_appointment_ordered",
            ),
        ]
        permissions = [
            ("dispatch_visit", _("Can arrange visits and assign crews")),
            ("work_visit", _("Can record findings and complete visits (field crew)")),
        ]

    def __str__(self):
        return self.number


class ServiceRequest(models.Model):
    number = models.CharField(_("tracking number"), max_length=16, unique=True)
    type = models.ForeignKey(RequestType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices, default=Origin.CITIZEN)
    premise = models.ForeignKey(
        "customers.Premise",
        verbose_name=_("premise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    account = models.ForeignKey(
        "customers.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="service_requests"
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="service_requests"
    )
    # Who to call back and notify; may differ from the account holder (a tenant, a neighbour).
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    notify_by_sms = models.BooleanField(_("progress notices by SMS"), default=True)
    notify_by_email = models.BooleanField(_("progress notices by e-mail"), default=False)
    description = models.TextField(_("what the citizen said"))
    details = models.JSONField(_("details"), default=dict, blank=True)
    office = models.ForeignKey(
        "staff.BranchOffice",
        verbose_name=_("branch office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
        help_text=_("Empty when a central team handles it."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_requests",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("linked to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="linked_requests",
    )
    link_kind = models.CharField(_("link"), max_length=16, choices=LinkKind.choices, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    # While waiting for the citizen the clock stops; what was left is kept here.
    paused_at = models.DateTimeField(_("waiting since"), null=True, blank=True)
    remaining_seconds = models.BigIntegerField(null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    delay_noticed_at = models.DateTimeField(_("delay notice sent"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status_token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    # A resubmitted intake form (double click, retry after a timeout) finds the first request.
    intake_key = models.CharField(max_length=64, blank=True)
    intake_position = models.PositiveSmallIntegerField(default=0, db_default=0)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        indexes = [
            models.Index(fields=["premise", "-received_at"], name="request_premise_history"),
            models.Index(fields=["office", "status", "due_at"], name="request_office_queue"),
            models.Index(fields=["status", "due_at"], name="request_open_due"),
            models.Index(fields=["owner", "status"], name="request_owner"),
            models.Index(fields=["type", "received_at"], name="request_type_stats"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["intake_key", "intake_position"],
                condition=~Q(intake_key=""),
                name="request_intake_once",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, link_kind="") | Q(parent__isnull=False) & ~Q(link_kind=""),
                name="request_link_needs_parent",
            ),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.COMPLETED) | Q(completed_at__isnull=False),
                name="request_completed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.WAITING) | Q(paused_at__isnull=False),
                name="request_waiting_is_paused",
            ),
        ]
        permissions = [
            ("take_request", _("Can take requests at intake")),
            ("handle_request", _("Can assign, pause and complete requests")),
            ("supervise_requests", _("Can see the supervisor board and escalate")),
            ("happy_call", _("Can make Happy Calls and record answers")),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES


class RequestUpdate(models.Model):
    """A step of the request as the citizen sees it on the status page (no staff names, no personal data)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=16, choices=UpdateKind.choices)
    at = models.DateTimeField(default=timezone.now)
    # Public text, e.g. the reason for a delay or the appointment window, written for the citizen.
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("request update")
        verbose_name_plural = _("request updates")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.request_id} {self.kind}"


def _photo_path(instance, filename):
    return f"visits/{instance.visit_id}/{secrets.token_hex(8)}-{filename[-60:]}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=_photo_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.caption or self.image.name


class Survey(models.Model):
    """The Happy Call: the satisfaction check after a request is completed."""

    request = models.OneToOneField(
        ServiceRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="survey"
    )
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.SCHEDULED
    )
    scheduled_for = models.DateTimeField(_("ask at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_via = models.CharField(_("answered via"), max_length=8, choices=AnsweredVia.choices, blank=True)
    call_attempts = models.PositiveSmallIntegerField(_("call attempts"), default=0)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    satisfied = models.BooleanField(_("satisfied overall"), null=True)
    courtesy = models.PositiveSmallIntegerField(
        _("courtesy of the staff"),
        choices=SCORE_CHOICES,
        null=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    punctuality = models.PositiveSmallIntegerField(
        _("kept the appointment time"),
        choices=SCORE_CHOICES,
        null=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    explanation = models.PositiveSmallIntegerField(
        _("explained the work"),
        choices=SCORE_CHOICES,
        null=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    result = models.PositiveSmallIntegerField(
        _("result of the work"),
        choices=SCORE_CHOICES,
        null=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("comment"), blank=True)
    revisit = models.OneToOneField(
        ServiceRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="revisit_of_survey"
    )

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        indexes = [models.Index(fields=["status", "scheduled_for"], name="survey_call_list")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=SurveyStatus.ANSWERED)
                | Q(answered_at__isnull=False, satisfied__isnull=False),
                name="survey_answer_complete",
            ),
        ]

    def __str__(self):
        return f"{self.request} survey"

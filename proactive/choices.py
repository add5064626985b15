from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """What a household may declare it will use more water for."""

    KIMJANG = "kimjang", _("Kimjang (김장)")
    ANCESTRAL_RITE = "ancestral_rite", _("Ancestral rite (제사)")
    GUESTS = "guests", _("Guests staying")
    TANK = "tank", _("Filling a tank or a pool")
    WORKS = "works", _("Building or garden works")
    OTHER = "other", _("Other")


class DetectionKind(models.TextChoices):
    SPIKE = "spike", _("Usage well above usual")
    CONTINUOUS = "continuous", _("Continuous flow")
    BURST = "burst", _("Burst")


class DetectionStatus(models.TextChoices):
    ALERTED = "alerted", _("Alerted")
    SUPPRESSED = "suppressed", _("Suppressed")


class Suppression(models.TextChoices):
    """Why an unusual read was not alerted."""

    DECLARED_EVENT = "declared_event", _("An event the household declared")
    SEASONAL_WINDOW = "seasonal_window", _("Within a seasonal window")
    OPEN_CASE = "open_case", _("A proactive case is already open")


class CaseStage(models.TextChoices):
    PRECALL = "precall", _("Pre-call to the household")
    VISIT = "visit", _("Leak diagnosis visit")
    REDUCTION = "reduction", _("Leak bill reduction")
    CLOSED = "closed", _("Closed")


class PrecallOutcome(models.TextChoices):
    EXPLAINED = "explained", _("Explained by the household")
    UNEXPLAINED = "unexplained", _("Not explained")
    UNREACHABLE = "unreachable", _("Could not be reached")

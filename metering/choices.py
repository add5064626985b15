from django.db import models
from django.utils.translation import gettext_lazy as _


class ReadingKind(models.TextChoices):
    """Why a register value was written down."""

    ACTUAL = "actual", _("Regular reading")
    ESTIMATED = "estimated", _("Estimated")
    CUSTOMER = "customer", _("Reported by the customer")
    INSTALL = "install", _("Meter installed")
    REMOVAL = "removal", _("Meter removed")
    START = "start", _("Service start")
    FINAL = "final", _("Final reading")
    SUSPEND = "suspend", _("Suspension")
    RESUME = "resume", _("Resumption")


class ReadingStatus(models.TextChoices):
    """Whether billing may use a reading."""

    VALID = "valid", _("Valid")
    HELD = "held", _("Held for review")
    VOID = "void", _("Void (replaced)")


class ExceptionReason(models.TextChoices):
    """Why an imported reading waits for a billing officer instead of going to billing."""

    LOWER = "lower", _("Lower than the last reading")
    ROLLOVER = "rollover", _("Register rolled over")
    ZERO = "zero", _("No consumption on an active account")
    HIGH = "high", _("Consumption far above the expected")
    LOW = "low", _("Consumption far below the expected")
    METER_CHANGED = "meter_changed", _("Meter replaced in the period")


class ExceptionStatus(models.TextChoices):
    OPEN = "open", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted")
    CORRECTED = "corrected", _("Corrected")
    REREAD = "reread", _("Re-read ordered")


class ImportStatus(models.TextChoices):
    DONE = "done", _("Imported")
    FAILED = "failed", _("Refused")


# The read types a reading file may carry (registry operations write the others).
IMPORTED_KINDS = (ReadingKind.ACTUAL, ReadingKind.ESTIMATED, ReadingKind.CUSTOMER)
# Read types whose consumption shows how a household uses water (expectations, estimates):
# registry readings count vacancies and estimates count guesses.
MEASURED_KINDS = (ReadingKind.ACTUAL, ReadingKind.CUSTOMER)

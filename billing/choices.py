from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BillStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    CANCELLED = "cancelled", _("Cancelled")


class BillKind(models.TextChoices):
    REGULAR = "regular", _("Regular bill")
    FINAL = "final", _("Final bill (move-out)")


class AdjustmentKind(models.TextChoices):
    LEAK = "leak", _("Leak reduction (누수감면)")
    CORRECTION = "correction", _("Correction")
    OTHER = "other", _("Other")


class LeakBaseline(models.TextChoices):
    """What a leak reduction compares the period's usage with."""

    PREVIOUS_MONTHS = "previous", _("Average of the previous months")
    SAME_PERIOD_LAST_YEAR = "last_year", _("Same month last year")


class RunStatus(models.TextChoices):
    """A run is *balanced* only when every account in its scope has a bill or an exception."""

    RUNNING = "running", _("Running")
    BALANCED = "balanced", _("Balanced: every account billed or explained")
    WITH_EXCEPTIONS = "exceptions", _("Finished with exceptions")
    UNBALANCED = "unbalanced", _("Stopped: accounts unaccounted for")


class ChunkStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DONE = "done", _("Done")
    FAILED = "failed", pgettext_lazy("job", "Failed")


class RunExceptionReason(models.TextChoices):
    """Why an account of the cycle has no bill for the period."""

    NO_READING = "no_reading", _("No reading, and no history to estimate from")
    HELD_READING = "held_reading", _("Reading waiting in the exceptions queue")
    REREAD = "reread", _("Re-read ordered, new reading not in yet")
    SUSPENDED = "suspended", _("Supply suspended, nothing read")
    NO_METER = "no_meter", _("No meter installed")
    NO_TARIFF = "no_tariff", _("The tariff has no price for this account")
    ERROR = "error", _("Unexpected error")


# Exceptions that are a state of the account rather than a problem to solve.
INFORMATIONAL_REASONS = (RunExceptionReason.SUSPENDED,)


class PrintBatchStatus(models.TextChoices):
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready to print")
    FAILED = "failed", _("Writing failed")

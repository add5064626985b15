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

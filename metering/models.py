from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import ReadingKind


class MeterReading(models.Model):
    """A register value of a meter on a date.

    Registry operations (start, stop, suspend, resume, meter replacement) write
    readings too, so the last reading of a meter is always known. A value lower
    than the previous one is only valid as a rollover of the register, which
    is recorded explicitly.
    """

    meter = models.ForeignKey("customers.Meter", on_delete=models.PROTECT, related_name="readings")
    account = models.ForeignKey(
        "customers.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="readings"
    )
    read_on = models.DateField(_("read on"))
    value = models.PositiveBigIntegerField(_("register (m³)"))
    kind = models.CharField(_("kind"), max_length=16, choices=ReadingKind.choices)
    rolled_over = models.BooleanField(
        _("register rolled over"),
        default=False,
        help_text=_("The register passed its maximum and restarted at zero."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meter reading")
        verbose_name_plural = _("meter readings")
        ordering = ["meter", "-read_on", "-id"]
        indexes = [models.Index(fields=["meter", "-read_on", "-id"], name="reading_meter_latest")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(rolled_over=True) | ~Q(kind__in=[ReadingKind.INSTALL]),
                name="reading_install_never_rolls_over",
            )
        ]

    def __str__(self):
        return f"{self.meter_id} {self.read_on}: {self.value}"

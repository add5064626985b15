from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeteringConfig(AppConfig):
    name = "metering"
    verbose_name = _("Meter readings")

    def ready(self):
        from . import events  # noqa: F401  (registers the audit actions)

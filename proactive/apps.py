from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProactiveConfig(AppConfig):
    name = "proactive"
    verbose_name = _("Proactive care")

    def ready(self):
        from metering.signals import readings_imported

        from . import events  # noqa: F401  (registers the audit actions)

        readings_imported.connect(_scan_after_import, dispatch_uid="proactive.scan_after_import")


def _scan_after_import(sender, reading_import, **kwargs):
    from .tasks import scan_reading_import

    scan_reading_import.delay(reading_import.pk)

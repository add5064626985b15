from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProactiveConfig(AppConfig):
    name = "proactive"
    verbose_name = _("Proactive care")

    def ready(self):
        from billing.signals import billing_run_finished
        from metering.signals import readings_imported

        from . import events  # noqa: F401  (registers the audit actions)

        readings_imported.connect(_scan_after_import, dispatch_uid="proactive.scan_after_import")
        billing_run_finished.connect(_scan_after_billing, dispatch_uid="proactive.scan_after_billing")


def _scan_after_import(sender, reading_import, **kwargs):
    from .tasks import scan_reading_import

    scan_reading_import.delay(reading_import.pk)


def _scan_after_billing(sender, run, **kwargs):
    from .tasks import scan_billing_run

    scan_billing_run.delay(run.pk)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from . import events  # noqa: F401  (registers the audit actions)
        from .documents import events as document_events  # noqa: F401

        # Celery autodiscovers only billing.tasks; every process (web, worker, command) loads this.
        from .documents import tasks as document_tasks  # noqa: F401

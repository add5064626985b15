from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicedeskConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "servicedesk"
    verbose_name = _("Service desk")

    def ready(self):
        from . import events  # noqa: F401  (registers the audit actions)

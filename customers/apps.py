from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customer registry")

    def ready(self):
        from core.audit import register_actions

        from .events import ACTIONS, DETAIL_CHOICES

        register_actions(ACTIONS, DETAIL_CHOICES)

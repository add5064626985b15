from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import lookups  # noqa: F401 (registers field__in_ids)
        from .calendar import closure_changed
        from .models import Closure

        # The business calendar caches the closures in-process; a change must reach it at once.
        post_save.connect(closure_changed, sender=Closure, dispatch_uid="core.calendar.closure_saved")
        post_delete.connect(closure_changed, sender=Closure, dispatch_uid="core.calendar.closure_deleted")

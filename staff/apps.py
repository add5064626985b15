from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff and offices")

    def ready(self):
        from .roles import sync_roles_after_migrate

        # Roles are code (staff/roles.py); every migrate brings the groups in line with it.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="staff.sync_roles")

"""How metering's audit events read in the timeline."""

from django.utils.translation import gettext_lazy as _

from core.audit import ActionText, register_actions

READINGS_IMPORTED = "readings.imported"
READING_EXCEPTION_RESOLVED = "reading.exception_resolved"

ACTIONS = {
    READINGS_IMPORTED: ActionText(
        _("Reading file imported"),
        _("%(file)s: %(accepted)s accepted, %(held)s held for review, %(rejected)s rejected."),
    ),
    READING_EXCEPTION_RESOLVED: ActionText(
        _("Reading exception resolved"), _("Reading of meter %(meter)s on %(read_on)s: %(outcome)s.")
    ),
}

register_actions(ACTIONS)

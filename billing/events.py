"""How billing's audit events read in the timeline."""

from django.utils.translation import gettext_lazy as _

from core.audit import ActionText, register_actions

TARIFF_VERSION_SAVED = "tariff.version_saved"
TARIFF_PUT_IN_USE = "tariff.put_in_use"

ACTIONS = {
    TARIFF_VERSION_SAVED: ActionText(
        _("Tariff version saved"), _("Tariff %(tariff)s: the version from %(effective_from)s was saved.")
    ),
    TARIFF_PUT_IN_USE: ActionText(_("Tariff put in use"), _("Billing now prices with tariff %(tariff)s.")),
}

register_actions(ACTIONS)

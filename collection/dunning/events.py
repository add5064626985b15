"""How late fees, dunning, protection, arrangements and reconnection read in the household timeline."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.audit import ActionText, register_actions

from ..choices import ArrangementStatus, DunningStage, ProtectionReason

DUNNING_STEP = "dunning.step"
DUNNING_RUN = "dunning.run"
LATE_FEES_CHARGED = "dunning.late_fees"
RECONNECTION_ORDERED = "dunning.reconnection_ordered"
DISCONNECTION_WITHDRAWN = "dunning.disconnection_withdrawn"
PROTECTION_REGISTERED = "dunning.protection_registered"
PROTECTION_ENDED = "dunning.protection_ended"
ARRANGEMENT_MADE = "dunning.arrangement_made"
ARRANGEMENT_ENDED = "dunning.arrangement_ended"


def _step(details) -> str:
    text = _("%(dunning_stage)s for account %(account)s: %(owed)s won overdue") % details
    if details.get("deadline"):
        text += str(_(", to pay by %(deadline)s")) % details
    if details.get("protected") == "yes":
        text += str(_(" (protected household: no disconnection)"))
    if details.get("work_order"):
        text += str(_("; work order %(work_order)s")) % details
    return text + "."


def _reconnection(details) -> str:
    if details.get("protected") is True:
        text = _("Account %(account)s is now protected: reconnection work order %(work_order)s.")
    else:
        text = _("The arrears of account %(account)s are paid: reconnection work order %(work_order)s.")
    return str(text) % details


def _withdrawal(details) -> str:
    if details.get("protected") is True:
        text = _(
            "Account %(account)s is now protected: disconnection work order %(work_order)s withdrawn before "
            "the crew went."
        )
    else:
        text = _(
            "The arrears of account %(account)s were paid before the crew went: "
            "disconnection work order %(work_order)s withdrawn."
        )
    return str(text) % details


def _protection(details) -> str:
    if details.get("ends_on"):
        return (
            str(
                _(
                    "Account %(account)s protected from disconnection (%(protection_reason)s) from %(starts_on)s to %(ends_on)s."
                )
            )
            % details
        )
    return (
        str(
            _(
                "Account %(account)s protected from disconnection (%(protection_reason)s) from %(starts_on)s, until reviewed."
            )
        )
        % details
    )


ACTIONS = {
    DUNNING_STEP: ActionText(_("Dunning"), _step),
    DUNNING_RUN: ActionText(
        _("Dunning run"),
        _(
            "Run for %(on)s: %(reminders)s reminders, %(notices)s disconnection notices, "
            "%(disconnections)s disconnection orders."
        ),
    ),
    LATE_FEES_CHARGED: ActionText(
        _("Late fees charged"),
        _("%(count)s late fees (%(amount)s won, %(percent)s %%) charged on bills due before %(before)s."),
    ),
    RECONNECTION_ORDERED: ActionText(_("Reconnection ordered"), _reconnection),
    DISCONNECTION_WITHDRAWN: ActionText(_("Disconnection withdrawn"), _withdrawal),
    PROTECTION_REGISTERED: ActionText(
        _("Protection registered"),
        _protection,
    ),
    PROTECTION_ENDED: ActionText(
        _("Protection ended"),
        _("The protection of account %(account)s (%(protection_reason)s) ends on %(ends_on)s."),
    ),
    ARRANGEMENT_MADE: ActionText(
        _("Payment arrangement agreed"),
        _(
            "%(arrears)s won of account %(account)s in %(count)s installments, "
            "the first of %(first_amount)s won due %(first_due)s."
        ),
    ),
    ARRANGEMENT_ENDED: ActionText(
        _("Payment arrangement ended"),
        _("The payment arrangement of account %(account)s is %(arrangement_status)s: %(reason)s"),
    ),
}

register_actions(
    ACTIONS,
    # Keys of their own: the table of detail choices is shared by every app.
    {
        "dunning_stage": DunningStage,
        "protection_reason": ProtectionReason,
        "arrangement_status": ArrangementStatus,
    },
)

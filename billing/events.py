"""How billing's audit events read in the timeline."""

from django.utils.translation import gettext_lazy as _

from core.audit import ActionText, register_actions

from .choices import AdjustmentKind

TARIFF_VERSION_SAVED = "tariff.version_saved"
TARIFF_PUT_IN_USE = "tariff.put_in_use"
BILLING_RUN_STARTED = "billing.run_started"
BILLING_RUN_FINISHED = "billing.run_finished"
FINAL_BILL_ISSUED = "billing.final_bill_issued"
BILL_CANCELLED = "billing.bill_cancelled"
BILL_REISSUED = "billing.bill_reissued"
BILL_ADJUSTED = "billing.bill_adjusted"

ACTIONS = {
    TARIFF_VERSION_SAVED: ActionText(
        _("Tariff version saved"), _("Tariff %(tariff)s: the version from %(effective_from)s was saved.")
    ),
    TARIFF_PUT_IN_USE: ActionText(_("Tariff put in use"), _("Billing now prices with tariff %(tariff)s.")),
    BILLING_RUN_STARTED: ActionText(
        _("Billing run started"), _("Billing of cycle %(cycle)s for %(period)s started (pass %(pass)s).")
    ),
    FINAL_BILL_ISSUED: ActionText(
        _("Final bill issued"), _("Final bill of account %(account)s for %(period)s: %(total)s won.")
    ),
    BILL_CANCELLED: ActionText(
        _("Bill cancelled"),
        _("The bill of account %(account)s for %(period)s (%(total)s won) was cancelled."),
    ),
    BILL_REISSUED: ActionText(
        _("Bill reissued"),
        _("Account %(account)s was billed again for %(period)s: %(total)s won instead of %(old_total)s won."),
    ),
    BILL_ADJUSTED: ActionText(
        _("Bill adjusted"),
        _(
            "%(adjustment_kind)s of %(amount)s won on the bill of account %(account)s for %(period)s; "
            "it now asks %(total)s won."
        ),
    ),
    BILLING_RUN_FINISHED: ActionText(
        _("Billing run finished"),
        _(
            "Billing of cycle %(cycle)s for %(period)s: %(status)s — %(bills)s bills, "
            "%(exceptions)s exceptions, %(unaccounted)s unaccounted."
        ),
    ),
}

# Details keep codes; the timeline shows their labels in the reader's language.
register_actions(ACTIONS, {"adjustment_kind": AdjustmentKind})

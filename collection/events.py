"""How collection's audit events read in the household timeline."""

from django.utils.translation import gettext_lazy as _

from core.audit import ActionText, register_actions

from .choices import PaymentSource

PAYMENT_RECORDED = "payment.recorded"
PAYMENT_REVERSED = "payment.reversed"

ACTIONS = {
    PAYMENT_RECORDED: ActionText(
        _("Payment received"),
        _(
            "%(amount)s won received for account %(account)s (%(source)s, %(reference)s); %(allocated)s won paid bills."
        ),
    ),
    PAYMENT_REVERSED: ActionText(
        _("Payment reversed"),
        _(
            "The payment of %(amount)s won (%(source)s, %(reference)s) on account %(account)s was reversed: %(reason)s"
        ),
    ),
}

register_actions(ACTIONS, {"source": PaymentSource})

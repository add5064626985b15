"""How collection's audit events read in the household timeline."""

from django.utils.translation import gettext_lazy as _

from core.audit import ActionText, register_actions

from .choices import PaymentSource
from .models import Refund

PAYMENT_RECORDED = "payment.recorded"
PAYMENT_REVERSED = "payment.reversed"
PAYMENTS_IMPORTED = "payment.file_imported"
SUSPENSE_MATCHED = "payment.suspense_matched"
CREDIT_REFUNDED = "payment.credit_refunded"

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
    PAYMENTS_IMPORTED: ActionText(
        _("Payment file imported"),
        _(
            "%(file)s: %(posted)s payments posted, %(suspense)s in suspense, %(already)s already on record, %(rejected)s rejected; %(amount)s won."
        ),
    ),
    SUSPENSE_MATCHED: ActionText(
        _("Payment matched from suspense"),
        _(
            "The payment of %(amount)s won (%(source)s, %(reference)s) that waited in suspense was matched to account %(account)s; %(allocated)s won paid bills."
        ),
    ),
    CREDIT_REFUNDED: ActionText(
        _("Credit refunded"),
        _(
            "%(amount)s won of account %(account)s's credit was refunded (%(refund_method)s %(to)s): %(reason)s"
        ),
    ),
}

register_actions(ACTIONS, {"source": PaymentSource, "refund_method": Refund.Method})

"""How the counter's audit events read in the household timeline.

Imported by collection/models/counter.py, so every process that loads the models can describe them.
"""

from django.utils.translation import gettext_lazy as _

from core.audit import ActionText, register_actions

RECEIPT_PRINTED = "payment.receipt_printed"

register_actions(
    {
        RECEIPT_PRINTED: ActionText(
            _("Receipt printed"),
            _("Receipt %(receipt)s for %(amount)s won on account %(account)s printed (copy %(copy)s)."),
        ),
    }
)

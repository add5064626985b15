"""How the print batch's audit event reads in the timeline.

Imported by billing/models/documents.py, so every process that loads the models (web,
worker, command) can describe the event.
"""

from django.utils.translation import gettext_lazy as _

from core.audit import ActionText, register_actions

PRINT_BATCH_WRITTEN = "billing.print_batch_written"

register_actions(
    {
        PRINT_BATCH_WRITTEN: ActionText(
            _("Print batch written"),
            _(
                "Print batch %(batch)s of cycle %(cycle)s for %(period)s: %(bills)s bills "
                "in %(files)s files (%(pages)s pages)."
            ),
        ),
    }
)

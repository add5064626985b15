"""What billing tells other apps, sent once the change is committed."""

from django.dispatch import Signal

# A billing run finished (``run``): its bills are issued. Proactive care judges the
# run's accounts' latest reads — readings that reached billing without an import
# (an accepted exception, a correction) are judged here.
billing_run_finished = Signal()

# Bills of these accounts were issued, cancelled or changed in amount (``account_ids``).
# Sent inside the transaction that changed them, so that what was paid on them is
# settled again in the same transaction (collection: credit applied, an over-payment
# released).
bills_changed = Signal()

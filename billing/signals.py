"""What billing tells other apps, sent once the change is committed."""

from django.dispatch import Signal

# A billing run finished (``run``): its bills are issued. Proactive care judges the
# run's accounts' latest reads — readings that reached billing without an import
# (an accepted exception, a correction) are judged here.
billing_run_finished = Signal()

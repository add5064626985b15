from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    # "collection", not "collections": that name is Python's own module.
    name = "collection"
    verbose_name = _("Collection")

    def ready(self):
        from billing.signals import bills_changed

        from . import events  # noqa: F401  (registers the audit actions)

        bills_changed.connect(_settle_after_bills_changed, dispatch_uid="collection.settle_bills")
        _ready_dunning()


def _settle_after_bills_changed(sender, account_ids, **kwargs):
    from .ledger import settle

    settle(account_ids)


def _ready_dunning():
    """Late fees and dunning: check the ordinance's settings at start-up, listen for settled payments."""
    from .dunning import events as dunning_events  # noqa: F401  (registers the audit actions)
    from .dunning.config import read_config
    from .signals import payments_settled

    read_config()  # ImproperlyConfigured names a wrong DUNNING_STAGES / LATE_FEE_* before anything runs
    payments_settled.connect(_reconnect_after_payments, dispatch_uid="collection.dunning.after_payments")


def _reconnect_after_payments(sender, account_ids, **kwargs):
    """Hand the paid accounts that are disconnected or in an arrangement to a worker (within minutes)."""
    import logging

    from .choices import ArrangementStatus
    from .models import Disconnection, PaymentArrangement

    try:
        # Both sets are small (the accounts whose water is off, those paying in installments).
        watched = set(
            Disconnection.objects.filter(resolved_at__isnull=True).values_list("account_id", flat=True)
        )
        watched |= set(
            PaymentArrangement.objects.filter(status=ArrangementStatus.ACTIVE).values_list(
                "account_id", flat=True
            )
        )
        paid = sorted(watched.intersection(int(a) for a in account_ids))
        if paid:
            from .tasks import reconnect_paid

            reconnect_paid.delay(paid)
    except Exception:
        # The payment is committed; the sweep (collection.tasks.sweep_reconnections) reconnects later.
        logging.getLogger(__name__).exception(
            "Reconnection after payments to %s failed", list(account_ids)[:20]
        )

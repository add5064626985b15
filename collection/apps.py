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


def _settle_after_bills_changed(sender, account_ids, **kwargs):
    from .ledger import settle

    settle(account_ids)

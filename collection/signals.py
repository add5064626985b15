"""Collection's signals."""

from django.dispatch import Signal

# Sent after commit by collection.ledger.settle with ``account_ids``: the accounts whose payments
# were just matched to bills (from any source: counter, bank file, card callback, auto-debit).
# Receivers run after the money is committed; they must not raise (the payment stands).
payments_settled = Signal()

"""Collection's records, one module per part of the work (payments; later auto-debit, dunning)."""

from .payments import Allocation, Payment, PaymentFile, PaymentFileRejection

__all__ = ["Allocation", "Payment", "PaymentFile", "PaymentFileRejection"]

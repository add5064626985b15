"""Collection's records, one module per part of the work: payments, the counter, auto-debit, dunning."""

from .autodebit import DebitRequest, DebitRequestLine, DebitResultFile, Mandate
from .counter import CounterReceipt
from .dunning import (
    ArrearsEpisode,
    Disconnection,
    DunningRun,
    DunningStep,
    Installment,
    LateFee,
    PaymentArrangement,
    Protection,
)
from .payments import Allocation, Payment, PaymentFile, PaymentFileRejection, Refund, RefundPart

__all__ = [
    "Allocation", "Payment", "PaymentFile", "PaymentFileRejection", "Refund", "RefundPart",
    "CounterReceipt",
    "DebitRequest", "DebitRequestLine", "DebitResultFile", "Mandate",
    "ArrearsEpisode", "Disconnection", "DunningRun", "DunningStep", "Installment", "LateFee",
    "PaymentArrangement", "Protection",
]  # fmt: skip

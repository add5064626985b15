from .bills import Adjustment, Bill, BillBalance, SewerVolume
from .documents import PrintBatch, PrintedBill
from .runs import BillingRun, BillingRunChunk, RunException
from .tariffs import Tariff, TariffVersion

__all__ = [
    "Adjustment",
    "Bill",
    "BillBalance",
    "BillingRun",
    "BillingRunChunk",
    "PrintBatch",
    "PrintedBill",
    "RunException",
    "SewerVolume",
    "Tariff",
    "TariffVersion",
]

from .bills import Adjustment, Bill, SewerVolume
from .runs import BillingRun, BillingRunChunk, RunException
from .tariffs import Tariff, TariffVersion

__all__ = [
    "Adjustment",
    "Bill",
    "BillingRun",
    "BillingRunChunk",
    "RunException",
    "SewerVolume",
    "Tariff",
    "TariffVersion",
]

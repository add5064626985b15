from .bills import Bill, SewerVolume
from .runs import BillingRun, BillingRunChunk, RunException
from .tariffs import Tariff, TariffVersion

__all__ = ["Bill", "BillingRun", "BillingRunChunk", "RunException", "SewerVolume", "Tariff", "TariffVersion"]

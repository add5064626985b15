"""Business operations of the registry: one function each, atomic, validated, audited.

Views, commands and tasks call these and nothing below them. Each refuses an
invalid request with a ``ValidationError`` whose messages are keyed by form
field, and changes nothing when it does.
"""

from .customers import CustomerDetails, check_reveal, register_customer, reveal_personal_data, update_customer
from .premises import MeterSpec, PremiseDetails, change_household_count, register_premise, replace_meter
from .service import (
    move_household,
    resume_account,
    start_service,
    stop_service,
    suspend_account,
    transfer_account,
)

__all__ = [
    "CustomerDetails",
    "MeterSpec",
    "PremiseDetails",
    "change_household_count",
    "check_reveal",
    "move_household",
    "register_customer",
    "register_premise",
    "replace_meter",
    "resume_account",
    "reveal_personal_data",
    "start_service",
    "stop_service",
    "suspend_account",
    "transfer_account",
    "update_customer",
]

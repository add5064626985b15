"""Proactive care's operations (views, tasks and commands call these, nothing else).

- :mod:`.scan`: judging the reads after an import or billing run, and the hourly flows;
- :mod:`.cases`: a case's pre-call, visit finding and leak bill reduction;
- :mod:`.household`: what a household tells the utility (declared events, residents).
"""

from .cases import apply_reduction, propose_reduction, record_leak_finding, record_precall
from .household import declare_event, register_residents, withdraw_event
from .scan import LEAK_DIAGNOSIS, ScanOutcome, scan_accounts, scan_hourly

__all__ = [
    "LEAK_DIAGNOSIS",
    "ScanOutcome",
    "apply_reduction",
    "declare_event",
    "propose_reduction",
    "record_leak_finding",
    "record_precall",
    "register_residents",
    "scan_accounts",
    "scan_hourly",
    "withdraw_event",
]

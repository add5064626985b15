"""Billing operations (DESIGN.md §5): one function per business operation."""

from .corrections import adjust_bill, cancel_bill, rebill, reduce_for_leak
from .documents import build_print_batch
from .runs import finish_billing_run, issue_final_bill, run_billing_cycle, start_billing_run
from .tariffs import TARIFF_FILES, load_tariff_file, put_tariff_in_use, save_tariff_version

__all__ = [
    "TARIFF_FILES",
    "adjust_bill",
    "build_print_batch",
    "cancel_bill",
    "finish_billing_run",
    "issue_final_bill",
    "load_tariff_file",
    "put_tariff_in_use",
    "rebill",
    "reduce_for_leak",
    "run_billing_cycle",
    "save_tariff_version",
    "start_billing_run",
]

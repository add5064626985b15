"""Collection's Celery tasks: the daily dunning job, reconnection after payments, and its sweep."""

from __future__ import annotations

from celery import shared_task

from core.jobs import tracked


@shared_task(name="collection.tasks.run_daily_dunning")
def run_daily_dunning() -> int:
    """Every morning: late fees, arrangements, cleared arrears, dunning stages (for today)."""
    from .dunning.run import run_dunning

    with tracked("collection.run_daily_dunning"):
        return run_dunning().pk


@shared_task(name="collection.tasks.reconnect_paid")
def reconnect_paid(account_ids: list[int]) -> int:
    """After payments settled: reconnect the disconnected accounts among them with nothing overdue left,
    and complete the arrangements they paid off."""
    from core.dates import today

    from .dunning.arrangements import judge_arrangements
    from .dunning.reconnection import reconnect_cleared

    judge_arrangements(today(), account_ids)
    outcome = reconnect_cleared(account_ids)
    return outcome.reconnections + outcome.withdrawn


@shared_task(name="collection.tasks.sweep_reconnections")
def sweep_reconnections() -> int:
    """Every few minutes: what a lost reconnect_paid missed (broker down, worker died, a rebill cleared arrears)."""
    from .dunning.reconnection import reconnect_cleared

    with tracked("collection.sweep_reconnections"):
        outcome = reconnect_cleared()
        return outcome.reconnections + outcome.withdrawn


@shared_task(name="collection.tasks.settle_idle_credit")
def settle_idle_credit() -> int:
    """Every ten minutes: credit left beside an owed bill (docs/collection.md) pays it."""
    from .ledger import settle_idle_credit as sweep

    with tracked("collection.settle_idle_credit"):
        return sweep()

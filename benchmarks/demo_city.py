"""Benchmark: load the demo city of --size premises (with --flush) and time it.

    .venv/bin/python benchmarks/demo_city.py --size 100000
    DATABASE_URL=postgres://… .venv/bin/python benchmarks/demo_city.py --size full

Uses DATABASE_URL from the environment; without one, an SQLite file under
SUIDO_VAR_DIR if set (scripts/run_benchmarks.py sets var/bench), else a throw-away
one, never the demo database under var/. The last line is

    BENCH demo_city premises=N seconds=S rows=R
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

SIZES = {"small": 3_000, "full": 1_000_000}


def _size(text: str) -> int:
    if text in SIZES:
        return SIZES[text]
    try:
        return int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or one of {', '.join(SIZES)}") from None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=_size, default=3_000, help="premises: a number, 'small' or 'full'")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suido.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret")
    scratch = None
    if not os.environ.get("DATABASE_URL") and not os.environ.get("SUIDO_VAR_DIR"):
        # A --flush benchmark must not empty the demo database under var/ (scripts/run_benchmarks.py
        # points SUIDO_VAR_DIR at var/bench; run by hand, it gets a throw-away directory).
        scratch = tempfile.TemporaryDirectory(prefix="suido-bench-")
        os.environ["SUIDO_VAR_DIR"] = scratch.name

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from customers.demo_city import load_demo_city

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", verbosity=0)
    started = time.monotonic()
    result = load_demo_city(args.size, seed=args.seed, flush=True, log=lambda line: print(line, flush=True))
    seconds = time.monotonic() - started
    for label, count in result.counts.items():
        print(f"  {label:<13}{count:>12,}")
    print(f"BENCH demo_city premises={args.size} seconds={seconds:.1f} rows={result.rows}")
    if scratch is not None:
        connection.close()
        scratch.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())

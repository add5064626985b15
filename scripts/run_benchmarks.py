"""Run every benchmark in benchmarks/ at its small (`make bench`) or full (`make bench-full`) size.

Benchmarks flush and refill the database they are given, so they never run on
the demo's or anyone's real database: without DATABASE_URL they use an SQLite
file under var/bench/; with it, a database of the same server whose name ends
in ``_bench`` (created if missing).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent

# benchmark → (small size, full size as named by its issue)
SIZES = {
    "demo_city": (3_000, 1_000_000),
    # the issue asks for fast search on the demo city of 100,000 premises
    "search": (3_000, 100_000),
    # intake forms posted on whatever demo city the run loaded before (1M premises at full size)
    "intake": (200, 2_000),
    # the issue: a million accounts billed in about a minute (1,017,000 premises hold 1,000,272
    # accounts open in the month)
    "billing_run": (3_000, 1_017_000),
    "bill_pdf": (200, 10_000),  # print batches of a month of a 10,000-premise city, and one bill
    # a synthetic city with injected leaks (no database)
    "detection_quality": (20_000, 1_000_000),
    # two years of monthly reads of every account of the city of a million accounts, judged
    "detection_scan": (3_000, 1_025_000),  # 1,025,000 premises hold 1,004,380 open accounts
    # a bank's deposit file of the whole city paying (rows; the city is 1.7 % larger)
    "payments_import": (3_000, 1_000_000),
}


def bench_database_url(url: str) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.endswith("_bench"):
        name += "_bench"
    if parts.scheme.startswith("postgres"):
        import psycopg

        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="the sizes the issues name")
    parser.add_argument("names", nargs="*", help="only these benchmarks")
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("SECRET_KEY", "benchmarks")
    if env.get("DATABASE_URL"):
        env["DATABASE_URL"] = bench_database_url(env["DATABASE_URL"])
    else:
        env["SUIDO_VAR_DIR"] = str(ROOT / "var" / "bench")
        Path(env["SUIDO_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    scripts = sorted(s for s in (ROOT / "benchmarks").glob("*.py") if not s.name.startswith("_"))
    missing = [s.stem for s in scripts if s.stem not in SIZES]
    if missing:
        print(f"no sizes for benchmarks {missing}: add them to SIZES in {__file__}", file=sys.stderr)
        return 1
    for script in scripts:
        if args.names and script.stem not in args.names:
            continue
        size = SIZES[script.stem][1 if args.full else 0]
        print(f"--- {script.stem} --size {size}", flush=True)
        result = subprocess.run([sys.executable, str(script), "--size", str(size)], cwd=ROOT, env=env)
        if result.returncode:
            return result.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the benchmarks share: Django set up on DATABASE_URL, and the 95th percentile of timings.

Not a benchmark itself (scripts/run_benchmarks.py skips names starting with "_").
"""

from __future__ import annotations

import os
import statistics
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(*, test_client: bool = False) -> None:
    """Set up Django from the repository's settings; ``test_client`` lets Django's test Client in."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suido.settings")
    os.environ.setdefault("SECRET_KEY", "benchmarks")
    # STATIC_ROOT exists only after collectstatic; irrelevant to the timings.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    if test_client:
        from django.conf import settings

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def p95(samples: list[float]) -> float:
    """The 95th percentile (the largest sample when there are too few to interpolate)."""
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)

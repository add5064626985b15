"""The demo city: a synthetic Seoul with premises, customers, meters and ten years of history.

``load_demo_city`` is the entry point (used by ``manage.py load_demo_city`` and
``benchmarks/demo_city.py``); see generator.py for how it writes.
"""

from .generator import DemoCityError, LoadResult, flush_registry, load_demo_city

__all__ = ["DemoCityError", "LoadResult", "flush_registry", "load_demo_city"]

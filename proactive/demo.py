"""The demo city's proactive records go before the requests and accounts they point at."""

from django.db import connection, transaction

from .models import DeclaredEvent, Detection, ProactiveCase, ResidentCount


def flush_demo_proactive() -> None:
    """Delete detections, cases and the households' explanations (seasonal windows are configuration)."""
    tables = [Detection, ProactiveCase, DeclaredEvent, ResidentCount]  # in the order they point at each other
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(quote(model._meta.db_table) for model in tables)}")
        else:
            for model in tables:
                cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")

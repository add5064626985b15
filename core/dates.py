from datetime import date

from django.utils import timezone


def today() -> date:
    """Today in Seoul (TIME_ZONE), whatever the server's clock zone."""
    return timezone.localdate()

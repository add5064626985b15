"""How a detection is put in words: the same sentence on the case, the request and the timeline."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .choices import DetectionKind


def finding_sentence(
    kind: str, day: str, use_per_day: float, usual: float | None, ratio: float | None
) -> str:
    """What was found, in the active language (``day`` as it should be shown)."""
    litres_an_hour = use_per_day * 1000 / 24
    if kind == DetectionKind.CONTINUOUS:
        return _(
            "The hourly flows to %(day)s never stopped: at least %(lph).0f litres every hour for two days "
            "(%(use).2f m³ a day), as a running cistern or a leaking pipe does."
        ) % {"day": day, "lph": litres_an_hour, "use": use_per_day}
    if kind == DetectionKind.BURST:
        return _(
            "The hourly flows to %(day)s held %(lph).0f litres an hour for hours on end, as a burst pipe does."
        ) % {"day": day, "lph": litres_an_hour}
    return _(
        "The readings show %(use).2f m³ a day in the period to %(day)s, against a usual %(usual).2f m³ a day "
        "(%(ratio).1f times)."
    ) % {"day": day, "use": use_per_day, "usual": usual or 0, "ratio": ratio or 0}

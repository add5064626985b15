"""Money is an integer number of won: no floats, no decimals, no subunits."""

from __future__ import annotations

from django.utils.translation import gettext as _


def format_won(amount: int) -> str:
    """12340 → '12,340원' (ko) / '₩12,340' (en); negative amounts keep their sign."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"money must be an integer number of won, got {amount!r}")
    sign = "-" if amount < 0 else ""
    # Translators: %(sign)s is "-" or empty, %(amount)s the number with thousands separators.
    return _("%(sign)s₩%(amount)s") % {"sign": sign, "amount": f"{abs(amount):,}"}

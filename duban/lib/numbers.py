"""Numbers as people write them."""

from decimal import Decimal


def plain(value) -> str:
    """A decimal without trailing zeros or exponent: 100.00 → "100", 0.40 → "0.4", 8600.50 →
    "8600.5"; None or "" → ""."""
    if value in (None, ""):
        return ""
    value = Decimal(str(value))
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")

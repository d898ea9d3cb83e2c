"""Money is an int of fen (1/100 yuan) everywhere; points are an int. No float touches either.

This module parses and formats amounts, and holds `allocate`: the one rounding rule of
the shop, used wherever an amount is split into parts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MAX_FEN = 10**12 - 1  # ¥9,999,999,999.99: anything larger is a typing mistake, not money.

def format_yuan(fen: int) -> str:
    """12345 -> '¥123.45'; -5 -> '-¥0.05'."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


_YUAN = re.compile(r"^\s*[¥￥]?\s*(\d{1,10})(?:\.(\d{1,2}))?\s*$")


def parse_yuan(text: str) -> int:
    """'12.5' / '¥12.50' / '12' -> fen. Raises ValueError for anything else (negative, 3 decimals, words)."""
    match = _YUAN.match(text.replace(",", ""))
    if not match:
        raise ValueError(f"not an amount of money: {text!r}")
    whole, frac = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(frac)


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` fen into parts proportional to `weights`, in whole fen adding up to `total`.

    The shop's single rounding rule: each part gets the whole fen of its exact share
    (rounded down); the fen left over go one each to the parts with the largest
    remainders, ties to the earlier part. A negative total is split as its opposite and negated, so a refund
    splits exactly as the sale did.
    """
    if not weights or any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative and not empty")
    denominator = sum(weights)
    if denominator == 0:
        raise ValueError("weights must not all be zero")
    if total < 0:
        return [-part for part in allocate(-total, weights)]
    floors, remainders = [], []
    for weight in weights:
        part, remainder = divmod(total * weight, denominator)
        floors.append(part)
        remainders.append(remainder)
    left = total - sum(floors)
    # Stable sort: equal remainders keep their order, so ties go to the earlier part.
    for index in sorted(range(len(weights)), key=lambda i: -remainders[i])[:left]:
        floors[index] += 1
    return floors

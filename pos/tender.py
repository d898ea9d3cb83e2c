"""Points at the till: pure rules for paying part or all of a sale in love-bank points.

Points pay first, and only for the lines whose category accepts points; cash pays the rest.
A point is worth `[points] fen_per_point` fen, so points always pay a whole number of fen.

Rounding, written down once: the most points a sale can take is the eligible value divided
by the worth of a point, rounded DOWN (never more points than the goods they pay for are
worth); whatever that leaves of the eligible value, a fraction of a point's worth, is paid in
cash with the rest. At 100 fen a point, goods worth ¥12.50 take at most 12 points (¥12.00)
and ¥0.50 in cash.

The payer is a member (identified at the till by their card or number), or the community
fund, spent by a manager for a household in need: recorded by a short household reference
such as "H-2026-017", never a name, phone or ID number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shop.errors import DomainError

from pos.errors import SaleError

MAX_POINTS = 10_000_000
_HOUSEHOLD_REF = re.compile(r"^H-\d{4}-\d{1,5}$")


@dataclass(frozen=True)
class PointsIn:
    """The points part of a tender, as the till sends it: how many, and who pays them."""

    points: int
    member_code: str | None = None  # the member's card (scanned) or number (typed)
    household_ref: str | None = None  # the fund pays, for this household (a manager's PIN is needed)


@dataclass(frozen=True)
class PointsPaid:
    points: int
    fen: int  # what they pay of the sale: points × fen_per_point


def most_points(eligible_fen: int, fen_per_point: int) -> int:
    """The most points goods worth `eligible_fen` can take (rounded down: never more than they are worth)."""
    return max(0, eligible_fen) // fen_per_point


def points_payment(*, points: int, eligible_fen: int, balance: int, fen_per_point: int) -> PointsPaid:
    """Check a points tender against the goods that accept points and the payer's balance."""
    if not isinstance(points, int) or isinstance(points, bool) or not 1 <= points <= MAX_POINTS:
        raise DomainError(SaleError.BAD_POINTS, maximum=MAX_POINTS)
    if eligible_fen <= 0:
        raise DomainError(SaleError.NO_POINTS_GOODS)
    most = most_points(eligible_fen, fen_per_point)
    if points > most:
        raise DomainError(SaleError.TOO_MANY_POINTS, points=points, most=most, eligible=eligible_fen)
    if points > balance:
        # the love bank's code and words: "the account holds {points}, and {asked} are needed"
        raise DomainError(SaleError.NOT_ENOUGH_POINTS, points=max(0, balance), asked=points)
    return PointsPaid(points=points, fen=points * fen_per_point)


def household_ref(text: str | None) -> str:
    """A household reference as recorded: "h-2026-17 " -> "H-2026-17"; DomainError if it is not one."""
    ref = "".join((text or "").split()).upper()
    if not _HOUSEHOLD_REF.match(ref):
        raise DomainError(SaleError.BAD_HOUSEHOLD_REF)
    return ref


def check_payer(tender: PointsIn) -> None:
    """Exactly one payer: a member, or the fund for a household."""
    if bool((tender.member_code or "").strip()) == bool((tender.household_ref or "").strip()):
        raise DomainError(SaleError.POINTS_PAYER)

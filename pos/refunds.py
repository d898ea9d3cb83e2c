"""What a return gives back: the part of a sale line's value and split, and of the sale's tenders. Pure rules.

A refund reverses exactly the split of what it refunds. For pieces of a line brought back in
several returns, each share is worked out on the pieces returned so far, cumulatively, and a
return gets the difference: after n of q pieces the value returned is the line's value × n / q,
rounded by shop.money.allocate (half a fen up), its fund part the same share of that value as
the line's fund part is of the line's value, and the maker's part likewise of what is left. Each
cumulative share only grows with n and reaches the line's own part at n = q, so every return's
parts are whole fen, never negative, add up to its value, and all the returns of a line
together reverse its parts to the fen. The tenders are refunded the same way: each tender gets
back its share of what has been returned of the sale (points first, then cash, as they were
taken), and a points tender's points in proportion to the fen refunded to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shop.money import allocate


def share_of(amount: int, part: int, whole: int) -> int:
    """amount × part / whole in whole fen, half a fen up (allocate's rule for two parts); 0 when whole is 0."""
    if whole == 0 or amount == 0:
        return 0
    if not 0 <= part <= whole:
        raise ValueError(f"a part {part} of {whole}")
    return allocate(amount, [part, whole - part])[0]


@dataclass(frozen=True)
class Parts:
    value_fen: int
    fund_fen: int
    maker_fen: int
    running_fen: int

    def __sub__(self, other: Parts) -> Parts:
        return Parts(self.value_fen - other.value_fen, self.fund_fen - other.fund_fen,
                     self.maker_fen - other.maker_fen, self.running_fen - other.running_fen)


def parts_after(line: Parts, quantity: int, pieces: int) -> Parts:
    """The value and split of `pieces` of a line of `quantity` pieces, returned in all so far."""
    if not 0 <= pieces <= quantity or quantity < 1:
        raise ValueError(f"{pieces} of {quantity} pieces")
    if line.fund_fen + line.maker_fen + line.running_fen != line.value_fen:
        raise ValueError("the line's parts do not add up to its value")
    value = share_of(line.value_fen, pieces, quantity)
    fund = share_of(value, line.fund_fen, line.value_fen)
    rest = value - fund
    maker = share_of(rest, line.maker_fen, line.maker_fen + line.running_fen)
    return Parts(value, fund, maker, rest - maker)


def returned_parts(line: Parts, quantity: int, *, before: int, now: int) -> Parts:
    """The parts one return reverses: `now` pieces, after `before` pieces already returned."""
    return parts_after(line, quantity, before + now) - parts_after(line, quantity, before)


def tender_shares(amounts: Sequence[int], returned_fen: int) -> list[int]:
    """Of `returned_fen` returned of a sale so far, each tender's share (the tenders' amounts, in order)."""
    total = sum(amounts)
    if not 0 <= returned_fen <= total:
        raise ValueError(f"{returned_fen} returned of a sale of {total}")
    shares, left, rest = [], returned_fen, total
    for amount in amounts:
        share = share_of(left, amount, rest)
        shares.append(share)
        left, rest = left - share, rest - amount
    return shares


def refunds(amounts: Sequence[int], *, before_fen: int, now_fen: int) -> list[int]:
    """What this return gives back on each tender, `before_fen` of the sale having been returned already."""
    after = tender_shares(amounts, before_fen + now_fen)
    earlier = tender_shares(amounts, before_fen)
    return [a - b for a, b in zip(after, earlier)]


def points_back(points: int, amount_fen: int, *, before_fen: int, now_fen: int) -> int:
    """The points a points tender gets back for `now_fen` refunded to it, after `before_fen` already."""
    return share_of(points, before_fen + now_fen, amount_fen) - share_of(points, before_fen, amount_fen)

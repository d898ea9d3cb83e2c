"""What a return gives back: the part of a sale line's value and split, and of the sale's tenders. Pure rules.

A refund reverses exactly the split of what it refunds. For pieces of a line brought back in
several returns, each share is worked out on the pieces returned so far, cumulatively, and a
return gets the difference: after n of q pieces the value returned is the line's value × n / q,
rounded by shop.money.allocate (half a fen up), its fund part the same share of that value as
the line's fund part is of the line's value, and the maker's part likewise of what is left. Each
cumulative share only grows with n and reaches the line's own part at n = q, so every return's
parts are whole fen, never negative, add up to its value, and all the returns of a line
together reverse its parts to the fen. The tenders are refunded by refund_to_tenders(): whole
points, each worth what it paid, then cash for the rest, so that the refund equals what came back
and no tender gets back more than it paid (REFUND_RULE says it in words for the return screen).
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


@dataclass(frozen=True)
class Paid:
    """A tender of the sale: cash, or points worth `amount_fen` (points × the sale's fen per point)."""

    kind: str  # cash | points
    amount_fen: int
    points: int = 0


@dataclass(frozen=True)
class Back:
    """What a tender got back: fen, and for a points tender the whole points worth them."""

    amount_fen: int = 0
    points: int = 0


def refund_to_tenders(paid: Sequence[Paid], back: Sequence[Back], *, returned_fen: int) -> list[Back]:
    """What this return gives back on each tender: `returned_fen` of the sale has come back in all, this
    return included; `back[i]` is what tender i got back from the earlier returns.

    The rule (REFUND_RULE): the refund is what has come back less what was refunded already. Points go
    back in whole points, each worth what it paid: as many as the points tender's share of what has come
    back calls for (to the nearest point), moved as little as needed so that the cash tender neither goes
    below zero nor past what it paid; cash gives the rest. A tender never gets back more than it paid, so
    the last return of a sale squares every tender exactly. Only when the cash still to give back is less
    than one point's worth and no whole number of points fits, the points are rounded down and the
    refund falls short by less than a point's worth: that difference stays owed to the customer until
    more of the sale comes back (the ledger's REFUNDS_OWED), and the sale's last return pays it.
    """
    if len(paid) != len(back):
        raise ValueError("a tender without what it got back")
    total = sum(p.amount_fen for p in paid)
    if not 0 <= returned_fen <= total:
        raise ValueError(f"{returned_fen} returned of a sale of {total}")
    due = returned_fen - sum(b.amount_fen for b in back)
    if due < 0:
        raise ValueError(f"refunded {returned_fen - due} for {returned_fen} returned")
    for p, b in zip(paid, back):
        if not 0 <= b.amount_fen <= p.amount_fen or not 0 <= b.points <= p.points:
            raise ValueError("a tender got back more than it paid")
    shares = tender_shares([p.amount_fen for p in paid], returned_fen)
    given = [Back() for _ in paid]
    cash_at = [i for i, p in enumerate(paid) if p.kind != "points"]
    room = [paid[i].amount_fen - back[i].amount_fen for i in cash_at]
    points_at = [i for i, p in enumerate(paid) if p.kind == "points" and p.points]
    if len(points_at) > 1:
        raise ValueError("a sale has one points tender")
    in_points = 0
    if points_at:
        i = points_at[0]
        p, b = paid[i], back[i]
        if p.amount_fen % p.points:
            raise ValueError(f"{p.points} points paid {p.amount_fen} fen: not a whole number of fen each")
        worth = p.amount_fen // p.points
        left = p.points - b.points
        wanted = max(0, shares[i] - b.amount_fen)
        nearest = (2 * wanted + worth) // (2 * worth)
        fewest = max(0, -(-(due - sum(room)) // worth))  # so that cash need not give back more than it paid
        most = min(left, due // worth)  # never more than is due
        points = min(max(nearest, fewest), most)
        given[i] = Back(points * worth, points)
        in_points = points * worth
    cash = min(sum(room), due - in_points)
    if cash:
        for i, part in zip(cash_at, allocate(cash, room)):
            given[i] = Back(part)
    return given


REFUND_RULE = (
    "A refund is the value of what comes back. Points go back in whole points, each worth what it paid, in "
    "proportion to what the points paid of the sale (to the nearest point); cash gives the rest. No tender ever "
    "gets back more than it paid, and the sale's last return squares every tender exactly. When the cash still "
    "to give back is less than one point's worth and no whole number of points fits, the refund falls short by "
    "less than a point's worth, owed to the customer until the rest of the sale comes back."
)

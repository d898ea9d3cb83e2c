"""A donor's impact: what they gave, what of it has sold, and what it raised for the community fund.

What has sold is read from the read model of what was sold, net of returns (pos/sold.py): a piece brought
back is not sold, and the fund's share it raised was given back.
Goods with the shop's own code came from one donation, so their sales are theirs exactly.
Goods with a maker's barcode may have come in from several donors (and purchases): their
sales are counted first in, first out over the intake movements, and the fund's share of
those sales is divided by pieces sold with the shop's one rounding rule (shop.money.allocate).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from donations.intake import donation_number
from pos.sold import sold_by_item
from pos.tables import SaleLine
from shop import sql
from shop.database import run
from shop.money import allocate


@dataclass(frozen=True)
class DonorImpact:
    donations: int
    pieces_given: int  # accepted into stock
    pieces_refused: int
    pieces_sold: int  # net of the pieces brought back
    fund_fen: int  # raised for the community fund by what sold, net of returns


async def donor_impact(*, shop_id: int, donor_id: int) -> DonorImpact:
    db = SaleLine._meta.db
    given = await run(db, """
        SELECT d.id AS donation, l.item, l.quantity, l.refused_reason
        FROM donation d JOIN donated_item l ON l.donation = d.id WHERE d.shop = $1 AND d.donor = $2""",
                      shop_id, donor_id)
    donations = {row["donation"] for row in given}
    refs = {donation_number(d) for d in donations}
    items = sorted({row["item"] for row in given if row["item"] is not None})
    pieces_sold = fund = 0
    if items:
        marks = sql.placeholders(1, len(items))
        intakes = await run(db, f"""
            SELECT item, quantity, ref FROM stock_movement WHERE item IN ({marks}) AND kind = 'intake'
            ORDER BY item, id""", *items)
        sold = {item: (net.pieces, net.fund_fen)
                for item, net in (await sold_by_item(shop_id=shop_id, items=items)).items()}
        queue: dict[int, list[tuple[int, bool]]] = defaultdict(list)
        for row in intakes:
            queue[row["item"]].append((int(row["quantity"]), row["ref"] in refs))
        for item in items:
            pieces, item_fund = sold.get(item, (0, 0))
            shares = _first_in_first_out(pieces, [quantity for quantity, _ in queue[item]])
            if not any(shares):
                continue
            theirs = [mine for _, mine in queue[item]]
            pieces_sold += sum(share for share, mine in zip(shares, theirs) if mine)
            fund += sum(part for part, mine in zip(allocate(item_fund, shares), theirs) if mine)
    return DonorImpact(
        donations=len(donations),
        pieces_given=sum(row["quantity"] for row in given if not row["refused_reason"]),
        pieces_refused=sum(row["quantity"] for row in given if row["refused_reason"]),
        pieces_sold=pieces_sold, fund_fen=fund,
    )


def _first_in_first_out(sold: int, batches: list[int]) -> list[int]:
    """How many of `sold` pieces came from each batch, oldest first (more sold than came in: the last batch's)."""
    shares, left = [], sold
    for quantity in batches:
        take = min(quantity, left)
        shares.append(take)
        left -= take
    if left > 0 and shares:
        shares[-1] += left
    return shares

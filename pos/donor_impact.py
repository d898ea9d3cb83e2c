"""A donor's impact: what they gave, what of it has sold, and what it raised for the community fund.

What has sold is read from the read model of what was sold, net of returns (pos/sold.py): a piece brought
back is not sold, and the fund's share it raised was given back.
Goods with the shop's own code came from one donation, so their sales are theirs exactly.
Goods with a maker's barcode may have come in from several donors (and purchases): their
sales are counted first in, first out over the intake movements, and the fund's share of
those sales is divided by pieces sold with the shop's one rounding rule (shop.money.allocate).
Goods sent to another shop of the district (inventory/transfers.py) stay theirs: a transfer's pieces leave their item
first in, first out before its sales do, and the item received at the other shop holds them as a batch of its own,
so its sales there are counted too (and onwards, if it is sent on again).
A donation taken in at a station is the station's, its goods the items of the shop it feeds (donations/intake.py):
their sales are read at the shop each item belongs to, so the impact read at the station counts them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from donations.intake import donation_number
from inventory.transfers import transfer_number
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
        pieces_sold, fund = await _sold_of(items=items, refs=refs)
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


async def _sold_of(*, items: list[int], refs: set[str]) -> tuple[int, int]:
    """(pieces sold, the fund's share they raised) of the donor's goods among `items` and the items received from
    them at other shops by transfer."""
    db = SaleLine._meta.db
    # the items the goods went on to, by transfer (only received lines have one), until there are no more
    every, frontier, sent = set(items), list(items), []
    while frontier:
        marks = sql.placeholders(1, len(frontier))
        rows = await run(db, f"""
            SELECT l.item, l.quantity, l.received_item, t.id AS transfer FROM transfer_line l
            JOIN transfer t ON t.id = l.transfer WHERE l.item IN ({marks}) AND t.status <> 'cancelled'""", *frontier)
        sent += rows
        frontier = sorted({row["received_item"] for row in rows if row["received_item"] is not None} - every)
        every.update(frontier)
    ordered = sorted(every)
    marks = sql.placeholders(1, len(ordered))
    moves = await run(db, f"""
        SELECT m.item, m.quantity, m.ref, m.kind, i.shop FROM stock_movement m JOIN item i ON i.id = m.item
        WHERE m.item IN ({marks}) AND m.kind IN ('intake', 'transfer-in') ORDER BY m.item, m.id""", *ordered)
    shops: dict[int, list[int]] = defaultdict(list)
    batches: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for row in moves:
        batches[row["item"]].append((row["kind"], row["ref"], int(row["quantity"])))
    for item, shop in {row["item"]: row["shop"] for row in moves}.items():
        shops[shop].append(item)
    sold: dict[int, tuple[int, int]] = {}
    for shop, of_shop in shops.items():
        sold.update({item: (net.pieces, net.fund_fen)
                     for item, net in (await sold_by_item(shop_id=shop, items=of_shop)).items()})
    out: dict[int, list[dict]] = defaultdict(list)
    for row in sorted(sent, key=lambda row: row["transfer"]):
        out[row["item"]].append(row)
    mine_received: dict[tuple[int, str], int] = {}  # (received item, transfer number) → the donor's pieces in it
    pieces_sold = fund = 0
    for item in ordered:  # an item received is newer than the item it came from
        queue: list[tuple[int, bool]] = []
        for kind, ref, quantity in batches[item]:
            if kind == "intake":
                queue.append((quantity, ref in refs))
            else:
                mine = min(quantity, mine_received.get((item, ref), 0))
                queue += [part for part in ((mine, True), (quantity - mine, False)) if part[0] > 0]
        for line in out[item]:  # what was sent on left first, oldest pieces first
            taken, queue = _take(queue, int(line["quantity"]))
            if line["received_item"] is not None:
                mine_received[(line["received_item"], transfer_number(line["transfer"]))] = taken
        pieces, item_fund = sold.get(item, (0, 0))
        shares = _first_in_first_out(pieces, [quantity for quantity, _ in queue])
        if not any(shares):
            continue
        theirs = [mine for _, mine in queue]
        pieces_sold += sum(share for share, mine in zip(shares, theirs) if mine)
        fund += sum(part for part, mine in zip(allocate(item_fund, shares), theirs) if mine)
    return pieces_sold, fund


def _take(queue: list[tuple[int, bool]], pieces: int) -> tuple[int, list[tuple[int, bool]]]:
    """`pieces` taken from the batches, oldest first: (how many of them were the donor's, the batches left)."""
    mine, left = 0, []
    for quantity, theirs in queue:
        take = min(quantity, pieces)
        pieces -= take
        mine += take if theirs else 0
        if quantity > take:
            left.append((quantity - take, theirs))
    return mine, left

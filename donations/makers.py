"""Handicraft makers and their consigned goods."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shop.database import run, writing

from donations.tables import Consignment, Maker


async def register_maker(*, shop_id: int, name: str, phone: str = "") -> int:
    rows = await Maker.insert(Maker(shop=shop_id, name=name.strip(), phone=phone.strip())).returning(Maker.id)
    return rows[0]["id"]


async def consign(*, item_id: int, maker_id: int, fund_percent: int | None = None,
                  maker_percent: int | None = None) -> None:
    async with writing(Consignment._meta.db):
        await Consignment.insert(Consignment(item=item_id, maker=maker_id, fund_percent=fund_percent,
                                             maker_percent=maker_percent))


@dataclass(frozen=True)
class ConsignedTo:
    maker_id: int
    fund_percent: int | None
    maker_percent: int | None


async def consignments(item_ids: Sequence[int]) -> dict[int, ConsignedTo]:
    """Which of these items are consigned, to whom, and on what terms."""
    if not item_ids:
        return {}
    marks = ", ".join(f"${n}" for n in range(1, len(item_ids) + 1))
    rows = await run(Consignment._meta.db, "SELECT item, maker, fund_percent, maker_percent FROM consignment "
                     f"WHERE item IN ({marks})", *item_ids)
    return {row["item"]: ConsignedTo(row["maker"], row["fund_percent"], row["maker_percent"]) for row in rows}

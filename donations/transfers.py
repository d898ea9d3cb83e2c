"""Goods received from another shop of the district keep their maker: receiving a transfer (inventory/transfers.py)
and, in the same transaction, consigning each received item to the maker of the item it came from, so its sales pay
that maker. (Their donor needs nothing written: a donor's impact follows the transfer's lines, pos/donor_impact.py.)
"""

from __future__ import annotations

from inventory.transfers import TransferInfo, receive_transfer as receive_goods
from shop.database import retrying_deadlocks, run, writing

from donations.tables import Consignment


async def receive_transfer(*, shop_id: int, number: str, staff_id: int) -> TransferInfo:
    """The receiving shop takes the goods in (inventory.transfers.receive_transfer), consigned as they were."""
    db = Consignment._meta.db

    async def work() -> TransferInfo:
        async with writing(db):
            received = await receive_goods(shop_id=shop_id, number=number, staff_id=staff_id)
            await run(db, """
                INSERT INTO consignment (item, maker)
                SELECT l.received_item, c.maker FROM transfer_line l JOIN consignment c ON c.item = l.item
                WHERE l.transfer = $1 AND NOT EXISTS (SELECT 1 FROM consignment k WHERE k.item = l.received_item)""",
                      received.id)
            return received

    return await retrying_deadlocks(db, work)

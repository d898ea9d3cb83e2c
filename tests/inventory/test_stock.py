"""On-hand is kept equal to the sum of an item's movements, on both engines, and verify() notices if not."""

import asyncio
import random

from inventory.stock import Movement, MovementKind, on_hand, record_movements
from inventory.tables import Item
from pos.verify import verify
from shop.database import writing


async def test_on_hand_follows_every_movement_even_when_they_interleave(goods):
    ids = [row["id"] for row in await Item.select(Item.id).order_by(Item.id)]
    before = await on_hand(ids)
    expected = dict(before)
    rng = random.Random(20261122)

    async def a_till_or_a_desk(n: int) -> None:
        for _ in range(10):
            moves = [Movement(rng.choice(ids), rng.randint(-5, 5) or 1, rng.choice(list(MovementKind)))
                     for _ in range(rng.randint(1, 4))]
            for move in moves:
                expected[move.item_id] += move.quantity
            async with writing(Item._meta.db):
                await record_movements(shop_id=goods.shop_id, movements=moves, staff_id=None)

    await asyncio.gather(*[a_till_or_a_desk(n) for n in range(6)])
    assert await on_hand(ids) == expected
    assert await verify() == []


async def test_verify_names_an_item_whose_on_hand_drifted_from_its_movements(goods):
    item = await Item.select(Item.id, Item.on_hand).where(Item.barcode == goods.noodles).first()
    await Item.update({Item.on_hand: item["on_hand"] + 3}).where(Item.id == item["id"])
    assert await verify() == [f"item {item['id']} has {item['on_hand'] + 3} on hand but its movements sum to {item['on_hand']}"]
    await Item.update({Item.on_hand: item["on_hand"]}).where(Item.id == item["id"])

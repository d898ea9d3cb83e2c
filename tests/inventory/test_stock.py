"""On-hand is kept equal to the sum of an item's movements, on both engines, and verify() notices if not."""

import asyncio

from hypothesis import HealthCheck, given, settings, strategies as st

from inventory.stock import Movement, MovementKind, on_hand, record_movements
from inventory.tables import Item
from pos.verify import verify
from shop.database import writing


# Several tills and desks at once, each writing batches of movements: (which item, how many, what kind).
# a transfer's movements are its document's (verify() matches them to its lines): tests/inventory/test_transfers.py
# (a transfer's and a wish's movements are each checked against their document by verify(): not free to make here)
FREE_KINDS = [kind for kind in MovementKind if not kind.startswith("transfer-") and kind != MovementKind.WISH]
movement = st.tuples(st.integers(0, 3), st.integers(-5, 5).filter(bool), st.sampled_from(FREE_KINDS))
workers = st.lists(st.lists(st.lists(movement, min_size=1, max_size=4), max_size=5), min_size=1, max_size=5)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=workers)
async def test_any_interleaving_of_movements_keeps_on_hand_equal_to_their_sum(goods, plan):
    ids = [row["id"] for row in await Item.select(Item.id).order_by(Item.id)]
    expected = await on_hand(ids)

    async def worker(batches) -> None:
        for batch in batches:
            moves = [Movement(ids[item], quantity, kind) for item, quantity, kind in batch]
            async with writing(Item._meta.db):
                before = await record_movements(shop_id=goods.shop_id, movements=moves, staff_id=None)
                after = await on_hand(before)
            # each batch is told the stock it found under its lock (a sale's oversold flag is decided by it)
            assert before.keys() == {move.item_id for move in moves}
            assert {i: after[i] - before[i] for i in before} == {
                i: sum(move.quantity for move in moves if move.item_id == i) for i in before}
            await asyncio.sleep(0)  # let the others in between batches

    for batches in plan:
        for batch in batches:
            for item, quantity, _ in batch:
                expected[ids[item]] += quantity
    await asyncio.gather(*(worker(batches) for batches in plan))
    assert await on_hand(ids) == expected
    assert await verify() == []


async def test_verify_names_an_item_whose_on_hand_drifted_from_its_movements(goods):
    item = await Item.select(Item.id, Item.on_hand).where(Item.barcode == goods.noodles).first()
    await Item.update({Item.on_hand: item["on_hand"] + 3}).where(Item.id == item["id"])
    assert await verify() == [f"item {item['id']} has {item['on_hand'] + 3} on hand but its movements sum to {item['on_hand']}"]
    await Item.update({Item.on_hand: item["on_hand"]}).where(Item.id == item["id"])

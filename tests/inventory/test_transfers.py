"""Stock transfers between a district's shops (inventory/transfers.py): sent, in transit on hand nowhere, received as
the receiving shop's items with their category, price and code, or cancelled back; refusals; verify()'s rule."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest

from inventory.barcodes import in_store_code
from inventory.catalogue import add_category, add_item
from inventory.tables import Category, Item, StockMovement, Transfer, TransferLine
from inventory.transfers import (
    LineIn, TransferError, cancel_transfer, receive_transfer, send_transfer, transfer_problems, transfers_of,
)
from shop.database import run
from shop.errors import DomainError
from shop.shops import ShopKind, add_shop
from shop.staff import Role, create_staff


@pytest.fixture
async def north(goods):
    """Shop B ("north"): its manager, its own food category, and its own item under the coat's in-store code."""
    shop = await add_shop(code="north", name="北门店")
    manager = await create_staff(shop_id=shop.id, username="b-manager", password="b-manager-pw", role=Role.MANAGER)
    food = await add_category(shop_id=shop.id, code="food", name="食品", source="purchased")
    await add_item(shop_id=shop.id, barcode=goods.coat, name="北店自己的货", category_id=food, price_fen=100)
    return SimpleNamespace(id=shop.id, manager_id=manager.id)


async def item_at(shop_id: int, barcode: str) -> dict | None:
    return await Item.select(Item.id, Item.on_hand, Item.name, Item.price_fen, Item.category.code.as_alias("category"),
                             Item.created_at).where((Item.shop == shop_id) & (Item.barcode == barcode)).first()


def send(goods, lines, to="north", key=None):
    return send_transfer(shop_id=goods.shop_id, to_shop=to, lines=[LineIn(code, qty) for code, qty in lines],
                         idempotency_key=key or uuid.uuid4().hex, staff_id=goods.manager_id)


async def test_goods_sent_are_in_transit_then_become_the_receiving_shops_items(goods, north):
    # given the books (3) and the coat (1) sent to north
    sent = await send(goods, [(goods.book, 2), (goods.coat, 1)])
    # then they left A's shelf, and are on hand nowhere while in transit
    assert (sent.number, sent.status, sent.from_shop, sent.to_shop) == ("DB-000001", "sent", "test", "north")
    assert (await item_at(goods.shop_id, goods.book))["on_hand"] == 1
    assert (await item_at(goods.shop_id, goods.coat))["on_hand"] == 0
    assert await item_at(north.id, goods.book) is None
    assert await StockMovement.select(StockMovement.quantity, StockMovement.kind).where(
        StockMovement.ref == "DB-000001").order_by(StockMovement.id) == [
        {"quantity": -2, "kind": "transfer-out"}, {"quantity": -1, "kind": "transfer-out"}]
    # when north receives them
    received = await receive_transfer(shop_id=north.id, number="DB-000001", staff_id=north.manager_id)
    # then the book keeps its code (unused at north); the coat's code is north's own item, so it gets a new one
    assert received.status == "received"
    lines = {line.barcode: line for line in received.lines}
    assert (lines[goods.book].received_barcode, lines[goods.book].new_code) == (goods.book, False)
    coat_code = lines[goods.coat].received_barcode
    assert lines[goods.coat].new_code and coat_code.startswith("2") and coat_code != goods.coat
    book = await item_at(north.id, goods.book)
    original = await item_at(goods.shop_id, goods.book)
    assert (book["on_hand"], book["name"], book["price_fen"], book["category"]) == (2, "新华字典", 1200, "books")
    assert book["created_at"] == original["created_at"]  # it goes on ageing as it came in
    assert (await item_at(north.id, coat_code))["on_hand"] == 1
    assert (await item_at(north.id, goods.coat))["name"] == "北店自己的货"
    # north had no books or clothes categories: copies of A's, with A's names and source, and no split of their own
    copied = await Category.select().where((Category.shop == north.id) & (Category.code == "books")).first()
    assert (copied["name"], copied["source"], copied["fund_percent"]) == ("图书", "donated", None)
    moves = await StockMovement.select(StockMovement.shop, StockMovement.quantity, StockMovement.kind).where(
        (StockMovement.ref == "DB-000001") & (StockMovement.kind == "transfer-in"))
    assert sorted(m["quantity"] for m in moves) == [1, 2] and {m["shop"] for m in moves} == {north.id}
    # and a second transfer of the same book adds to the item received before
    await send(goods, [(goods.book, 1)])
    again = await receive_transfer(shop_id=north.id, number="DB-000002", staff_id=north.manager_id)
    assert again.lines[0].received_barcode == goods.book and (await item_at(north.id, goods.book))["on_hand"] == 3
    assert await Item.count().where(Item.shop == north.id) == 3


async def test_a_transfer_cancelled_in_transit_puts_the_goods_back(goods, north):
    sent = await send(goods, [(goods.noodles, 15)])
    assert (await item_at(goods.shop_id, goods.noodles))["on_hand"] == 25
    cancelled = await cancel_transfer(shop_id=goods.shop_id, number=sent.number, staff_id=goods.manager_id)
    assert (cancelled.status, cancelled.closed_by) == ("cancelled", "陈姐")
    assert (await item_at(goods.shop_id, goods.noodles))["on_hand"] == 40
    assert [m["kind"] for m in await StockMovement.select(StockMovement.kind).where(
        StockMovement.ref == sent.number).order_by(StockMovement.id)] == ["transfer-out", "transfer-back"]
    # it can be neither received nor cancelled again
    for attempt in (receive_transfer(shop_id=north.id, number=sent.number, staff_id=north.manager_id),
                    cancel_transfer(shop_id=goods.shop_id, number=sent.number, staff_id=goods.manager_id)):
        with pytest.raises(DomainError) as refused:
            await attempt
        assert refused.value.code == TransferError.TRANSFER_NOT_IN_TRANSIT


async def test_refusals_change_nothing(goods, north):
    await add_shop(code="east-station", name="东社工站", kind=ShopKind.STATION, feeds="north")
    cases = [
        ([(goods.book, 4)], "north", TransferError.NOT_ENOUGH_ON_HAND),
        ([(goods.book, 1)], "east-station", TransferError.TRANSFER_TO_STATION),
        ([(goods.book, 1)], "test", TransferError.TRANSFER_TO_SAME_SHOP),
        ([(goods.book, 1)], "nowhere", "unknown-shop"),
        ([], "north", TransferError.NO_TRANSFER_LINES),
        ([(goods.book, 0)], "north", "bad-quantity"),
        ([(in_store_code(99), 1)], "north", "unknown-barcode"),
        ([(goods.book, 2), (goods.book, 2)], "north", TransferError.NOT_ENOUGH_ON_HAND),  # one code's lines add up
    ]
    for lines, to, code in cases:
        with pytest.raises(DomainError) as refused:
            await send(goods, lines, to=to)
        assert refused.value.code == code, (lines, to)
    assert await Transfer.count() == 0 and await StockMovement.count().where(
        StockMovement.kind == "transfer-out") == 0
    assert (await item_at(goods.shop_id, goods.book))["on_hand"] == 3


async def test_only_the_receiving_shop_receives_and_only_the_sender_cancels_and_a_third_sees_nothing(goods, north):
    third = await add_shop(code="south", name="南门店")
    sent = await send(goods, [(goods.book, 1)])
    attempts = [
        (receive_transfer(shop_id=goods.shop_id, number=sent.number, staff_id=goods.manager_id),
         TransferError.NOT_THE_RECEIVING_SHOP),
        (cancel_transfer(shop_id=north.id, number=sent.number, staff_id=north.manager_id),
         TransferError.NOT_THE_SENDING_SHOP),
        (receive_transfer(shop_id=third.id, number=sent.number, staff_id=north.manager_id),
         TransferError.UNKNOWN_TRANSFER),
        (receive_transfer(shop_id=north.id, number="DB-999999", staff_id=north.manager_id),
         TransferError.UNKNOWN_TRANSFER),
        (receive_transfer(shop_id=north.id, number="nonsense", staff_id=north.manager_id),
         TransferError.UNKNOWN_TRANSFER),
    ]
    for attempt, code in attempts:
        with pytest.raises(DomainError) as refused:
            await attempt
        assert refused.value.code == code
    assert [t.number for t in await transfers_of(shop_id=north.id, status="sent")] == [sent.number]
    assert [t.number for t in await transfers_of(shop_id=goods.shop_id)] == [sent.number]
    assert await transfers_of(shop_id=third.id) == []
    await receive_transfer(shop_id=north.id, number=sent.number, staff_id=north.manager_id)
    with pytest.raises(DomainError) as twice:
        await receive_transfer(shop_id=north.id, number=sent.number, staff_id=north.manager_id)
    assert twice.value.code == TransferError.TRANSFER_NOT_IN_TRANSIT
    assert (await item_at(north.id, goods.book))["on_hand"] == 1


async def test_the_same_key_sends_once(goods, north):
    first = await send(goods, [(goods.noodles, 5)], key="transfer-key-1")
    again = await send(goods, [(goods.noodles, 5)], key="transfer-key-1")
    assert (again.number, again.replayed, first.replayed) == (first.number, True, False)
    with pytest.raises(DomainError) as reused:
        await send(goods, [(goods.noodles, 6)], key="transfer-key-1")
    assert (reused.value.code, reused.value.params["number"]) == (TransferError.TRANSFER_KEY_REUSED, first.number)
    assert (await item_at(goods.shop_id, goods.noodles))["on_hand"] == 35 and await Transfer.count() == 1


async def test_verify_sees_a_transfer_whose_movements_disagree_with_it(goods, north):
    # given a transfer received, and one in transit
    await send(goods, [(goods.noodles, 5)])
    await receive_transfer(shop_id=north.id, number="DB-000001", staff_id=north.manager_id)
    await send(goods, [(goods.book, 1)])
    assert await transfer_problems() == []
    # when a line's quantity is changed behind the books' back, and the one in transit marked received
    await run(TransferLine._meta.db, "UPDATE transfer_line SET quantity = 7 WHERE transfer = 1")
    await run(Transfer._meta.db, "UPDATE transfer SET status = 'received' WHERE id = 2")
    # then verify() names both
    problems = await transfer_problems()
    assert len(problems) == 2, problems
    assert "DB-000001 (received) line 1 of 7 piece(s): 5 went out, 0 came back, 5 came in" in problems[0]
    assert "DB-000002 (received)" in problems[1] and "receiving item is not set" in problems[1]
    from pos.verify import verify
    assert set(problems) <= set(await verify())
    # put right, so the test's closing verify() holds
    await run(TransferLine._meta.db, "UPDATE transfer_line SET quantity = 5 WHERE transfer = 1")
    await run(Transfer._meta.db, "UPDATE transfer SET status = 'sent' WHERE id = 2")
    assert await transfer_problems() == []

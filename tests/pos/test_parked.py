"""Parked carts: put aside, serve the next customer, resume at any till; nothing changes while parked."""

import asyncio

import pytest

from inventory.stock import on_hand
from inventory.tables import Item, StockMovement
from pos.errors import SaleError
from pos.parked import park_cart, parked_carts, resume_cart
from pos.tables import ParkedCart, Sale
from pos.tills import add_till
from shop.errors import DomainError
from web.problems import status_of
from shop.tables import LedgerEntry


async def test_a_parked_cart_waits_and_resumes_at_another_till_once(goods):
    # given a cart of a coat and two noodles, one with a discount being given
    lines = [{"barcode": goods.coat, "quantity": 1, "name": "儿童羽绒服（九成新）", "price_fen": 3500},
             {"barcode": goods.noodles, "quantity": 2, "name": "红烧牛肉面 5连包", "price_fen": 1250,
              "discount_percent": 5, "reason": "包装压坏", "unknown": "dropped"}]
    stock_before = await on_hand([r["id"] for r in await Item.select(Item.id)])
    # when the cashier parks it
    parked_id = await park_cart(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                                lines=lines, note="  去取钱包  ")
    # then it is listed for the whole shop, and nothing about stock or money changed
    (listed,) = await parked_carts(shop_id=goods.shop_id)
    assert (listed.id, listed.till, listed.cashier, listed.note, listed.pieces, listed.total_fen) == (
        parked_id, "T1", "小张", "去取钱包", 3, 6000)
    assert listed.lines[1] == {"barcode": goods.noodles, "quantity": 2, "name": "红烧牛肉面 5连包", "price_fen": 1250,
                               "discount_percent": 5, "reason": "包装压坏"}
    assert await on_hand([r["id"] for r in await Item.select(Item.id)]) == stock_before
    assert await StockMovement.count() == 4 and await LedgerEntry.count() == 0 and await Sale.count() == 0
    # when another till resumes it
    await add_till(shop_id=goods.shop_id, code="T2", name="二号收银台")
    resumed = await resume_cart(shop_id=goods.shop_id, parked_id=parked_id)
    # then the till has its lines, and the cart is no longer parked: a second resume is told so
    assert [(l["barcode"], l["quantity"]) for l in resumed.lines] == [(goods.coat, 1), (goods.noodles, 2)]
    assert await parked_carts(shop_id=goods.shop_id) == [] and await ParkedCart.count() == 0
    with pytest.raises(DomainError) as caught:
        await resume_cart(shop_id=goods.shop_id, parked_id=parked_id)
    assert caught.value.code is SaleError.PARKED_CART_GONE and status_of(caught.value) == 404


async def test_two_tills_resuming_one_cart_at_once_one_gets_it(goods):
    parked_id = await park_cart(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                                lines=[{"barcode": goods.book, "quantity": 1}])
    results = await asyncio.gather(*[resume_cart(shop_id=goods.shop_id, parked_id=parked_id) for _ in range(4)],
                                   return_exceptions=True)
    taken = [r for r in results if not isinstance(r, BaseException)]
    gone = [r for r in results if isinstance(r, DomainError) and r.code is SaleError.PARKED_CART_GONE]
    assert len(taken) == 1 and len(gone) == 3


@pytest.mark.parametrize("lines, note, code", [
    ([], "", SaleError.EMPTY_CART),
    ([{"barcode": "6901234500012", "quantity": 1}], "", "bad-check-digit"),
    ([{"barcode": "{book}", "quantity": 0}], "", "bad-quantity"),
    ([{"barcode": "{book}", "quantity": 1}], "x" * 101, SaleError.BAD_NOTE),
    ([{"barcode": "{book}", "quantity": 1, "price_fen": -5}], "", SaleError.BAD_AMOUNT),
])
async def test_a_bad_cart_is_not_parked(goods, lines, note, code):
    lines = [{**l, "barcode": l["barcode"].format(book=goods.book)} for l in lines]
    with pytest.raises(DomainError) as caught:
        await park_cart(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id, lines=lines,
                        note=note)
    assert str(caught.value.code) == str(code)
    assert await ParkedCart.count() == 0

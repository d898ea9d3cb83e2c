"""Intake on both engines: a donation and its items come in whole or not at all, with codes, stock and refusals."""

import asyncio
from datetime import date, timedelta

import pytest

from donations.donors import register_donor
from donations.intake import GivenItem, load_donation, recent_donations, register_donation
from donations.tables import DonatedItem, Donation
from inventory.barcodes import check_digit, in_store_code, is_in_store
from inventory.catalogue import Condition, add_category, categories_of, set_default_prices
from inventory.stock import on_hand
from inventory.tables import Item, StockMovement
from shop.errors import DomainError

TODAY = date(2026, 11, 23)


def coat(**changes) -> GivenItem:
    fields = dict(category="clothes", description="女士棉服", condition=Condition.LIKE_NEW, quantity=1, price_fen=2500)
    return GivenItem(**{**fields, **changes})


def ean(body12: str) -> str:
    return body12 + str(check_digit(body12))


async def donate(goods, items, key="donation-0001", donor_id=None, **kwargs):
    return await register_donation(shop_id=goods.shop_id, volunteer_id=goods.cashier_id, donor_id=donor_id,
                                   items=items, idempotency_key=key, today=TODAY, **kwargs)


async def counts() -> tuple[int, int, int, int]:
    return (await Donation.count(), await DonatedItem.count(), await Item.count(), await StockMovement.count())


async def test_a_donation_stocks_each_accepted_item_under_a_new_in_store_code_and_records_the_refused(goods):
    # given a donor
    donor = await register_donor(shop_id=goods.shop_id, name="李阿姨", phone="138 1234 5678", may_contact=True)
    # when they give a coat, three books and a broken kettle the desk refuses
    donation = await donate(goods, donor_id=donor.id, items=[
        coat(),
        GivenItem(category="books", description="儿童绘本", condition=Condition.GOOD, quantity=3, price_fen=500),
        GivenItem(category="books", description="旧杂志（发霉）", condition=Condition.FAIR, quantity=1,
                  refused_reason="发霉"),
    ])
    # then the accepted items have the next in-store codes (the catalogue held 1 to 3)
    assert donation.number == "D00000001" and donation.donor_name == "李阿姨"
    accepted = [line for line in donation.lines if line.accepted]
    assert [line.barcode for line in accepted] == [in_store_code(4), in_store_code(5)]
    assert all(is_in_store(line.barcode) for line in accepted)
    # and their stock came in through intake movements that name the donation
    items = {row["barcode"]: row for row in await Item.select().where(Item.barcode.is_in([l.barcode for l in accepted]))}
    assert await on_hand([items[in_store_code(4)]["id"], items[in_store_code(5)]["id"]]) == {
        items[in_store_code(4)]["id"]: 1, items[in_store_code(5)]["id"]: 3}
    assert items[in_store_code(4)]["one_off"] and not items[in_store_code(5)]["one_off"]
    assert items[in_store_code(4)]["condition"] == "like-new"
    moves = await StockMovement.select().where(StockMovement.ref == donation.number)
    assert sorted((m["kind"], m["quantity"]) for m in moves) == [("intake", 1), ("intake", 3)]
    # and the refused kettle is on record with its reason, but not in the catalogue
    refused = donation.lines[2]
    assert (refused.accepted, refused.refused_reason, refused.barcode, refused.price_fen) == (False, "发霉", "", None)
    assert not await Item.exists().where(Item.name == "旧杂志（发霉）")
    # and each piece with the shop's own code gets a label
    assert donation.label_codes == [in_store_code(4)] + [in_store_code(5)] * 3
    assert donation.pieces_accepted == 4


async def test_a_makers_barcode_new_to_the_shop_enters_the_catalogue_under_that_code_with_its_expiry(goods):
    await add_category(shop_id=goods.shop_id, code="groceries", name="粮油", source="donated", perishable=True)
    rice = ean("690123450009")
    donation = await donate(goods, items=[GivenItem(category="groceries", description="大米 5kg", condition=Condition.NEW,
                                                    quantity=2, price_fen=3000, barcode=rice,
                                                    expires_on=TODAY + timedelta(days=90))])
    assert donation.lines[0].barcode == rice and not donation.lines[0].in_store
    assert donation.label_codes == []  # it scans as it is
    item = await Item.select().where(Item.barcode == rice).first()
    assert item["on_hand"] == 2 and str(item["expires_on"]) == str(TODAY + timedelta(days=90))


async def test_more_of_a_known_product_adds_to_its_stock_and_keeps_the_earliest_expiry(goods):
    # given the noodles are in the catalogue with 40 on hand
    noodles = (await Item.select().where(Item.barcode == goods.noodles).first())
    # when someone donates 5 more with an expiry date
    await donate(goods, items=[GivenItem(category="food", description=noodles["name"], condition=Condition.NEW,
                                         quantity=5, price_fen=1250, barcode=goods.noodles,
                                         expires_on=TODAY + timedelta(days=30))])
    await donate(goods, key="donation-0002", items=[GivenItem(
        category="food", description=noodles["name"], condition=Condition.NEW, quantity=1, price_fen=1250,
        barcode=goods.noodles, expires_on=TODAY + timedelta(days=60))])
    # then the same item has 46 and the earliest expiry
    after = await Item.select().where(Item.barcode == goods.noodles).first()
    assert after["id"] == noodles["id"] and after["on_hand"] == 46
    assert str(after["expires_on"]) == str(TODAY + timedelta(days=30))


@pytest.mark.parametrize("bad, code", [
    (coat(price_fen=-100), "bad-price"),
    (coat(price_fen=0), "bad-price"),
    (coat(price_fen=100_000_001), "bad-price"),
    (coat(price_fen=None), "bad-price"),
    (coat(quantity=0), "bad-quantity"),
    (coat(quantity=10_000), "bad-quantity"),
    (coat(category="jewels"), "unknown-category"),
    (coat(condition="broken"), "bad-condition"),
    (coat(description="   "), "bad-description"),
    (coat(barcode="6901234500012"), "bad-check-digit"),
    (coat(barcode="69012"), "malformed-barcode"),
    (coat(barcode=in_store_code(77)), "in-store-code-given"),
    (coat(expires_on=TODAY - timedelta(days=1)), "already-expired"),
])
async def test_a_bad_item_saves_nothing_of_the_donation(goods, bad, code):
    before = await counts()
    with pytest.raises(DomainError) as error:
        await donate(goods, items=[coat(description="好的外套"), bad])
    assert str(error.value.code) == code
    assert await counts() == before


async def test_a_makers_barcode_that_names_another_product_or_price_is_refused_and_nothing_saved(goods):
    before = await counts()
    with pytest.raises(DomainError) as error:
        await donate(goods, items=[coat(), GivenItem(category="food", description="矿泉水", condition=Condition.NEW,
                                                     quantity=1, price_fen=200, barcode=goods.noodles)])
    assert (str(error.value.code), error.value.params["name"]) == ("barcode-other-product", "红烧牛肉面 5连包")
    with pytest.raises(DomainError) as error:
        await donate(goods, items=[GivenItem(category="food", description="红烧牛肉面 5连包", condition=Condition.NEW,
                                             quantity=1, price_fen=999, barcode=goods.noodles)])
    assert str(error.value.code) == "price-differs" and error.value.params["price"] == 1250
    assert await counts() == before


async def test_perishable_goods_need_an_expiry_date(goods):
    await add_category(shop_id=goods.shop_id, code="groceries", name="粮油", source="donated", perishable=True)
    with pytest.raises(DomainError) as error:
        await donate(goods, items=[GivenItem(category="groceries", description="挂面", condition=Condition.NEW,
                                             quantity=1, price_fen=500)])
    assert str(error.value.code) == "expiry-needed"


@pytest.mark.parametrize("kwargs, code", [
    ({"items": []}, "empty-donation"),
    ({"items": [coat()] * 201}, "too-many-items"),
    ({"items": [coat(quantity=600), coat(quantity=401)]}, "too-many-labels"),
    ({"items": [coat()], "key": "short"}, "bad-idempotency-key"),
    ({"items": [coat()], "received_on": TODAY + timedelta(days=1)}, "bad-date"),
    ({"items": [coat()], "received_on": TODAY - timedelta(days=400)}, "bad-date"),
    ({"items": [coat()], "donor_id": 999}, "unknown-donor"),
])
async def test_a_bad_donation_is_refused_whole(goods, kwargs, code):
    before = await counts()
    with pytest.raises(DomainError) as error:
        await donate(goods, **kwargs)
    assert str(error.value.code) == code
    assert await counts() == before


async def test_the_same_submit_twice_records_one_donation_and_another_donation_under_its_key_is_refused(goods):
    first = await donate(goods, items=[coat()])
    again = await donate(goods, items=[coat()])
    assert again.replayed and again.number == first.number and again.lines == first.lines
    with pytest.raises(DomainError) as error:
        await donate(goods, items=[coat(price_fen=2600)])
    assert str(error.value.code) == "donation-key-reused" and error.value.params["number"] == first.number
    assert await Donation.count() == 1 and await DonatedItem.count() == 1


async def test_submits_at_once_with_one_key_record_one_donation(goods):
    results = await asyncio.gather(*(donate(goods, items=[coat(), coat(description="围巾", price_fen=800)])
                                     for _ in range(6)))
    assert len({r.number for r in results}) == 1
    assert await Donation.count() == 1 and await DonatedItem.count() == 2


async def test_two_desks_at_once_never_get_the_same_in_store_code(goods):
    results = await asyncio.gather(*(donate(goods, key=f"desk-donation-{n}", items=[coat(), coat(quantity=2)])
                                     for n in range(6)))
    codes = [line.barcode for r in results for line in r.lines]
    assert len(codes) == len(set(codes)) == 12
    assert sorted(codes) == [in_store_code(n) for n in range(4, 16)]


async def test_default_prices_by_condition_are_kept_per_category_and_a_bad_one_is_refused(goods):
    await set_default_prices(shop_id=goods.shop_id, code="clothes", prices={
        Condition.NEW: 3000, Condition.LIKE_NEW: 2000, Condition.GOOD: None, Condition.FAIR: 500})
    clothes = next(c for c in await categories_of(shop_id=goods.shop_id) if c.code == "clothes")
    assert clothes.default_prices == {"new": 3000, "like-new": 2000, "fair": 500}
    for bad in (-1, 0, 10**9):
        with pytest.raises(DomainError):
            await set_default_prices(shop_id=goods.shop_id, code="clothes", prices={Condition.NEW: bad})
    with pytest.raises(DomainError):
        await set_default_prices(shop_id=goods.shop_id, code="nothing", prices={})
    clothes = next(c for c in await categories_of(shop_id=goods.shop_id) if c.code == "clothes")
    assert clothes.default_prices == {"new": 3000, "like-new": 2000, "fair": 500}


async def test_a_donation_reads_back_as_it_was_given_and_is_listed_newest_first(goods):
    donor = await register_donor(shop_id=goods.shop_id, name="张先生")
    first = await donate(goods, donor_id=donor.id, items=[coat()])
    second = await donate(goods, key="donation-0002", items=[coat(quantity=2), coat(refused_reason="有污渍")])
    assert await load_donation(first.id, shop_id=goods.shop_id) == first
    listed = await recent_donations(shop_id=goods.shop_id)
    assert [(d.number, d.donor_name, d.pieces_accepted, d.pieces_refused) for d in listed] == [
        (second.number, "", 2, 1), (first.number, "张先生", 1, 0)]
    assert [d.number for d in await recent_donations(shop_id=goods.shop_id, donor_id=donor.id)] == [first.number]


async def test_verify_names_a_donated_item_that_is_neither_stocked_nor_refused(goods):
    from pos.verify import verify
    from shop.database import run, writing

    donation = await donate(goods, items=[coat()])
    assert await verify() == []

    class Undo(Exception):
        pass

    with pytest.raises(Undo):  # the bad row exists only inside this transaction
        async with writing(DonatedItem._meta.db):
            await run(DonatedItem._meta.db, "INSERT INTO donated_item (donation, category, description, condition, "
                      "quantity, price_fen, item, refused_reason) VALUES ($1, $2, 'x', 'good', 1, 100, NULL, '')",
                      donation.id, (await categories_of(shop_id=goods.shop_id))[0].id)
            problems = await verify()
            raise Undo
    assert len(problems) == 1 and problems[0].startswith("donated item is neither stocked nor refused")

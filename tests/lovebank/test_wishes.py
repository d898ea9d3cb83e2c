"""The wish wall on both engines: a wish posted for a household, claimed once, fulfilled from stock (the fund pays,
the maker is owed their share), with a donor's own goods, or with service; refusals write nothing; verify() sees a
wish changed behind the rules' back."""

from datetime import date, datetime

import pytest

from donations.donors import register_donor
from donations.intake import GivenItem, register_donation
from donations.makers import owed_to
from donations.tables import Donation
from inventory.stock import on_hand
from inventory.tables import Item, StockMovement
from lovebank import wishes
from lovebank.passbook import approve_service, open_member, service_by_id
from lovebank.tables import ServiceRecord, Wish, WishGoods
from pos import wishes as fulfil
from pos.checkout import CartLine, commit_sale, source_rules
from pos.fund import fund_balance
from pos.reports import period_of, report
from pos.verify import verify
from shop import ledger
from shop.errors import DomainError
from shop.settings import ServiceType
from shop.staff import Role, create_staff
from shop.tables import LedgerEntry, LedgerTxn
from tests.pos.till import till_rules
from tests.tampering import triggers_off
from web.problems import status_of

TYPES = (ServiceType("elder-care", "助老", 10),)
TODAY = date.today()


@pytest.fixture
async def wall(goods, settings):
    """The test shop with two coordinators, a member, a registered donor, and ¥24.75 in the fund from a sale."""
    goods.coordinator_id = (await create_staff(shop_id=goods.shop_id, username="coord", password="coord-pw",
                                               role=Role.COORDINATOR, display_name="刘老师")).id
    goods.second_id = (await create_staff(shop_id=goods.shop_id, username="coord2", password="coord2-pw",
                                          role=Role.COORDINATOR, display_name="赵老师")).id
    goods.li = await open_member(shop_id=goods.shop_id, name="李阿姨")
    goods.donor_id = (await register_donor(shop_id=goods.shop_id, name="张先生")).id
    # a book (50% to the fund) and 30 packs of noodles (5%): ¥6.00 + ¥18.75
    await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                      lines=[CartLine(goods.book, 1), CartLine(goods.noodles, 30)], cash_given_fen=50000,
                      idempotency_key="key-wish-fund-01", rules=till_rules(settings))
    goods.rules = source_rules(settings.split)
    return goods


async def refused(code: str, call) -> int:
    with pytest.raises(DomainError) as caught:
        await call
    assert str(caught.value.code) == code, caught.value
    return status_of(caught.value)


async def counts():
    return {t.__name__: await t.count() for t in (Wish, WishGoods, StockMovement, LedgerTxn, LedgerEntry, Donation,
                                                   ServiceRecord)}


async def test_a_wish_fulfilled_from_stock_is_paid_by_the_fund_and_owes_the_maker_their_share(wall, settings):
    shop = wall.shop_id
    # given a posted wish, with refusals for a bad household reference and no text
    assert await refused("bad-household-ref", fulfil.post_wish(
        shop_id=shop, household="李家 13812345678", text="冬衣", kind="goods", staff_id=wall.coordinator_id)) == 400
    assert await refused("bad-wish-text", fulfil.post_wish(
        shop_id=shop, household="H-2026-17", text="  ", kind="goods", staff_id=wall.coordinator_id)) == 400
    wish = await fulfil.post_wish(shop_id=shop, household="h-2026-17 ", text="孩子上学用的字典和杯垫", kind="goods",
                                  staff_id=wall.coordinator_id)
    assert (wish.number, wish.household_ref, wish.status) == (f"W{wish.id:06d}", "H-2026-17", "posted")

    # when a member claims it; then nobody claims it again
    claimed = await fulfil.claim_wish(shop_id=shop, wish_id=wish.id, staff_id=wall.coordinator_id,
                                      member_code=wall.li.number)
    assert (claimed.status, claimed.member_id) == ("claimed", wall.li.id)
    assert await refused("wish-already-claimed", fulfil.claim_wish(
        shop_id=shop, wish_id=wish.id, staff_id=wall.coordinator_id, donor_id=wall.donor_id)) == 409

    # when it is fulfilled with unknown or too many goods: refused, nothing written
    before, fund_before = await counts(), (await fund_balance(shop_id=shop)).cash_fen
    assert fund_before == 2475
    assert await refused("unknown-barcode", fulfil.fulfil_from_stock(
        shop_id=shop, wish_id=wish.id, barcodes=[wall.book, "6901234500028"], staff_id=wall.coordinator_id,
        source_rules=wall.rules)) == 404
    assert await refused("wish-out-of-stock", fulfil.fulfil_from_stock(
        shop_id=shop, wish_id=wish.id, barcodes=[wall.book] * 3, staff_id=wall.coordinator_id,
        source_rules=wall.rules)) == 409
    assert await counts() == before

    # when it is fulfilled with a book and two of the maker's coasters
    done = await fulfil.fulfil_from_stock(shop_id=shop, wish_id=wish.id, staff_id=wall.coordinator_id,
                                          barcodes=[wall.coasters, wall.book, wall.coasters], source_rules=wall.rules)

    # then the goods left stock by "wish" movements, and the fund paid their value: ¥12.00 + 2 × ¥5.00
    assert (done.status, done.fulfilled_how, done.value_fen) == ("fulfilled", "stock", 2200)
    items = {r["barcode"]: r["id"] for r in await Item.select(Item.barcode, Item.id)}
    assert await on_hand([items[wall.book], items[wall.coasters]]) == {items[wall.book]: 1, items[wall.coasters]: 10}
    moved = await StockMovement.select(StockMovement.quantity, StockMovement.ref).where(StockMovement.kind == "wish")
    assert sorted(m["quantity"] for m in moved) == [-2, -1] and {m["ref"] for m in moved} == {wish.number}
    assert (await fund_balance(shop_id=shop)).cash_fen == fund_before - 2200
    # the maker is owed 80% of their coasters, as at a sale; the rest is the shop's
    txn = (await Wish.select(Wish.ledger_txn).where(Wish.id == wish.id).first())["ledger_txn"]
    assert (await LedgerTxn.select(LedgerTxn.kind, LedgerTxn.ref).where(LedgerTxn.id == txn).first()) == {
        "kind": "wish", "ref": wish.number}
    entries = {e["account"]: e["amount"] for e in await LedgerEntry.select().where(LedgerEntry.txn == txn)}
    assert entries == {ledger.FUND: 2200, ledger.maker_payable(wall.maker_id): -800, ledger.RUNNING_COSTS: -1400}
    assert await owed_to(wall.maker_id) == 800

    # when it is fulfilled again: refused, nothing written twice
    before = await counts()
    assert await refused("wish-already-fulfilled", fulfil.fulfil_from_stock(
        shop_id=shop, wish_id=wish.id, barcodes=[wall.book], staff_id=wall.coordinator_id,
        source_rules=wall.rules)) == 409
    assert await counts() == before

    # when the household thanks; then once
    thanked = await wishes.thank_wish(shop_id=shop, wish_id=wish.id, note="谢谢爱心人士！")
    assert (thanked.status, thanked.thanks) == ("thanked", "谢谢爱心人士！")
    assert await refused("wish-not-fulfilled", wishes.thank_wish(shop_id=shop, wish_id=wish.id)) == 409
    # and the day's report counts the wish fulfilled and the goods given from stock
    today = datetime.now(settings.zone).date()
    figures = await report(shop_id=shop, period=period_of("day", today), dimension="category", zone=settings.zone)
    assert (figures.wishes.wishes, figures.wishes.from_stock_fen) == (1, 2200)

    # and a wish worth more than the fund holds (¥2.75 left) is refused
    coat = await fulfil.post_wish(shop_id=shop, household="H-2026-18", text="羽绒服", kind="goods",
                                  staff_id=wall.coordinator_id)
    await fulfil.claim_wish(shop_id=shop, wish_id=coat.id, staff_id=wall.coordinator_id, donor_id=wall.donor_id)
    assert await refused("wish-fund-short", fulfil.fulfil_from_stock(
        shop_id=shop, wish_id=coat.id, barcodes=[wall.coat], staff_id=wall.coordinator_id,
        source_rules=wall.rules)) == 409
    assert (await wishes.wish_by_id(shop_id=shop, wish_id=coat.id)).status == "claimed"
    assert [w.number for w in await wishes.wishes(shop_id=shop, status="open")] == [coat.number]


async def test_a_donors_own_goods_and_a_members_service_fulfil_wishes_and_a_posted_wish_is_withdrawn(wall, settings):
    shop = wall.shop_id
    coat = await fulfil.post_wish(shop_id=shop, household="H-2026-20", text="孩子的冬衣", kind="goods",
                                  staff_id=wall.coordinator_id)
    tap = await fulfil.post_wish(shop_id=shop, household="H-2026-21", text="厨房水龙头漏水", kind="service",
                                 staff_id=wall.coordinator_id)
    books = await fulfil.post_wish(shop_id=shop, household="H-2026-22", text="课外书", kind="goods",
                                   staff_id=wall.coordinator_id)
    gone = await fulfil.post_wish(shop_id=shop, household="H-2026-23", text="轮椅", kind="goods",
                                  staff_id=wall.coordinator_id)

    # an unknown donor cannot claim; a donor cannot give service; a member and a donor both named: refused
    assert await refused("unknown-donor", fulfil.claim_wish(shop_id=shop, wish_id=coat.id,
                                                            staff_id=wall.coordinator_id, donor_id=9999)) == 404
    assert await refused("wish-wrong-way", fulfil.claim_wish(shop_id=shop, wish_id=tap.id,
                                                             staff_id=wall.coordinator_id, donor_id=wall.donor_id))
    assert await refused("wish-claimer", wishes.claim_wish(shop_id=shop, wish_id=coat.id, staff_id=wall.coordinator_id,
                                                          member_code=wall.li.number, donor_id=wall.donor_id))

    # when the donor claims the coat wish and brings a coat, given straight to the household
    await fulfil.claim_wish(shop_id=shop, wish_id=coat.id, staff_id=wall.coordinator_id, donor_id=wall.donor_id)
    given = await fulfil.fulfil_with_donation(shop_id=shop, wish_id=coat.id, staff_id=wall.coordinator_id,
                                              today=TODAY, items=[GivenItem(category="clothes",
                                                                            description="儿童棉衣", condition="new",
                                                                            quantity=1, price_fen=3000)])

    # then it is their donation, and its piece came in and went out at once: no till can sell it
    donation = await Donation.select().where(Donation.id == given.donation_id).first()
    assert (given.fulfilled_how, donation["donor"], given.value_fen) == ("donation", wall.donor_id, 0)
    coat_item = (await Item.select(Item.id, Item.on_hand).where(Item.name == "儿童棉衣").first())
    assert coat_item["on_hand"] == 0
    kinds = [m["kind"] for m in await StockMovement.select(StockMovement.kind).where(
        StockMovement.item == coat_item["id"]).order_by(StockMovement.id)]
    assert kinds == ["intake", "wish"]

    # when the donor's gift recorded at the intake desk fulfils the books wish; another donor's cannot
    await fulfil.claim_wish(shop_id=shop, wish_id=books.id, staff_id=wall.coordinator_id, donor_id=wall.donor_id)
    other = await register_donation(shop_id=shop, volunteer_id=wall.coordinator_id, donor_id=None,
                                    idempotency_key="key-wish-gift-01", today=TODAY,
                                    items=[GivenItem(category="books", description="童话书", condition="good",
                                                     quantity=2, price_fen=800)])
    assert await refused("wish-not-their-donation", fulfil.fulfil_with_donation(
        shop_id=shop, wish_id=books.id, staff_id=wall.coordinator_id, today=TODAY, donation_id=other.id)) == 409
    # their earlier gift, already sold at the till, is not there to give
    sold = await register_donation(shop_id=shop, volunteer_id=wall.coordinator_id, donor_id=wall.donor_id,
                                   idempotency_key="key-wish-gift-03", today=TODAY,
                                   items=[GivenItem(category="books", description="唐诗三百首", condition="good",
                                                    quantity=1, price_fen=600)])
    await commit_sale(shop_id=shop, till_id=wall.till_id, cashier_id=wall.cashier_id,
                      lines=[CartLine(sold.lines[0].barcode, 1)], cash_given_fen=600,
                      idempotency_key="key-wish-sold-03", rules=till_rules(settings))
    assert await refused("wish-out-of-stock", fulfil.fulfil_with_donation(
        shop_id=shop, wish_id=books.id, staff_id=wall.coordinator_id, today=TODAY, donation_id=sold.id)) == 409
    theirs = await register_donation(shop_id=shop, volunteer_id=wall.coordinator_id, donor_id=wall.donor_id,
                                     idempotency_key="key-wish-gift-02", today=TODAY,
                                     items=[GivenItem(category="books", description="十万个为什么", condition="good",
                                                      quantity=2, price_fen=900)])
    done = await fulfil.fulfil_with_donation(shop_id=shop, wish_id=books.id, staff_id=wall.coordinator_id,
                                             today=TODAY, donation_id=theirs.id)
    assert (done.status, done.donation_id) == ("fulfilled", theirs.id)
    assert (await Item.select(Item.on_hand).where(Item.name == "十万个为什么").first())["on_hand"] == 0

    # when a member claims the tap wish and mends it: a pending service in their passbook
    await fulfil.claim_wish(shop_id=shop, wish_id=tap.id, staff_id=wall.coordinator_id, member_code=wall.li.card_code)
    assert await refused("wish-wrong-way", fulfil.fulfil_from_stock(
        shop_id=shop, wish_id=tap.id, barcodes=[wall.book], staff_id=wall.coordinator_id, source_rules=wall.rules))
    mended = await fulfil.fulfil_with_service(
        shop_id=shop, wish_id=tap.id, staff_id=wall.coordinator_id, half_hours=3, witness="楼长", served_on=TODAY,
        start_time="14:00", place="幸福社区 5 号楼", today=TODAY, types=TYPES, max_hours=12)
    service = await service_by_id(shop_id=shop, record_id=mended.service_id)
    assert (service.status, service.member_id, service.content) == ("pending", wall.li.id, f"{tap.number} 厨房水龙头漏水")
    # approved by another coordinator, as any service
    approved = await approve_service(shop_id=shop, record_id=service.id, staff_id=wall.second_id, types=TYPES)
    assert approved.points == 15

    # a posted wish is withdrawn with a reason; a claimed one is not
    assert await refused("bad-wish-note", wishes.withdraw_wish(shop_id=shop, wish_id=gone.id, reason=" "))
    withdrawn = await wishes.withdraw_wish(shop_id=shop, wish_id=gone.id, reason="已由街道解决")
    assert (withdrawn.status, withdrawn.reason) == ("withdrawn", "已由街道解决")
    assert await refused("wish-not-posted", wishes.withdraw_wish(shop_id=shop, wish_id=gone.id, reason="x")) == 409
    assert await refused("wish-already-claimed", wishes.withdraw_wish(shop_id=shop, wish_id=tap.id, reason="x"))
    assert {w.status for w in await wishes.wishes(shop_id=shop)} == {"fulfilled", "withdrawn"}


async def test_verify_sees_a_wish_changed_behind_the_rules_back_and_the_database_refuses_a_step_back(wall, db):
    # given a wish fulfilled from stock
    shop = wall.shop_id
    wish = await fulfil.post_wish(shop_id=shop, household="H-2026-30", text="字典", kind="goods",
                                  staff_id=wall.coordinator_id)
    await fulfil.claim_wish(shop_id=shop, wish_id=wish.id, staff_id=wall.coordinator_id, member_code=wall.li.number)
    await fulfil.fulfil_from_stock(shop_id=shop, wish_id=wish.id, barcodes=[wall.book], staff_id=wall.coordinator_id,
                                   source_rules=wall.rules)
    assert await verify() == []

    # when it is moved back a step: the database refuses
    with pytest.raises(Exception, match="wish"):
        await Wish.update({Wish.status: "claimed"}).where(Wish.id == wish.id)
    with pytest.raises(Exception, match="wish"):
        await Wish.delete().where(Wish.id == wish.id)

    # when its value and status are changed past the triggers: verify() names it
    async with triggers_off(db, "wish"):
        await Wish.update({Wish.value_fen: 100, Wish.status: "posted"}).where(Wish.id == wish.id)
        problems = await verify()
        assert f"wish fulfilled from stock whose goods are not its value: {wish.id}" in problems
        assert f"wish fulfilled from stock without the fund's payment of its value in the ledger: {wish.id}" in problems
        assert (f"wish whose status does not follow its steps (posted, claimed, fulfilled, thanked; or withdrawn): "
                f"{wish.id}") in problems
        guard = "wish trigger missing, disabled or refusing nothing, so wishes can be changed: wish_no_update"
        assert guard in problems
        await Wish.update({Wish.value_fen: 1200, Wish.status: "fulfilled"}).where(Wish.id == wish.id)
    assert await verify() == []

"""The books are tamper-evident: every record of them refuses a direct UPDATE and DELETE (and TRUNCATE on
PostgreSQL) at the database, once it is in the books — while the shop's own operations (closing a till, deciding
service, gifts and corrections, returns, erasing a person) still do what they must."""

from __future__ import annotations

import importlib
from datetime import date

import pytest

from donations.donors import erase_donor, register_donor
from donations.intake import GivenItem, register_donation
from lovebank.passbook import approve_gift, approve_reversal, approve_service, donate_points, erase_member, open_member, record_service, reject_gift, reject_reversal, reject_service, reverse_gift, reverse_service
from donations.makers import record_payout, set_maker_terms
from inventory.catalogue import Condition, change_price, set_category_rules
from donations.tables import Donor
from lovebank.members import reissue_card
from lovebank.tables import Member, PointsGift, PointsReversal, ServiceRecord
from pos.checkout import CartLine, commit_sale
from tests.pos.till import till_rules
from pos.discounts import LineOverride
from pos.returns import ReturnRequestLine, commit_return
from pos.sessions import close_session, open_session
from pos.tables import TillSession
from pos.verify import APPEND_ONLY, KEPT
from shop import ledger
from shop.database import run
from shop.seal import seal_pending
from shop.settings import ServiceType
from shop.staff import Role, create_staff

TODAY = date(2026, 11, 30)
TYPES = (ServiceType("elder-care", "助老", 10),)

# A row of each kept table that is in the books (closed, decided); any row of an append-only one.
IN_THE_BOOKS = {"till_session": "closed_at IS NOT NULL", "service_record": "status <> 'pending'",
                "points_gift": "status <> 'pending'", "points_reversal": "status <> 'pending'"}


async def _service(goods, member_id: int, staff_id: int) -> int:
    entered = await record_service(shop_id=goods.shop_id, member_id=member_id, served_on=TODAY, start_time="9:00",
                                   place="幸福社区 3 号楼", content="陪独居老人聊天", service_type="elder-care",
                                   half_hours=4, witness="楼长 陈师傅", staff_id=staff_id, today=TODAY, types=TYPES,
                                   max_hours=12)
    return entered.id


@pytest.fixture
async def books(goods, settings):
    """Every record of the books, each written by the shop's own operation: a sale with an override, partly
    returned; a maker's payout; a price, a category's split and a maker's terms changed; a donation; service
    approved, rejected, and approved then corrected; gifts approved, rejected, to the fund, and approved then
    corrected; a correction rejected; the member and the donor erased; the till closed with its drawer counted and
    opened again; the ledger sealed."""
    db, shop, manager, cashier = TillSession._meta.db, goods.shop_id, goods.manager_id, goods.cashier_id
    coordinator = (await create_staff(shop_id=shop, username="coord", password="coord-pw", role=Role.COORDINATOR,
                                      display_name="刘老师")).id
    checker = (await create_staff(shop_id=shop, username="coord2", password="coord2-pw", role=Role.COORDINATOR,
                                  display_name="赵老师")).id
    sale = await commit_sale(shop_id=shop, till_id=goods.till_id, cashier_id=cashier, cash_given_fen=5000,
                             lines=[CartLine(goods.coat, 1, LineOverride(price_fen=3400, reason="少一颗纽扣")),
                                    CartLine(goods.coasters, 2)],
                             idempotency_key="books-sale-0001", rules=till_rules(settings))
    coasters = (await run(db, "SELECT id FROM sale_line WHERE sale = $1 AND barcode = $2", sale.id,
                          goods.coasters))[0]["id"]
    await commit_return(shop_id=shop, till_id=goods.till_id, cashier_id=cashier, sale=sale.number,
                        lines=[ReturnRequestLine(coasters, 1)], idempotency_key="books-return-0001")
    await record_payout(shop_id=shop, maker_id=goods.maker_id, amount_fen=100, method="cash", staff_id=manager)
    await change_price(shop_id=shop, barcode=goods.noodles, price_fen=1300, staff_id=manager, reason="进价上涨")
    await set_category_rules(shop_id=shop, code="food", accepts_points=True, perishable=False, fund_percent=8,
                             maker_percent=0, by=manager)
    await set_maker_terms(shop_id=shop, maker_id=goods.maker_id, fund_percent=15, maker_percent=75, by=manager)
    donor = await register_donor(shop_id=shop, name="李阿姨", phone="13812345678")
    await register_donation(shop_id=shop, volunteer_id=cashier, donor_id=donor.id, idempotency_key="books-gift-0001",
                            today=TODAY, items=[GivenItem(category="clothes", description="女士棉服",
                                                          condition=Condition.LIKE_NEW, quantity=1, price_fen=2500)])

    li = (await open_member(shop_id=shop, name="李阿姨")).id
    wang = (await open_member(shop_id=shop, name="王叔叔")).id
    await reissue_card(member_id=wang, staff_id=coordinator)  # a lost card: its code kept as replaced
    for _ in range(2):
        await approve_service(shop_id=shop, record_id=await _service(goods, li, coordinator), staff_id=checker,
                              types=TYPES)
    await reject_service(shop_id=shop, record_id=await _service(goods, li, coordinator), staff_id=checker,
                         reason="重复登记")
    corrected = await reverse_service(shop_id=shop, record_id=2, staff_id=coordinator, reason="记错了人")
    await approve_reversal(shop_id=shop, reversal_id=corrected.id, staff_id=checker)
    asked = await reverse_service(shop_id=shop, record_id=1, staff_id=coordinator, reason="核对中")
    await reject_reversal(shop_id=shop, reversal_id=asked.id, staff_id=checker, reason="核对无误")
    for points in (5, 2):
        gift = await donate_points(shop_id=shop, from_member_id=li, to_member_id=wang, points=points,
                                   staff_id=coordinator)
        await approve_gift(shop_id=shop, gift_id=gift.id, staff_id=checker)
    corrected = await reverse_gift(shop_id=shop, gift_id=gift.id, staff_id=coordinator, reason="转错了")
    await approve_reversal(shop_id=shop, reversal_id=corrected.id, staff_id=checker)
    refused = await donate_points(shop_id=shop, from_member_id=li, to_member_id=wang, points=1, staff_id=coordinator)
    await reject_gift(shop_id=shop, gift_id=refused.id, staff_id=checker, reason="本人未到场")
    await donate_points(shop_id=shop, from_member_id=li, to_member_id=None, points=3, staff_id=coordinator)

    await erase_member(shop_id=shop, member_id=li)
    await erase_donor(shop_id=shop, donor_id=donor.id)
    drawer = await ledger.balance(ledger.till_cash(goods.till_id))
    await close_session(shop_id=shop, till_id=goods.till_id, staff_id=cashier, counted_fen=drawer)
    goods.session_id = (await open_session(shop_id=shop, till_id=goods.till_id, staff_id=cashier, float_fen=0)).id
    assert await seal_pending() > 0
    goods.li, goods.donor_id = li, donor.id
    return goods


async def _first_in_the_books(db, table: str) -> int:
    rows = await run(db, f"SELECT id FROM {table} WHERE {IN_THE_BOOKS.get(table, '1 = 1')} ORDER BY id LIMIT 1")
    assert rows, f"the scenario wrote no {table} that is in the books"
    return rows[0]["id"]


async def _refusals(db, statement: str) -> dict[str, str]:
    """Each record of the books → what the database said to `statement` ({table}, {id}: one of its rows)."""
    said = {}
    for table in APPEND_ONLY + KEPT:
        row_id = await _first_in_the_books(db, table)
        try:
            await run(db, statement.format(table=table, id=row_id))
        except Exception as error:  # the engines' own errors: sqlite3.IntegrityError, asyncpg.RaiseError
            said[table] = str(error)
        else:
            said[table] = "done"
    return said


async def test_the_operations_wrote_every_record_of_the_books_and_did_what_they_must(books):
    db = TillSession._meta.db
    for table in APPEND_ONLY + KEPT:
        await _first_in_the_books(db, table)
    statuses = {row["status"] for row in await run(db, "SELECT status FROM service_record")}
    assert statuses == {"approved", "rejected", "reversed"}
    assert {row["status"] for row in await run(db, "SELECT status FROM points_gift")} == {"approved", "rejected"}
    assert {row["status"] for row in await run(db, "SELECT status FROM points_reversal")} == {"approved", "rejected"}
    erased = await Member.select(Member.name, Member.phone).where(Member.id == books.li).first()
    assert erased == {"name": "", "phone": ""}
    assert (await Donor.select(Donor.name).where(Donor.id == books.donor_id).first())["name"] == ""
    closed = await TillSession.select().where(TillSession.closed_at.is_not_null()).first()
    assert closed["over_short_fen"] == 0 and closed["counted_fen"] == closed["expected_fen"]


async def test_no_record_of_the_books_can_be_updated_in_place(books):
    said = await _refusals(TillSession._meta.db, "UPDATE {table} SET id = id WHERE id = {id}")
    assert {table: words for table, words in said.items() if "UPDATE refused" not in words} == {}
    assert all(table in words for table, words in said.items())


async def test_no_record_of_the_books_can_be_deleted(books):
    said = await _refusals(TillSession._meta.db, "DELETE FROM {table}")  # every row: SQLite's "TRUNCATE"
    assert {table: words for table, words in said.items() if "DELETE refused" not in words} == {}


@pytest.mark.postgres_only  # on SQLite: SQLite has no TRUNCATE: DELETE without WHERE is refused row by row
async def test_no_record_of_the_books_can_be_truncated_on_postgresql(books):
    db = TillSession._meta.db
    said = await _refusals(db, "TRUNCATE {table} CASCADE")
    assert {table: words for table, words in said.items()
            if f"{table} is" not in words or "TRUNCATE refused" not in words} == {}
    for table in ("stock_movement", "price_change", "ledger_seal"):
        assert (await run(db, f"SELECT COUNT(*) AS n FROM {table}"))[0]["n"] > 0


@pytest.mark.parametrize("table, change", [
    ("sale", "total_fen = total_fen + 100"),
    ("override", "reason = '', approved_by = NULL"),
    ("till_session", "counted_fen = counted_fen + 100, over_short_fen = over_short_fen + 100"),
    ("service_record", "points_pts = points_pts + 10"),
    ("service_record", "status = 'pending'"),
    ("points_gift", "points_pts = 50"),
    ("points_gift", "status = 'pending', decided_by = NULL"),
    ("points_reversal", "status = 'pending'"),
    ("donation", "donor = NULL"),
    ("ledger_entry", "amount = amount + 1"),
    ("ledger_seal", "hash = 'x'"),
])
async def test_a_decided_or_closed_record_keeps_every_column(books, table, change):
    db = TillSession._meta.db
    for row in await run(db, f"SELECT id FROM {table} WHERE {IN_THE_BOOKS.get(table, '1 = 1')}"):
        with pytest.raises(Exception, match="UPDATE refused"):
            await run(db, f"UPDATE {table} SET {change} WHERE id = $1", row["id"])


async def test_an_open_till_session_changes_only_by_closing(books):
    db = TillSession._meta.db
    with pytest.raises(Exception, match="till_session is in the books once closed: UPDATE refused"):
        await run(db, "UPDATE till_session SET float_fen = 5000 WHERE id = $1", books.session_id)
    closed = await close_session(shop_id=books.shop_id, till_id=books.till_id, staff_id=books.cashier_id,
                                 counted_fen=0)
    assert closed.session.closed_at is not None


async def test_a_pending_record_is_not_yet_in_the_books(books):
    # given a service and a gift waiting for a second coordinator
    db = TillSession._meta.db
    coordinator, checker = (row["id"] for row in await run(db, "SELECT id FROM staff WHERE username IN "
                                                               "('coord', 'coord2') ORDER BY username"))
    pending = await _service(books, books.li, coordinator)
    gift = await donate_points(shop_id=books.shop_id, from_member_id=books.li, to_member_id=None, points=1,
                               staff_id=coordinator)
    # when a coordinator decides it, then the decision is final
    await reject_service(shop_id=books.shop_id, record_id=pending, staff_id=checker, reason="不是本社区")
    with pytest.raises(Exception, match="service_record is in the books once decided: UPDATE refused"):
        await ServiceRecord.update({ServiceRecord.status: "pending"}).where(ServiceRecord.id == pending)
    with pytest.raises(Exception, match="points_gift is in the books: DELETE refused"):
        await PointsGift.delete().where(PointsGift.id == gift.id)


def test_the_kept_records_triggers_name_every_column_they_keep():
    """A column added later to a kept table must be kept by its trigger too (a new migration)."""
    kept = importlib.import_module("lovebank.piccolo_migrations.lovebank_2026_12_06t19_00_00_000000").COLUMNS
    sessions = importlib.import_module("pos.piccolo_migrations.pos_2026_12_06t19_00_00_000000").SESSION_COLUMNS
    for table, columns in ((ServiceRecord, kept["service_record"]), (PointsGift, kept["points_gift"]),
                           (PointsReversal, kept["points_reversal"]), (TillSession, sessions)):
        assert sorted(columns) == sorted(c._meta.db_column_name for c in table._meta.columns), table

"""Handicraft makers (手工艺人), the goods they consign to the shop, their terms and their payouts.

The maker's share of each sale is owed to them (the ledger account liability:maker:N);
a payout moves what is paid from that account to the shop's cash or bank account.

A maker registered at a station is the station's, as its donors are; the goods they bring there go into the stock
of the shop the station feeds (donations/intake.py goods_shop_of), whose till sells them and owes the maker their share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from shop.people import normalize_phone
from donations.errors import DonationError
from donations.intake import goods_shop_of
from donations.tables import Consignment, Maker, MakerPayout, MakerTermsChange
from inventory.barcodes import is_in_store, normalize_barcode
from inventory.catalogue import (
    add_item,
    check_price,
    check_quantity,
    item_by_barcode,
    receive_stock,
)
from inventory.errors import InventoryError
from inventory.tables import Category
from shop import ledger, sql
from shop.database import as_time, run, writing
from shop.errors import DomainError

PAYOUT_METHODS = {"cash": "asset:shop:cash", "transfer": "asset:shop:bank"}
MAX_PAYOUT_NOTE = 200


@dataclass(frozen=True)
class MakerInfo:
    id: int
    name: str
    phone: str  # digits; the web layer masks it for everyone but managers
    fund_percent: int | None  # the manager's terms; None: the category's rule
    maker_percent: int | None
    created_at: datetime


def _maker(row: dict) -> MakerInfo:
    return MakerInfo(id=row["id"], name=row["name"], phone=row["phone"], fund_percent=row["fund_percent"],
                     maker_percent=row["maker_percent"], created_at=row["created_at"])


async def register_maker(*, shop_id: int, name: str, phone: str = "") -> int:
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 100:
        raise DomainError(DonationError.BAD_MAKER_NAME, maximum=100)
    digits = normalize_phone(phone)
    async with writing(Maker._meta.db):
        rows = await Maker.insert(Maker(shop=shop_id, name=name, phone=digits)).returning(Maker.id)
    return rows[0]["id"]


async def makers_of(*, shop_id: int) -> list[MakerInfo]:
    return [_maker(row) for row in await Maker.select().where(Maker.shop == shop_id).order_by(Maker.name)]


async def maker_by_id(*, shop_id: int, maker_id: int) -> MakerInfo:
    row = await Maker.select().where((Maker.shop == shop_id) & (Maker.id == maker_id)).first()
    if row is None:
        raise DomainError(DonationError.UNKNOWN_MAKER, maker=maker_id)
    return _maker(row)


async def set_maker_terms(*, shop_id: int, maker_id: int, fund_percent: int | None,
                          maker_percent: int | None, by: int | None = None) -> None:
    """A manager's (`by`, a staff id) terms for this maker's goods sold from now on (both None: the category's rule
    again).

    Past sales keep the rule they were made under (it is stored on each sale line). A change of the terms is kept
    (maker_terms_change: from what, to what, who, when) in the same transaction, so a sale made before it and arriving
    after it (offline) is split by the terms of its time (terms_changed_since).
    """
    if (fund_percent is None) != (maker_percent is None):
        raise DomainError(DonationError.BAD_TERMS, fund=fund_percent, maker=maker_percent)
    if fund_percent is not None:
        for value in (fund_percent, maker_percent):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
                raise DomainError(DonationError.BAD_TERMS, fund=fund_percent, maker=maker_percent)
        if fund_percent + maker_percent > 100:
            raise DomainError(DonationError.BAD_TERMS, fund=fund_percent, maker=maker_percent)
    db = Maker._meta.db
    async with writing(db):
        # Its row held until the change commits: two managers at once make two changes, the second from the first's.
        rows = await run(db, "SELECT fund_percent, maker_percent FROM maker WHERE shop = $1 AND id = $2"
                         + sql.for_no_key_update(db), shop_id, maker_id)
        if not rows:
            raise DomainError(DonationError.UNKNOWN_MAKER, maker=maker_id)
        before = rows[0]
        await Maker.update({Maker.fund_percent: fund_percent, Maker.maker_percent: maker_percent}).where(
            Maker.id == maker_id)
        if (before["fund_percent"], before["maker_percent"]) != (fund_percent, maker_percent):
            await sql.insert_rows(MakerTermsChange, [dict(
                shop=shop_id, maker=maker_id, old_fund_percent=before["fund_percent"],
                old_maker_percent=before["maker_percent"], new_fund_percent=fund_percent,
                new_maker_percent=maker_percent, changed_by=by, created_at=datetime.now(UTC))])


async def terms_changed_since(item_ids: Sequence[int], at: datetime) -> dict[int, tuple[int | None, int | None]]:
    """The terms (fund and maker percents; None: none) of the makers of these items that a manager changed after
    `at`, by maker, as they were at `at`: the old terms of each one's first change after `at`. A maker not in the
    answer has had their terms of now since then. One query."""
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    rows = await run(Maker._meta.db, sql.as_it_was(
        "maker_terms_change", "maker", "c.old_fund_percent, c.old_maker_percent",
        f"SELECT k.maker FROM consignment k WHERE k.item IN ({sql.placeholders(2, len(ids))})"), at, *ids)
    return {row["maker"]: (row["old_fund_percent"], row["old_maker_percent"]) for row in rows}


@dataclass(frozen=True)
class TermsChangeRow:
    """A change of a maker's terms as a manager reads it: "changed by X on date from a/b to c/d"."""

    at: datetime
    old_fund_percent: int | None  # None: no terms (the category's rule)
    old_maker_percent: int | None
    new_fund_percent: int | None
    new_maker_percent: int | None
    staff: str  # who changed them; "" when not known


async def terms_changes_of(*, shop_id: int, maker_id: int) -> list[TermsChangeRow]:
    """The changes of a maker's terms, newest first."""
    rows = await run(Maker._meta.db, """
        SELECT t.created_at, t.old_fund_percent, t.old_maker_percent, t.new_fund_percent, t.new_maker_percent,
               COALESCE(s.display_name, '') AS staff
        FROM maker_terms_change t LEFT JOIN staff s ON s.id = t.changed_by
        WHERE t.shop = $1 AND t.maker = $2 ORDER BY t.id DESC""", shop_id, maker_id)
    return [TermsChangeRow(at=as_time(r["created_at"]), old_fund_percent=r["old_fund_percent"],
                           old_maker_percent=r["old_maker_percent"], new_fund_percent=r["new_fund_percent"],
                           new_maker_percent=r["new_maker_percent"], staff=r["staff"]) for r in rows]


@dataclass(frozen=True)
class ConsignedGoods:
    item_id: int
    barcode: str
    quantity: int  # pieces brought in now
    in_store: bool  # the shop gave the code: each piece needs a label


class ConsignmentPaper(Protocol):
    """What the intake desk prints when a maker brings goods (pos/paper.py: IntakePaper), in the consignment's
    transaction: a label for each piece that carries the shop's own code."""

    async def print_consigned(self, goods: ConsignedGoods, *, ref: str) -> None: ...


async def consign_goods(*, shop_id: int, maker_id: int, category_code: str, name: str, price_fen: int,
                        quantity: int, staff_id: int | None, barcode: str = "",
                        paper: ConsignmentPaper | None = None) -> ConsignedGoods:
    """A maker of `shop_id` brings goods to sell on consignment: new goods get an in-store code; more of
    their goods already on sale (their code given) just add pieces. `paper` queues their labels with them.

    At a station the goods, their category and their code are the fed shop's (goods_shop_of; DomainError
    "station-feeds-no-shop" at a station that feeds none); the maker stays the station's.
    """
    check_price(price_fen, minimum=1)
    check_quantity(quantity)
    code = normalize_barcode(barcode) if barcode and barcode.strip() else ""
    db = Maker._meta.db
    async with writing(db):
        goods_shop = await goods_shop_of(shop_id)
        await maker_by_id(shop_id=shop_id, maker_id=maker_id)
        ref, reason = f"maker:{maker_id}", "consigned by its maker"
        if code and (known := await item_by_barcode(shop_id=goods_shop, barcode=code)) is not None:
            owner = await run(db, "SELECT maker FROM consignment WHERE item = $1", known.id)
            if not owner or owner[0]["maker"] != maker_id:
                raise DomainError(DonationError.NOT_THEIR_GOODS, barcode=code, name=known.name)
            await receive_stock(shop_id=goods_shop, item=known, quantity=quantity, staff_id=staff_id, reason=reason,
                                ref=ref)
            goods = ConsignedGoods(known.id, known.barcode, quantity, is_in_store(known.barcode))
            if paper is not None:
                await paper.print_consigned(goods, ref=ref)
            return goods
        if code.startswith("2"):
            raise DomainError(DonationError.IN_STORE_CODE_GIVEN, barcode=code)
        category = await Category.select(Category.id, Category.source).where(
            (Category.shop == goods_shop) & (Category.code == category_code)).first()
        if category is None:
            raise DomainError(InventoryError.UNKNOWN_CATEGORY, category=category_code[:32])
        if category["source"] != "handicraft":
            raise DomainError(DonationError.NOT_HANDICRAFT, category=category_code[:32])
        new = await add_item(shop_id=goods_shop, barcode=code or None, name=name, category_id=category["id"],
                             price_fen=price_fen, quantity=quantity, staff_id=staff_id, reason=reason, ref=ref)
        await Consignment.insert(Consignment(item=new.item_id, maker=maker_id))
        goods = ConsignedGoods(new.item_id, new.barcode, quantity, is_in_store(new.barcode))
        if paper is not None:
            await paper.print_consigned(goods, ref=ref)
    return goods


@dataclass(frozen=True)
class ConsignedTo:
    maker_id: int
    fund_percent: int | None  # the maker's terms; None: the category's rule
    maker_percent: int | None


async def consignments(item_ids: Sequence[int]) -> dict[int, ConsignedTo]:
    """Which of these items are consigned, to whom, and on what terms."""
    if not item_ids:
        return {}
    marks = sql.placeholders(1, len(item_ids))
    rows = await run(Consignment._meta.db, "SELECT c.item, c.maker, m.fund_percent, m.maker_percent "
                     f"FROM consignment c JOIN maker m ON m.id = c.maker WHERE c.item IN ({marks})", *item_ids)
    return {row["item"]: ConsignedTo(row["maker"], row["fund_percent"], row["maker_percent"]) for row in rows}


async def owed_to(maker_id: int) -> int:
    """What the shop owes the maker now, in fen (the credit balance of their payable account)."""
    return -await ledger.balance(ledger.maker_payable(maker_id))


async def record_payout(*, shop_id: int, maker_id: int, amount_fen: int, method: str, staff_id: int,
                        note: str = "") -> int:
    """A manager pays a maker: never more than is owed, even with two payouts at once. Returns the payout's id."""
    if method not in PAYOUT_METHODS:
        raise DomainError(DonationError.BAD_PAYOUT_METHOD, method=str(method)[:16])
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen < 1:
        raise DomainError(DonationError.BAD_PAYOUT, amount=amount_fen)
    note = " ".join((note or "").split())
    if len(note) > MAX_PAYOUT_NOTE:  # refused, never cut
        raise DomainError(DonationError.BAD_NOTE, maximum=MAX_PAYOUT_NOTE)
    db = MakerPayout._meta.db
    async with writing(db):
        await maker_by_id(shop_id=shop_id, maker_id=maker_id)
        account = ledger.maker_payable(maker_id)
        await sql.advisory_lock(db, account)  # one payout of a maker at a time, across connections
        owed = await owed_to(maker_id)
        if amount_fen > owed:
            raise DomainError(DonationError.PAYOUT_TOO_LARGE, amount=amount_fen, owed=owed)
        txn_id = await ledger.post(ledger.Txn(kind="maker-payout", ref=f"maker:{maker_id}", entries=(
            ledger.Entry(account, ledger.Currency.CNY, amount_fen),
            ledger.Entry(PAYOUT_METHODS[method], ledger.Currency.CNY, -amount_fen),
        )), shop_id=shop_id, staff_id=staff_id)
        rows = await MakerPayout.insert(MakerPayout(shop=shop_id, maker=maker_id, amount_fen=amount_fen, method=method,
                                                    note=note, ledger_txn=txn_id, staff=staff_id)).returning(MakerPayout.id)
    return rows[0]["id"]


async def payout_problems() -> list[str]:
    """Payouts whose ledger transaction does not take their amount off the maker's payable (verify() reports it)."""
    rows = await run(MakerPayout._meta.db, """
        SELECT p.id AS what FROM maker_payout p
        WHERE p.amount_fen <> COALESCE((
            SELECT SUM(e.amount) FROM ledger_entry e
            WHERE e.txn = p.ledger_txn AND e.currency = 'CNY' AND e.account = 'liability:maker:' || CAST(p.maker AS TEXT)
        ), -1)""")
    return [f"maker payout differs from its ledger transaction: {row['what']}" for row in rows]

"""Intake: a donation and its items come in whole or not at all.

register_donation() is the one writer of a donation. In one transaction it records the
donation and each item as given; every accepted item goes into stock through an "intake"
movement, under its maker's barcode or a new in-store code; refused items are recorded
with their reason and never stocked. Like a sale, a donation is submitted with an
idempotency key: the same key again returns the first donation and writes nothing.

Where a donation is taken in and where its goods go may differ: at a station (a shop row without stock, shop/shops.py)
the donation, its donor and its slip are the station's, while its items, their intake movements and the codes on
their labels belong to the shop the station feeds (goods_shop_of), whose till sells them. A station that feeds no
shop takes nothing in.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from donations.errors import DonationError
from donations.tables import DonatedItem, Donation, Donor
from inventory.barcodes import is_in_store, normalize_barcode
from inventory.catalogue import (
    CategoryInfo,
    Condition,
    add_item,
    categories_of,
    check_price,
    check_quantity,
    item_by_barcode,
    next_in_store_codes,
    receive_stock,
)
from inventory.errors import InventoryError
from shop.database import as_date, run
from shop.errors import DomainError
from shop.idempotency import check_key, once
from shop.shops import ShopKind
from shop.tables import Shop

MAX_ITEMS = 200
MAX_LABELLED_PIECES = 1000  # labels printed for one donation: more is a typing mistake (or several donations)
MAX_BACKDATE_DAYS = 366  # a paper backlog of up to a year may be typed in


@dataclass(frozen=True)
class GivenItem:
    """One line of a donation as the intake desk fills it in."""

    category: str  # the category's code
    description: str
    condition: str  # a Condition
    quantity: int
    price_fen: int | None = None  # one piece; needed unless refused
    expires_on: date | None = None  # needed for perishable categories
    barcode: str = ""  # the maker's barcode printed on the goods, if any
    refused_reason: str = ""  # set: refused at the door, never stocked


@dataclass(frozen=True)
class DonatedLine:
    description: str
    category: str
    condition: str
    quantity: int
    price_fen: int | None
    expires_on: date | None
    barcode: str  # "" when refused
    in_store: bool  # the shop gave it its code: each piece needs a label
    refused_reason: str

    @property
    def accepted(self) -> bool:
        return not self.refused_reason


@dataclass(frozen=True)
class DonationRecord:
    id: int
    number: str
    received_on: date
    created_at: datetime
    donor_id: int | None
    donor_name: str  # "" for an anonymous gift
    volunteer: str
    lines: tuple[DonatedLine, ...]
    replayed: bool = False

    @property
    def label_codes(self) -> list[str]:
        """One label per piece that carries the shop's own code, in the order given."""
        return [line.barcode for line in self.lines if line.accepted and line.in_store for _ in range(line.quantity)]

    @property
    def pieces_accepted(self) -> int:
        return sum(line.quantity for line in self.lines if line.accepted)


class DonationPaper(Protocol):
    """What is printed with a donation, in its transaction: its labels, its slip (pos/paper.py: IntakePaper).
    Defined here, as donations may not import pos, which prints it."""

    async def print_donation(self, donation: DonationRecord) -> object: ...


async def goods_shop_of(shop_id: int) -> int:
    """The shop whose stock goods taken in at `shop_id` go into: the shop itself, or the shop a station feeds.
    DomainError "station-feeds-no-shop" for a station that feeds none (its intake desk takes nothing in)."""
    place = await Shop.select(Shop.code, Shop.kind, Shop.feeds).where(Shop.id == shop_id).first()
    if place is None or place["kind"] != ShopKind.STATION.value:
        return shop_id
    if place["feeds"] is None:
        raise DomainError(DonationError.STATION_FEEDS_NO_SHOP, shop=place["code"])
    return place["feeds"]


async def shop_of_goods(donation_id: int) -> int | None:
    """The shop whose stock a donation's accepted goods went into: at a station, the shop it fed when they were taken
    in, which it may feed no longer (their labels are that shop's); None when every item was refused."""
    row = await DonatedItem.select(DonatedItem.item.shop.as_alias("shop")).where(
        (DonatedItem.donation == donation_id) & DonatedItem.item.is_not_null()).first()
    return None if row is None else row["shop"]


def donation_number(donation_id: int) -> str:
    return f"D{donation_id:08d}"


def donation_id_of(number: str) -> int | None:
    match = re.fullmatch(r"D(\d{8,12})", (number or "").strip().upper())
    return int(match.group(1)) if match else None


def _request_digest(donor_id: int | None, received_on: date, items: Sequence[GivenItem]) -> str:
    text = json.dumps([donor_id, received_on.isoformat(), [
        [i.category, i.description, i.condition, i.quantity, i.price_fen,
         i.expires_on.isoformat() if i.expires_on else None, i.barcode, i.refused_reason] for i in items]],
        ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _checked(item: GivenItem, categories: dict[str, CategoryInfo], today: date) -> GivenItem:
    """The item as it will be stored, or DomainError naming what is wrong with it."""
    category = categories.get(item.category)
    if category is None:
        raise DomainError(InventoryError.UNKNOWN_CATEGORY, category=str(item.category)[:32])
    description = " ".join((item.description or "").split())
    if not 1 <= len(description) <= 200:
        raise DomainError(DonationError.BAD_DESCRIPTION, maximum=200)
    try:
        condition = Condition(item.condition)
    except ValueError:
        raise DomainError(DonationError.BAD_CONDITION, condition=str(item.condition)[:20]) from None
    check_quantity(item.quantity)
    reason = " ".join((item.refused_reason or "").split())
    if len(reason) > 200:
        raise DomainError(DonationError.BAD_REFUSAL_REASON, maximum=200)
    if reason:  # refused at the door: what and why, nothing else
        return GivenItem(category=category.code, description=description, condition=condition,
                         quantity=item.quantity, refused_reason=reason)
    if item.price_fen is None:
        raise DomainError(InventoryError.BAD_PRICE, price="", minimum=1, maximum=10_000_000, item=description)
    check_price(item.price_fen, minimum=1)
    if category.perishable and item.expires_on is None:
        raise DomainError(DonationError.EXPIRY_NEEDED, item=description)
    if item.expires_on is not None and item.expires_on < today:
        raise DomainError(DonationError.ALREADY_EXPIRED, item=description, expires_on=item.expires_on.isoformat())
    barcode = ""
    if item.barcode and item.barcode.strip():
        barcode = normalize_barcode(item.barcode)
        if barcode.startswith("2"):  # GS1 restricted circulation: another shop's own code means nothing here
            raise DomainError(DonationError.IN_STORE_CODE_GIVEN, barcode=barcode)
    return GivenItem(category=category.code, description=description, condition=condition, quantity=item.quantity,
                     price_fen=item.price_fen, expires_on=item.expires_on, barcode=barcode)


async def register_donation(
    *, shop_id: int, volunteer_id: int, donor_id: int | None, items: Sequence[GivenItem], idempotency_key: str,
    today: date, received_on: date | None = None,
    paper: DonationPaper | None = None,
) -> DonationRecord:
    """Record a donation taken in at `shop_id`: its items into the stock of the shop they go to (goods_shop_of: the
    shop itself, or the shop a station feeds), or refused; all or nothing. `today` is the shop's local date.

    `paper` prints the donation (its labels, its slip: pos/paper.py) in its transaction: they commit
    with the donation or not at all, and are not printed again for a repeated key.
    """
    check_key(idempotency_key)
    if not items:
        raise DomainError(DonationError.EMPTY_DONATION)
    if len(items) > MAX_ITEMS:
        raise DomainError(DonationError.TOO_MANY_ITEMS, maximum=MAX_ITEMS)
    received_on = received_on or today
    if not today - timedelta(days=MAX_BACKDATE_DAYS) <= received_on <= today:
        raise DomainError(DonationError.BAD_DATE, date=received_on.isoformat())
    goods_shop = await goods_shop_of(shop_id)  # the categories, the catalogue and the stock are the goods' shop's
    categories = {c.code: c for c in await categories_of(shop_id=goods_shop)}
    checked = [_checked(item, categories, today) for item in items]
    labelled = sum(item.quantity for item in checked if not item.refused_reason and not item.barcode)
    if labelled > MAX_LABELLED_PIECES:
        raise DomainError(DonationError.TOO_MANY_LABELS, pieces=labelled, maximum=MAX_LABELLED_PIECES)
    digest = _request_digest(donor_id, received_on, checked)

    async def write() -> DonationRecord:
        if donor_id is not None and not await Donor.exists().where((Donor.shop == shop_id) & (Donor.id == donor_id)):
            raise DomainError(DonationError.UNKNOWN_DONOR, donor=donor_id)
        rows = await Donation.insert(Donation(
            shop=shop_id, donor=donor_id, received_on=received_on, volunteer=volunteer_id,
            idempotency_key=idempotency_key, request_digest=digest,
        )).returning(Donation.id)
        donation_id = rows[0]["id"]
        number = donation_number(donation_id)
        await _stock(shop_id=goods_shop, donation_id=donation_id, number=number, items=checked,
                     categories=categories, volunteer_id=volunteer_id)
        record = await load_donation(donation_id, shop_id=shop_id)
        if paper is not None:
            await paper.print_donation(record)
        return record

    return await once(write, table=Donation, digest_column=Donation.request_digest, shop_id=shop_id,
                      key=idempotency_key, digest=digest, first=lambda i: load_donation(i, shop_id=shop_id),
                      reused=DonationError.IDEMPOTENCY_KEY_REUSED, number=donation_number)


async def _stock(*, shop_id: int, donation_id: int, number: str, items: Sequence[GivenItem],
                 categories: dict[str, CategoryInfo], volunteer_id: int) -> None:
    """Each accepted item into stock: a known code gains pieces, a new one enters the catalogue."""
    new_codes = iter(await next_in_store_codes(
        shop_id=shop_id, count=sum(1 for item in items if not item.refused_reason and not item.barcode)))
    for item in items:
        category = categories[item.category]
        item_id = None
        if not item.refused_reason:
            item_id = await _stock_one(shop_id=shop_id, item=item, category=category, number=number,
                                       code=item.barcode or next(new_codes), volunteer_id=volunteer_id)
        await DonatedItem.insert(DonatedItem(
            donation=donation_id, category=category.id, description=item.description, condition=str(item.condition),
            quantity=item.quantity, price_fen=item.price_fen, expires_on=item.expires_on, item=item_id,
            refused_reason=item.refused_reason,
        ))


async def _stock_one(*, shop_id: int, item: GivenItem, category: CategoryInfo, number: str, code: str,
                     volunteer_id: int) -> int:
    reason = f"donation {number}"
    if item.barcode and (known := await item_by_barcode(shop_id=shop_id, barcode=code)) is not None:
        if known.name != item.description or known.category_id != category.id:
            raise DomainError(DonationError.BARCODE_OTHER_PRODUCT, barcode=code, name=known.name)
        if known.price_fen != item.price_fen:
            raise DomainError(DonationError.PRICE_DIFFERS, barcode=code, name=known.name,
                              price=known.price_fen)
        if not known.active:
            raise DomainError(InventoryError.ITEM_WITHDRAWN, barcode=code, name=known.name)
        await receive_stock(shop_id=shop_id, item=known, quantity=item.quantity, staff_id=volunteer_id,
                            reason=reason, ref=number, expires_on=item.expires_on)
        return known.id
    new = await add_item(shop_id=shop_id, barcode=code, name=item.description, category_id=category.id,
                         price_fen=item.price_fen or 0, quantity=item.quantity,
                         one_off=is_in_store(code) and item.quantity == 1, staff_id=volunteer_id, reason=reason,
                         ref=number, condition=Condition(item.condition), expires_on=item.expires_on)
    return new.item_id


async def load_donation(donation_id: int, *, shop_id: int) -> DonationRecord:
    donation = await Donation.select(
        Donation.id, Donation.received_on, Donation.created_at, Donation.donor,
        Donation.donor.name.as_alias("donor_name"), Donation.volunteer.display_name.as_alias("volunteer"),
    ).where((Donation.id == donation_id) & (Donation.shop == shop_id)).first()
    if donation is None:
        raise DomainError(DonationError.UNKNOWN_DONATION, number=donation_number(donation_id))
    lines = await DonatedItem.select(
        DonatedItem.description, DonatedItem.category.code.as_alias("category"), DonatedItem.condition,
        DonatedItem.quantity, DonatedItem.price_fen, DonatedItem.expires_on, DonatedItem.item.barcode.as_alias("barcode"),
        DonatedItem.refused_reason,
    ).where(DonatedItem.donation == donation_id).order_by(DonatedItem.id)
    return DonationRecord(
        id=donation["id"], number=donation_number(donation["id"]), received_on=as_date(donation["received_on"]),
        created_at=donation["created_at"], donor_id=donation["donor"], donor_name=donation["donor_name"] or "",
        volunteer=donation["volunteer"] or "",
        lines=tuple(DonatedLine(
            description=l["description"], category=l["category"], condition=l["condition"], quantity=l["quantity"],
            price_fen=l["price_fen"], expires_on=as_date(l["expires_on"]), barcode=l["barcode"] or "",
            in_store=is_in_store(l["barcode"] or ""), refused_reason=l["refused_reason"],
        ) for l in lines),
    )


@dataclass(frozen=True)
class DonationSummary:
    number: str
    received_on: date
    donor_id: int | None
    donor_name: str
    lines: int
    pieces_accepted: int
    pieces_refused: int


async def recent_donations(*, shop_id: int, donor_id: int | None = None, limit: int = 50) -> list[DonationSummary]:
    """The latest donations (of one donor, when given), newest first."""
    where = "d.shop = $1" + (" AND d.donor = $2" if donor_id is not None else "")
    args: list = [shop_id] + ([donor_id] if donor_id is not None else [])
    rows = await run(Donation._meta.db, f"""
        SELECT d.id, d.received_on, d.donor, COALESCE(p.name, '') AS donor_name, COUNT(l.id) AS lines,
               COALESCE(SUM(CASE WHEN l.refused_reason = '' THEN l.quantity ELSE 0 END), 0) AS accepted,
               COALESCE(SUM(CASE WHEN l.refused_reason <> '' THEN l.quantity ELSE 0 END), 0) AS refused
        FROM donation d LEFT JOIN donor p ON p.id = d.donor LEFT JOIN donated_item l ON l.donation = d.id
        WHERE {where} GROUP BY d.id, d.received_on, d.donor, p.name ORDER BY d.id DESC LIMIT {int(limit)}""", *args)
    return [DonationSummary(number=donation_number(r["id"]), received_on=as_date(r["received_on"]),
                            donor_id=r["donor"], donor_name=r["donor_name"], lines=int(r["lines"]),
                            pieces_accepted=int(r["accepted"]), pieces_refused=int(r["refused"])) for r in rows]



_NUMBER_SQL = "'D' || SUBSTR('00000000' || CAST(d.id AS TEXT), LENGTH(CAST(d.id AS TEXT)) + 1)"
_CHECKS = {
    "donated item is neither stocked nor refused (or both)": """
        SELECT id AS what FROM donated_item WHERE (item IS NULL) = (refused_reason = '')""",
    "donated item has no intake movement naming its donation": f"""
        SELECT l.id AS what FROM donated_item l JOIN donation d ON d.id = l.donation
        WHERE l.item IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM stock_movement m WHERE m.item = l.item AND m.kind = 'intake' AND m.ref = {_NUMBER_SQL})""",
}


async def donation_problems() -> list[str]:
    """What is wrong with the donations' records (verify() reports it)."""
    db = Donation._meta.db
    return [f"{problem}: {row['what']}" for problem, sql in _CHECKS.items() for row in await run(db, sql)]

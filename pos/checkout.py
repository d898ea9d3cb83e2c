"""Checkout: commit_sale() is the one writer of a sale.

A sale is committed whole or not at all, in one transaction: the sale, its lines (each a
snapshot with the split applied), the tender, the stock movements and the ledger
transaction. The till sends an idempotency key with every submit: the same key again
returns the first sale and writes nothing; the same key with a different cart is refused.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from donations.makers import consignments
from inventory.barcodes import normalize_barcode
from inventory.catalogue import check_quantity, items_by_barcode, price_now
from inventory.errors import InventoryError
from inventory.rotation import Rotation
from inventory.stock import Movement, MovementKind, record_movements
from shop import ledger
from shop.database import insert_rows, run, writing
from shop.errors import DomainError
from shop.settings import SplitSettings

from pos.errors import SaleError
from pos.split import SplitRule, rule_in_force, split_value
from pos.tables import Sale, SaleLine, Tender

NO_ROTATION = Rotation(steps=(), remove_after_weeks=0, sources=frozenset())
MAX_LINES = 200
MAX_SALE_FEN = 100_000_000  # ¥1,000,000.00: a sale beyond this is a typing mistake
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass(frozen=True)
class CartLine:
    barcode: str
    quantity: int


@dataclass(frozen=True)
class SoldLine:
    barcode: str
    name: str
    unit_price_fen: int  # after the markdown, if any
    quantity: int
    value_fen: int
    rule_fund: int
    rule_maker: int
    fund_fen: int
    maker_fen: int
    running_fen: int
    oversold: bool
    list_price_fen: int | None = None  # its price before the rotation's markdown; None: not marked down
    markdown_percent: int = 0


@dataclass(frozen=True)
class SaleRecord:
    id: int
    number: str
    created_at: datetime
    till_id: int
    cashier_id: int
    lines: tuple[SoldLine, ...]
    total_fen: int
    cash_given_fen: int
    change_fen: int
    fund_fen: int
    maker_fen: int
    running_fen: int
    replayed: bool = False  # True when this is the answer to a repeated submit


def sale_number(sale_id: int) -> str:
    return f"S{sale_id:08d}"


def sale_id_of(number: str) -> int | None:
    match = re.fullmatch(r"S(\d{8,12})", number.strip().upper())
    return int(match.group(1)) if match else None


def source_rules(split: SplitSettings) -> dict[str, SplitRule]:
    return {source: SplitRule(shares.fund, shares.maker)
            for source, shares in ((s, getattr(split, s)) for s in SplitSettings.__struct_fields__)}


def merge_lines(lines: Sequence[CartLine]) -> list[CartLine]:
    """Codes checked and normalized; the same code twice becomes one line with both quantities."""
    if not lines:
        raise DomainError(SaleError.EMPTY_CART)
    if len(lines) > MAX_LINES:
        raise DomainError(SaleError.TOO_MANY_LINES, maximum=MAX_LINES)
    merged: dict[str, int] = {}
    for line in lines:
        code = normalize_barcode(line.barcode)
        merged[code] = merged.get(code, 0) + check_quantity(line.quantity)
    return [CartLine(code, check_quantity(quantity)) for code, quantity in merged.items()]


def cart_digest(*, till_id: int, lines: Sequence[CartLine], cash_given_fen: int) -> str:
    text = f"{till_id}|{cash_given_fen}|" + ";".join(f"{l.barcode}x{l.quantity}" for l in sorted(
        lines, key=lambda l: l.barcode))
    return hashlib.sha256(text.encode()).hexdigest()


def _check_amount(fen: int) -> int:
    if not isinstance(fen, int) or isinstance(fen, bool) or not 0 <= fen <= MAX_SALE_FEN:
        raise DomainError(SaleError.BAD_AMOUNT, amount=fen, maximum=MAX_SALE_FEN)
    return fen


async def commit_sale(*, shop_id: int, till_id: int, cashier_id: int, lines: Sequence[CartLine],
                      cash_given_fen: int, idempotency_key: str, rules: Mapping[str, SplitRule],
                      rotation: Rotation = NO_ROTATION, expected_total_fen: int | None = None,
                      with_sale: Callable[[SaleRecord], Awaitable[object]] | None = None) -> SaleRecord:
    """Sell the cart for cash. Returns the sale (or, for a repeated key, the first sale).

    `with_sale` is more work that must commit with the sale or not at all (the till
    queues the receipt's print job with it: one commit, and no sale without its receipt).
    """
    if not _KEY.match(idempotency_key or ""):
        raise DomainError(SaleError.BAD_IDEMPOTENCY_KEY)
    cart = merge_lines(lines)
    _check_amount(cash_given_fen)
    digest = cart_digest(till_id=till_id, lines=cart, cash_given_fen=cash_given_fen)
    try:
        async with writing(Sale._meta.db):
            if (first := await _sale_with_key(shop_id, idempotency_key)) is not None:
                return await _replay(first, digest)
            sale = await _write_sale(shop_id=shop_id, till_id=till_id, cashier_id=cashier_id,
                                     cart=cart, cash_given_fen=cash_given_fen, key=idempotency_key,
                                     digest=digest, rules=rules, rotation=rotation,
                                     expected_total_fen=expected_total_fen)
            if with_sale is not None:
                await with_sale(sale)
            return sale
    except (asyncpg.UniqueViolationError, sqlite3.IntegrityError):
        # Another connection committed the same key first (PostgreSQL, or a second process).
        first = await _sale_with_key(shop_id, idempotency_key)
        if first is None:
            raise
        return await _replay(first, digest)


async def _write_sale(*, shop_id: int, till_id: int, cashier_id: int, cart: list[CartLine],
                      cash_given_fen: int, key: str, digest: str, rules: Mapping[str, SplitRule],
                      rotation: Rotation, expected_total_fen: int | None) -> SaleRecord:
    db = Sale._meta.db
    now = datetime.now(UTC)
    if not await run(db, "SELECT id FROM till WHERE id = $1 AND shop = $2", till_id, shop_id):
        raise DomainError(SaleError.UNKNOWN_TILL, till=till_id)
    items = await items_by_barcode(shop_id=shop_id, barcodes=[line.barcode for line in cart])
    for line in cart:
        item = items.get(line.barcode)
        if item is None:
            raise DomainError(InventoryError.UNKNOWN_BARCODE, status=404, barcode=line.barcode)
        if not item.active:
            raise DomainError(InventoryError.ITEM_WITHDRAWN, status=409, barcode=line.barcode, name=item.name)
    item_ids = [items[line.barcode].id for line in cart]
    makers = await consignments(item_ids)

    sold: list[SoldLine] = []
    rows: list[dict] = []
    for line in cart:
        item = items[line.barcode]
        consigned = makers.get(item.id)
        rule = rule_in_force(
            source_rule=rules[item.source], category_fund=item.fund_percent,
            category_maker=item.maker_percent, has_maker=consigned is not None,
            maker_fund=consigned.fund_percent if consigned else None,
            maker_maker=consigned.maker_percent if consigned else None,
        )
        price, markdown = price_now(price_fen=item.price_fen, source=item.source, perishable=item.perishable,
                                    came_in=item.created_at, rotation=rotation, now=now)
        value = price * line.quantity
        parts = split_value(value, rule)
        sold.append(SoldLine(
            barcode=item.barcode, name=item.name, unit_price_fen=price, quantity=line.quantity,
            value_fen=value, rule_fund=rule.fund, rule_maker=rule.maker, fund_fen=parts.fund_fen,
            maker_fen=parts.maker_fen, running_fen=parts.running_fen,
            oversold=item.on_hand < line.quantity,
            list_price_fen=item.price_fen if markdown else None, markdown_percent=markdown,
        ))
        rows.append(dict(item=item.id, category_code=item.category_code, source=item.source,
                         maker_id=consigned.maker_id if consigned else None))
    total = sum(line.value_fen for line in sold)
    _check_amount(total)
    if expected_total_fen is not None and expected_total_fen != total:
        raise DomainError(SaleError.PRICE_CHANGED, status=409, expected=expected_total_fen, total=total)
    if cash_given_fen < total:
        raise DomainError(SaleError.NOT_ENOUGH_CASH, total=total, given=cash_given_fen)
    fund = sum(line.fund_fen for line in sold)
    maker = sum(line.maker_fen for line in sold)
    running = sum(line.running_fen for line in sold)

    # Written in SQL, not through the query builder: this is the hot path (bench/README.md).
    inserted = await insert_rows(Sale, [dict(
        shop=shop_id, till=till_id, cashier=cashier_id, idempotency_key=key, cart_digest=digest,
        created_at=now, total_fen=total, fund_fen=fund, maker_fen=maker, running_fen=running,
    )], returning="id")
    sale_id = inserted[0]["id"]
    number = sale_number(sale_id)
    await insert_rows(SaleLine, [
        dict(sale=sale_id, barcode=line.barcode, name=line.name, unit_price_fen=line.unit_price_fen,
             quantity=line.quantity, value_fen=line.value_fen, rule_fund=line.rule_fund,
             rule_maker=line.rule_maker, fund_fen=line.fund_fen, maker_fen=line.maker_fen,
             running_fen=line.running_fen, oversold=line.oversold, list_price_fen=line.list_price_fen,
             markdown_percent=line.markdown_percent, **row)
        for line, row in zip(sold, rows)
    ])
    await record_movements(shop_id=shop_id, staff_id=cashier_id, at=now, items_locked=True, movements=[
        Movement(row["item"], -line.quantity, MovementKind.SALE, ref=number)
        for line, row in zip(sold, rows)
    ])
    change = cash_given_fen - total
    await insert_rows(Tender, [dict(sale=sale_id, kind="cash", amount_fen=total, given_fen=cash_given_fen,
                                    change_fen=change)])
    per_maker: dict[int, int] = defaultdict(int)
    for line, row in zip(sold, rows):
        if row["maker_id"] is not None:
            per_maker[row["maker_id"]] += line.maker_fen
    await ledger.post(ledger.Txn(kind="sale", ref=number, entries=(
        ledger.Entry(ledger.till_cash(till_id), ledger.Currency.CNY, total),
        ledger.Entry(ledger.FUND, ledger.Currency.CNY, -fund),
        *(ledger.Entry(ledger.maker_payable(m), ledger.Currency.CNY, -fen) for m, fen in sorted(per_maker.items())),
        ledger.Entry(ledger.RUNNING_COSTS, ledger.Currency.CNY, -running),
    )), shop_id=shop_id, staff_id=cashier_id)
    return SaleRecord(id=sale_id, number=number, created_at=now, till_id=till_id, cashier_id=cashier_id,
                      lines=tuple(sold), total_fen=total, cash_given_fen=cash_given_fen, change_fen=change,
                      fund_fen=fund, maker_fen=maker, running_fen=running)


async def _sale_with_key(shop_id: int, key: str) -> dict | None:
    rows = await run(Sale._meta.db, "SELECT id, shop, cart_digest FROM sale WHERE shop = $1 AND idempotency_key = $2",
                     shop_id, key)
    return rows[0] if rows else None


async def _replay(first: dict, digest: str) -> SaleRecord:
    if first["cart_digest"] != digest:
        raise DomainError(SaleError.IDEMPOTENCY_KEY_REUSED, status=409, number=sale_number(first["id"]))
    record = await load_sale(first["id"], shop_id=first["shop"])
    return SaleRecord(**{**record.__dict__, "replayed": True})


async def load_sale(sale_id: int, *, shop_id: int) -> SaleRecord:
    sale = await Sale.select().where((Sale.id == sale_id) & (Sale.shop == shop_id)).first()
    if sale is None:
        raise DomainError(SaleError.UNKNOWN_SALE, status=404, number=sale_number(sale_id))
    lines = await SaleLine.select().where(SaleLine.sale == sale_id).order_by(SaleLine.id)
    tender = await Tender.select().where((Tender.sale == sale_id) & (Tender.kind == "cash")).first()
    return SaleRecord(
        id=sale["id"], number=sale_number(sale["id"]), created_at=sale["created_at"], till_id=sale["till"],
        cashier_id=sale["cashier"], total_fen=sale["total_fen"], fund_fen=sale["fund_fen"],
        maker_fen=sale["maker_fen"], running_fen=sale["running_fen"],
        cash_given_fen=tender["given_fen"] if tender else 0, change_fen=tender["change_fen"] if tender else 0,
        lines=tuple(SoldLine(
            barcode=l["barcode"], name=l["name"], unit_price_fen=l["unit_price_fen"], quantity=l["quantity"],
            value_fen=l["value_fen"], rule_fund=l["rule_fund"], rule_maker=l["rule_maker"],
            fund_fen=l["fund_fen"], maker_fen=l["maker_fen"], running_fen=l["running_fen"],
            oversold=bool(l["oversold"]), list_price_fen=l["list_price_fen"],
            markdown_percent=l["markdown_percent"]) for l in lines),
    )

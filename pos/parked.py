"""Parked carts: a customer steps away (forgot their wallet, went for one more thing), the cashier parks
the cart and serves the next customer; later the cart is resumed at any till of the shop.

A parked cart is only a list of what was scanned: nothing about stock or money changes while it
waits, and prices are read again when it is sold. Resuming it removes it, so two tills cannot
both take it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from inventory.barcodes import normalize_barcode
from inventory.catalogue import check_quantity
from shop import sql
from shop.database import as_time, run, writing
from shop.errors import DomainError

from pos.checkout import MAX_LINES
from pos.errors import SaleError
from pos.tables import ParkedCart, Till

MAX_NOTE = 100
_LINE_KEYS = {"barcode", "quantity", "name", "price_fen", "override_price_fen", "discount_percent",
              "discount_fen", "reason"}


@dataclass(frozen=True)
class ParkedInfo:
    id: int
    till: str  # the till's code
    cashier: str  # who parked it (display name)
    created_at: datetime
    note: str
    lines: list[dict[str, Any]]
    pieces: int
    total_fen: int  # as it stood when parked (prices are read again when it is sold)


def _clean_lines(lines: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    if not lines:
        raise DomainError(SaleError.EMPTY_CART)
    if len(lines) > MAX_LINES:
        raise DomainError(SaleError.TOO_MANY_LINES, maximum=MAX_LINES)
    cleaned = []
    for line in lines:
        kept = {key: value for key, value in line.items() if key in _LINE_KEYS and value is not None}
        kept["barcode"] = normalize_barcode(str(kept.get("barcode", "")))
        kept["quantity"] = check_quantity(kept.get("quantity", 1))
        kept["name"] = str(kept.get("name", ""))[:200]
        for key in ("price_fen", "override_price_fen", "discount_percent", "discount_fen"):
            if key in kept and (not isinstance(kept[key], int) or isinstance(kept[key], bool) or kept[key] < 0):
                raise DomainError(SaleError.BAD_AMOUNT, amount=kept[key], maximum=100_000_000)
        if "reason" in kept:
            kept["reason"] = str(kept["reason"])[:200]
        cleaned.append(kept)
    return cleaned


async def park_cart(*, shop_id: int, till_id: int, cashier_id: int, lines: Sequence[dict[str, Any]],
                    note: str = "") -> int:
    """Put the cart aside; its id."""
    cleaned = _clean_lines(lines)
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE:
        raise DomainError(SaleError.BAD_NOTE, maximum=MAX_NOTE)
    db = ParkedCart._meta.db
    async with writing(db):
        if not await Till.exists().where((Till.id == till_id) & (Till.shop == shop_id)):
            raise DomainError(SaleError.UNKNOWN_TILL, till=till_id)
        row = await sql.insert_rows(ParkedCart, [dict(shop=shop_id, till=till_id, cashier=cashier_id, note=note,
                                                  created_at=datetime.now(UTC), lines=_json(cleaned))],
                                returning="id")
    return row[0]["id"]


def _json(lines: list[dict[str, Any]]) -> str:
    return json.dumps(lines, ensure_ascii=False)


def _lines_of(value: Any) -> list[dict[str, Any]]:
    return json.loads(value) if isinstance(value, str) else list(value)


async def parked_carts(*, shop_id: int) -> list[ParkedInfo]:
    """The shop's parked carts, oldest first (any till may resume any of them)."""
    rows = await run(ParkedCart._meta.db, """
        SELECT p.id, p.created_at, p.note, p.lines, t.code AS till, s.display_name AS cashier
        FROM parked_cart p JOIN till t ON t.id = p.till JOIN staff s ON s.id = p.cashier
        WHERE p.shop = $1 ORDER BY p.id""", shop_id)
    return [_info(row) for row in rows]


def _info(row: dict) -> ParkedInfo:
    lines = _lines_of(row["lines"])
    return ParkedInfo(
        id=row["id"], till=row["till"], cashier=row["cashier"], created_at=as_time(row["created_at"]),
        note=row["note"], lines=lines, pieces=sum(int(l["quantity"]) for l in lines),
        total_fen=sum(int(l.get("price_fen", 0)) * int(l["quantity"]) for l in lines))


async def resume_cart(*, shop_id: int, parked_id: int) -> ParkedInfo:
    """Take the parked cart back (it is removed); DomainError "parked-cart-gone" when another till took it first."""
    db = ParkedCart._meta.db
    async with writing(db):
        rows = await run(db, f"""
            SELECT p.id, p.created_at, p.note, p.lines, t.code AS till, s.display_name AS cashier
            FROM parked_cart p JOIN till t ON t.id = p.till JOIN staff s ON s.id = p.cashier
            WHERE p.id = $1 AND p.shop = $2{sql.for_update(db, of="p")}""", parked_id, shop_id)
        if not rows:
            raise DomainError(SaleError.PARKED_CART_GONE, id=parked_id)
        await run(db, "DELETE FROM parked_cart WHERE id = $1", parked_id)
    return _info(rows[0])

"""Sales made at a till while the server or the network was gone, as they arrive (and a manager's settling of them).

The till keeps selling offline: each sale is kept in the browser with its own number (T1-0000123), its idempotency
key and the time it was made, and sent, oldest first, once the server is back. accept_offline_sale() takes one:

- It is written by the checkout's one writer (pos/checkout.py _write_sale), at the time it was made: the sale's
  created_at is `made_at`, so its split, its hourly summaries and its till session are those of that time. The
  session is the one of its till that was open at `made_at`.
- At the prices charged: a line charged other than the item's catalogue price of that time (with the rotation's
  markdown of that day), or an item withdrawn meanwhile, is sold as charged, with an override logged with the
  reason "offline price" and no manager's PIN: the sale is listed for a manager to settle instead.
- Stock may go below zero; the line is flagged oversold (pos/oversold.py lists it), as at any till.
- Exactly once by its key, also when the same journal is sent from two tabs or again after a crash (shop/idempotency
  .py once(): same key and same sale → the first answer; same key, another sale → refused); and when it was sent
  online first and only its answer was lost (a sale with its key, of its till and total, is that sale).
- A sale that cannot be a sale at all is kept whole (its lines and amounts) and held for a manager, never dropped:
  a code the shop does not know, or a till session that has closed since it was made (its drawer was counted with
  this cash in it, and its Z report printed: a late sale must not change the next session's expected cash), or no
  session of its till open when it was made (the till's clock was wrong). A manager settles a held sale by making
  it a sale at the prices charged once its goods are in the catalogue (in the session it was made in), or writes it
  off with a reason: the cash taken with no goods on the books goes to OFFLINE_SETTLEMENT, from the drawer while
  its session is open, else from the over/short its count booked (the cash was counted there).

A sale's receipt prints when it reaches the server, marked 离线销售 with the time it was made. A sale whose number the
server had from another sale is renumbered by the till and sent again; the number the customer's paper shows is kept
(printed_number), printed on its receipt and listed for a manager to see. last_offline_number() tells the till where
the server's numbers for it stand, so it counts on from there. A sale the server refuses outright is reported by the
till and kept for a manager (pos/offline_refusals.py).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from inventory.barcodes import normalize_barcode
from donations.makers import terms_changed_since
from inventory.catalogue import SellableItem, check_quantity, items_by_barcode, price_now, split_changed_since
from shop import ledger, sql
from shop.database import as_time, run, writing
from shop.errors import DomainError
from shop.idempotency import check_key, once

from pos.checkout import (
    MAX_LINES, MAX_SALE_FEN, CartLine, OfflineTerms, SaleRecord, TillRules, _write_sale, cart_digest, load_sale,
    merge_lines,
)
from pos.discounts import MAX_REASON, LineOverride
from pos.errors import OfflineError, SaleError
from pos.numbers import sale_number
from pos.tables import OfflineSale, Override, TillSession

OFFLINE_PRICE = "offline price"  # the reason logged with the override of a line sold offline as charged
# Cash a till took offline for a sale that never became one (its goods unknown to the shop), written off by a
# manager with a reason: the shop's, as income, since no goods left the books and nothing was split.
OFFLINE_SETTLEMENT = "income:shop:offline-settlement"
WRITE_OFF = "offline-write-off"  # its ledger transactions' kind; their ref: the offline sale's number

MAX_AHEAD = timedelta(minutes=5)  # a till's clock a little ahead is a clock; further, a mistake
MAX_AGE = timedelta(days=31)  # a till is never offline longer: older is a journal gone wrong


class Status(StrEnum):
    SOLD = "sold"
    HELD = "held"
    SETTLED = "settled"  # held, then made a sale by a manager
    WRITTEN_OFF = "written-off"  # held, then written off by a manager
    CHECKED = "checked"  # sold with a difference, seen by a manager


class Held(StrEnum):
    """Why an offline sale could not be a sale when it arrived."""

    UNKNOWN_BARCODE = "unknown-barcode"
    SESSION_CLOSED = "session-closed"
    NO_SESSION = "no-session"


class Differed(StrEnum):
    """What a manager is asked to settle about an offline sale that was sold."""

    OFFLINE_PRICE = "offline-price"  # a line charged other than its price of the time
    ITEM_WITHDRAWN = "item-withdrawn"  # a line's item withdrawn from sale
    RENUMBERED = "renumbered"  # the customer's paper shows the number the till gave it first (printed_number)


@dataclass(frozen=True)
class ChargedLine:
    barcode: str
    quantity: int
    unit_price_fen: int  # what the till charged for one


@dataclass(frozen=True)
class OfflineResult:
    """What became of an offline sale: sold (its sale, and what a manager is to settle), or held (why)."""

    id: int
    offline_number: str
    made_at: datetime
    status: str  # Status
    sale: SaleRecord | None  # the sale it became (sold, settled, checked)
    reason: str = ""  # Held, while it is held
    detail: str = ""  # held: what the reason names (the unknown codes)
    settle: tuple[str, ...] = ()  # Differed: what differed, when sold
    replayed: bool = False

    @property
    def sold(self) -> bool:
        return self.sale is not None


class OfflinePaper(Protocol):
    """What is printed with an offline sale when it arrives (pos/paper.py TillPaper): its receipt, marked 离线销售."""

    async def print_offline_sale(self, sale: SaleRecord, *, made_at: datetime, number: str,
                                 printed_number: str = "") -> object: ...


def check_offline_number(number: str, *, till_code: str) -> str:
    """The till's own number of a sale made offline: its code, "-" and 7 digits (T1-0000123)."""
    text = (number or "").strip().upper()
    if not re.fullmatch(re.escape(till_code.upper()) + r"-\d{7}", text):
        raise DomainError(OfflineError.BAD_OFFLINE_NUMBER, number=number, till=till_code)
    return text


def check_made_at(made_at: datetime, *, now: datetime) -> datetime:
    """When the sale was made, with its offset: not ahead of the server by more than a few minutes, nor older than
    a till stays offline."""
    if made_at.tzinfo is None or made_at.utcoffset() is None:
        raise DomainError(OfflineError.BAD_MADE_AT, made_at=str(made_at))
    made_at = made_at.astimezone(UTC)
    if not now - MAX_AGE <= made_at <= now + MAX_AHEAD:
        raise DomainError(OfflineError.BAD_MADE_AT, made_at=made_at.isoformat())
    return made_at


def checked_lines(lines: Sequence[ChargedLine]) -> tuple[ChargedLine, ...]:
    """The lines as the till charged them: codes checked and normalized, whole quantities, prices in whole fen."""
    if not lines:
        raise DomainError(SaleError.EMPTY_CART)
    if len(lines) > MAX_LINES:
        raise DomainError(SaleError.TOO_MANY_LINES, maximum=MAX_LINES)
    checked = []
    for line in lines:
        price = line.unit_price_fen
        if not isinstance(price, int) or isinstance(price, bool) or not 0 <= price <= MAX_SALE_FEN:
            raise DomainError(OfflineError.BAD_CHARGED_PRICE, price=price, maximum=MAX_SALE_FEN)
        checked.append(ChargedLine(normalize_barcode(line.barcode), check_quantity(line.quantity), price))
    return tuple(checked)


def charged_total(lines: Sequence[ChargedLine]) -> int:
    return sum(line.quantity * line.unit_price_fen for line in lines)


def request_digest(*, till_id: int, offline_number: str, made_at: datetime, lines: Sequence[ChargedLine],
                   cash_given_fen: int) -> str:
    """What an offline sale says, so its key sent again with another sale is refused."""
    text = f"{till_id}|{offline_number}|{made_at.astimezone(UTC).isoformat()}|{cash_given_fen}|" + ";".join(
        f"{l.barcode}x{l.quantity}@{l.unit_price_fen}" for l in lines)
    return hashlib.sha256(text.encode()).hexdigest()


async def accept_offline_sale(*, shop_id: int, till_id: int, till_code: str, cashier_id: int, offline_number: str,
                              made_at: datetime, idempotency_key: str, lines: Sequence[ChargedLine],
                              cash_given_fen: int, rules: TillRules, now: datetime | None = None,
                              paper: OfflinePaper | None = None, printed_number: str = "") -> OfflineResult:
    """An offline sale arriving: sold at its time and its prices charged, or held for a manager (see the module's
    words). The same key again gives the first answer (replayed) and writes nothing. `paper` prints its receipt in
    its transaction, once. `printed_number`: the number the till gave it first and printed on the customer's paper,
    when the till renumbered it since (the server had that number from another sale): kept, printed on its receipt,
    and a difference for a manager to see."""
    check_key(idempotency_key)
    number = check_offline_number(offline_number, till_code=till_code)
    printed = check_offline_number(printed_number, till_code=till_code) if printed_number else ""
    printed = "" if printed == number else printed
    made_at = check_made_at(made_at, now=now or datetime.now(UTC))
    charged = checked_lines(lines)
    total = charged_total(charged)
    for amount in (total, cash_given_fen):
        if not isinstance(amount, int) or isinstance(amount, bool) or not 0 <= amount <= MAX_SALE_FEN:
            raise DomainError(SaleError.BAD_AMOUNT, amount=amount, maximum=MAX_SALE_FEN)
    if cash_given_fen < total:
        raise DomainError(SaleError.NOT_ENOUGH_CASH, total=total, given=cash_given_fen)
    digest = request_digest(till_id=till_id, offline_number=number, made_at=made_at, lines=charged,
                            cash_given_fen=cash_given_fen)

    async def write() -> OfflineResult:
        db = OfflineSale._meta.db
        if await run(db, "SELECT id FROM offline_sale WHERE shop = $1 AND till = $2 AND offline_number = $3",
                     shop_id, till_id, number):
            raise DomainError(OfflineError.OFFLINE_NUMBER_TAKEN, number=number)
        if await run(db, "SELECT id FROM offline_refusal WHERE shop = $1 AND till_code = $2 AND offline_number = $3 "
                         "AND idempotency_key <> $4", shop_id, till_code, number, idempotency_key):
            # A sale refused under this number was printed with it too: this one takes the till's next number.
            raise DomainError(OfflineError.OFFLINE_NUMBER_TAKEN, number=number)
        if made := await run(db, "SELECT id, till, total_fen, session FROM sale WHERE shop = $1 "
                                 "AND idempotency_key = $2", shop_id, idempotency_key):
            # Sent online first, its answer lost, then kept in the till's journal: the sale is already made.
            return await _made_online(made[0])
        session = await _session_at(shop_id=shop_id, till_id=till_id, at=made_at)
        items = await items_by_barcode(shop_id=shop_id, barcodes=sorted({line.barcode for line in charged}))
        unknown = sorted({line.barcode for line in charged} - set(items))
        held, detail = "", ""
        if unknown:
            held, detail = Held.UNKNOWN_BARCODE, ", ".join(unknown)
        elif session is None:
            held = Held.NO_SESSION
        elif session["closed_at"] is not None:
            held = Held.SESSION_CLOSED
        sale, differed = None, ()
        if not held:
            sale, differed = await _sell(shop_id=shop_id, till_id=till_id, cashier_id=cashier_id, key=idempotency_key,
                                         lines=charged, cash_given_fen=cash_given_fen, made_at=made_at,
                                         session_id=session["id"], session_open=True, items=items, rules=rules)
            if printed:
                differed = tuple(sorted({*differed, Differed.RENUMBERED}))
        rows = await sql.insert_rows(OfflineSale, [dict(
            shop=shop_id, till=till_id, cashier=cashier_id, offline_number=number, idempotency_key=idempotency_key,
            request_digest=digest, made_at=made_at, received_at=datetime.now(UTC), lines=_json(charged),
            total_fen=total, cash_given_fen=cash_given_fen, session=session["id"] if session else None,
            sale=sale.id if sale else None, status=Status.HELD if held else Status.SOLD, reason=str(held),
            detail=detail if held else ",".join(differed), decided_by=None, decided_at=None, note="",
            printed_number=printed or None)], returning="id")
        if sale is not None and paper is not None:
            await paper.print_offline_sale(sale, made_at=made_at, number=number, printed_number=printed)
        return OfflineResult(id=rows[0]["id"], offline_number=number, made_at=made_at,
                             status=Status.HELD if held else Status.SOLD, sale=sale, reason=str(held), detail=detail,
                             settle=tuple(differed))

    async def _made_online(sale: dict[str, Any]) -> OfflineResult:
        if sale["till"] != till_id or sale["total_fen"] != total:
            raise DomainError(OfflineError.OFFLINE_KEY_REUSED, number=sale_number(sale["id"]))
        rows = await sql.insert_rows(OfflineSale, [dict(
            shop=shop_id, till=till_id, cashier=cashier_id, offline_number=number, idempotency_key=idempotency_key,
            request_digest=digest, made_at=made_at, received_at=datetime.now(UTC), lines=_json(charged),
            total_fen=total, cash_given_fen=cash_given_fen, session=sale["session"], sale=sale["id"],
            status=Status.SOLD, reason="", detail="", decided_by=None, decided_at=None, note="",
            printed_number=printed or None)], returning="id")
        return OfflineResult(id=rows[0]["id"], offline_number=number, made_at=made_at, status=Status.SOLD,
                             sale=await load_sale(sale["id"], shop_id=shop_id), replayed=True)

    return await once(write, table=OfflineSale, digest_column=OfflineSale.request_digest, shop_id=shop_id,
                      key=idempotency_key, digest=digest, first=lambda i: load_offline(i, shop_id=shop_id),
                      reused=OfflineError.OFFLINE_KEY_REUSED, number=lambda i: number,
                      one_writer="offline")  # the number is checked free, then taken: one arrival at a time


async def _session_at(*, shop_id: int, till_id: int, at: datetime) -> dict[str, Any] | None:
    """The till's session open at `at` (id, closed_at), its row held until the caller commits (a close waits)."""
    db = TillSession._meta.db
    rows = await run(db, "SELECT id, closed_at FROM till_session WHERE till = $1 AND shop = $2 AND opened_at <= $3 "
                         "AND (closed_at IS NULL OR closed_at > $3) ORDER BY opened_at DESC LIMIT 1"
                     + sql.for_share(db), till_id, shop_id, at)
    return rows[0] if rows else None


async def _list_prices_at(items: Sequence[SellableItem], at: datetime) -> dict[str, int]:
    """Each item's catalogue price at `at`: the price its first change after `at` changed, else its price now."""
    prices = {item.barcode: item.price_fen for item in items}
    if not items:
        return prices
    by_id = {item.id: item.barcode for item in items}
    rows = await run(OfflineSale._meta.db, sql.as_it_was("price_change", "item", "c.old_price_fen",
                                                         sql.placeholders(2, len(by_id))), at, *by_id)
    for row in rows:
        prices[by_id[row["item"]]] = row["old_price_fen"]
    return prices


async def _sell(*, shop_id: int, till_id: int, cashier_id: int, key: str, lines: Sequence[ChargedLine],
                cash_given_fen: int, made_at: datetime, session_id: int, session_open: bool,
                items: dict[str, SellableItem], rules: TillRules) -> tuple[SaleRecord, tuple[str, ...]]:
    """The offline sale written by the checkout's writer, in the caller's transaction: each line at its price
    charged (an override with the reason "offline price" where that is not its price of the time, and for a
    withdrawn item), in `session_id`, its cash in the drawer while that session is open, else from over/short. Each
    line is split by the rule in force at `made_at`: its category's split and its maker's terms of then, where a
    manager changed them since (their change history); the goods sources' rules (config.toml) change only with a
    restart, so the rules running now are those of a sale a till kept while the server was up."""
    list_prices = await _list_prices_at(list(items.values()), made_at)
    category_splits = await split_changed_since([item.category_id for item in items.values()], made_at)
    maker_terms = await terms_changed_since([item.id for item in items.values()], made_at)
    cart, differed = [], set()
    for line in lines:
        item = items[line.barcode]
        price_then, _ = price_now(price_fen=list_prices[line.barcode], source=item.source, perishable=item.perishable,
                                  came_in=item.created_at, rotation=rules.rotation, now=made_at)
        override = None
        if line.unit_price_fen != price_then:
            override = LineOverride(price_fen=line.unit_price_fen, reason=OFFLINE_PRICE)
            differed.add(Differed.OFFLINE_PRICE)
        if not item.active:
            differed.add(Differed.ITEM_WITHDRAWN)
        cart.append(CartLine(line.barcode, line.quantity, override))
    cart = merge_lines(cart)
    sale = await _write_sale(
        shop_id=shop_id, till_id=till_id, cashier_id=cashier_id, cart=cart, cash_given_fen=cash_given_fen, key=key,
        digest=cart_digest(till_id=till_id, lines=cart, cash_given_fen=cash_given_fen), rules=rules,
        expected_total_fen=None, points=None, sale_discount=None, approver=None, now=made_at,
        offline=OfflineTerms(session_id=session_id, list_prices=list_prices,
                             cash_account=ledger.till_cash(till_id) if session_open else ledger.CASH_OVER_SHORT,
                             category_splits=category_splits, maker_terms=maker_terms))
    if Differed.ITEM_WITHDRAWN in differed:
        # A withdrawn item sold at its own price has no price override: its line is logged all the same.
        db = OfflineSale._meta.db
        withdrawn = await run(db, """
            SELECT l.id, l.unit_price_fen FROM sale_line l JOIN item i ON i.id = l.item
            WHERE l.sale = $1 AND NOT i.active AND NOT EXISTS (SELECT 1 FROM override o WHERE o.line = l.id)
            ORDER BY l.id""", sale.id)
        await sql.insert_rows(Override, [dict(
            shop=shop_id, sale=sale.id, line=row["id"], kind="price", before_fen=row["unit_price_fen"],
            after_fen=row["unit_price_fen"], reason=OFFLINE_PRICE, cashier=cashier_id, approved_by=None,
            created_at=made_at) for row in withdrawn])
    return sale, tuple(sorted(differed))


def _json(lines: Sequence[ChargedLine]) -> str:
    return json.dumps([dict(barcode=l.barcode, quantity=l.quantity, unit_price_fen=l.unit_price_fen) for l in lines])


def _lines_of(value: Any) -> tuple[ChargedLine, ...]:
    rows = json.loads(value) if isinstance(value, str) else value
    return tuple(ChargedLine(r["barcode"], int(r["quantity"]), int(r["unit_price_fen"])) for r in rows)


async def load_offline(offline_id: int, *, shop_id: int) -> OfflineResult:
    """An offline sale as it stands: sold (its sale), or held (why)."""
    rows = await run(OfflineSale._meta.db, "SELECT * FROM offline_sale WHERE id = $1 AND shop = $2", offline_id,
                     shop_id)
    if not rows:
        raise DomainError(OfflineError.UNKNOWN_OFFLINE_SALE)
    row = rows[0]
    sale = await load_sale(row["sale"], shop_id=shop_id) if row["sale"] is not None else None
    held = sale is None
    return OfflineResult(id=row["id"], offline_number=row["offline_number"], made_at=as_time(row["made_at"]),
                         status=row["status"], sale=sale, reason=row["reason"] if held else "",
                         detail=row["detail"] if held else "",
                         settle=() if held or not row["detail"] else tuple(row["detail"].split(",")))


# -- a manager's page: what is to settle, and settling it --------------------------------------------------------


@dataclass(frozen=True)
class OfflineInfo:
    """An offline sale a manager is to settle: held (why, and its lines as charged), or sold with a difference."""

    id: int
    till_code: str
    offline_number: str
    made_at: datetime
    received_at: datetime
    cashier: str
    status: str
    reason: str  # Held, for a held one
    detail: str  # held: the codes it names; sold: what differed (Differed, comma-separated)
    total_fen: int
    cash_given_fen: int
    lines: tuple[ChargedLine, ...]
    sale_number: str  # "" for a held one
    session_open: bool  # the session it was made in is still open (a write-off takes the cash from the drawer)
    printed_number: str = ""  # the number on the customer's paper, when the till renumbered it since


async def to_settle(*, shop_id: int) -> list[OfflineInfo]:
    """The offline sales a manager is to settle, oldest first: held ones, and sold ones whose prices or goods
    differed and that no manager has checked yet."""
    rows = await run(OfflineSale._meta.db, """
        SELECT o.*, t.code AS till_code, c.display_name AS cashier_name, s.closed_at AS session_closed_at
        FROM offline_sale o JOIN till t ON t.id = o.till JOIN staff c ON c.id = o.cashier
        LEFT JOIN till_session s ON s.id = o.session
        WHERE o.shop = $1 AND (o.status = $2 OR (o.status = $3 AND o.detail <> ''))
        ORDER BY o.made_at, o.id""", shop_id, Status.HELD.value, Status.SOLD.value)
    return [OfflineInfo(id=r["id"], till_code=r["till_code"], offline_number=r["offline_number"],
                        made_at=as_time(r["made_at"]), received_at=as_time(r["received_at"]),
                        cashier=r["cashier_name"], status=r["status"], reason=r["reason"], detail=r["detail"],
                        total_fen=r["total_fen"], cash_given_fen=r["cash_given_fen"], lines=_lines_of(r["lines"]),
                        sale_number=sale_number(r["sale"]) if r["sale"] is not None else "",
                        session_open=r["session"] is not None and r["session_closed_at"] is None,
                        printed_number=r["printed_number"] or "")
            for r in rows]


@dataclass(frozen=True)
class TillOffline:
    """A till session's offline sales: received (sold or held), held still, and to settle (held, or sold with a
    difference not checked yet)."""

    received: int
    held: int
    to_settle: int


async def offline_of_session(*, session_id: int) -> TillOffline:
    rows = await run(OfflineSale._meta.db, """
        SELECT COUNT(*) AS received,
               COALESCE(SUM(CASE WHEN status = $2 THEN 1 ELSE 0 END), 0) AS held,
               COALESCE(SUM(CASE WHEN status = $2 OR (status = $3 AND detail <> '') THEN 1 ELSE 0 END), 0) AS settle
        FROM offline_sale WHERE session = $1""", session_id, Status.HELD.value, Status.SOLD.value)
    row = rows[0]
    return TillOffline(received=int(row["received"]), held=int(row["held"]), to_settle=int(row["settle"]))


async def last_offline_number(*, shop_id: int, till_id: int, till_code: str) -> str:
    """The highest number of the till's offline sales the server has (arrived, or reported refused), "" for none:
    the till counts on from past it, so that a browser whose count was lost (or a second browser at the till)
    seldom gives a number the server has already."""
    db = OfflineSale._meta.db
    pattern = till_code.upper() + "-" + "_" * 7
    # offline_sale's numbers are all of the form (MAX of fixed-width digits is the highest); a refused sale's may not
    # be (perhaps why it was refused): each of those is checked, and refused sales are few.
    rows = await run(db, """
        SELECT MAX(offline_number) AS last FROM offline_sale WHERE shop = $1 AND till = $2
        UNION ALL
        SELECT offline_number FROM offline_refusal WHERE shop = $1 AND till_code = $3 AND offline_number LIKE $4""",
                     shop_id, till_id, till_code, pattern)
    found = []
    for row in rows:
        try:
            found.append(check_offline_number(row["last"] or "", till_code=till_code))
        except DomainError:
            pass  # a refused sale's number not of the till's form (perhaps why it was refused)
    return max(found, default="")


async def _held(db, *, shop_id: int, offline_id: int, statuses: tuple[str, ...] = (Status.HELD,)) -> dict[str, Any]:
    """The offline sale's row, inside the caller's write transaction; not-to-settle unless its status is one of
    `statuses` (someone else settled it just now)."""
    rows = await run(db, "SELECT o.*, s.closed_at AS session_closed_at FROM offline_sale o "
                         "LEFT JOIN till_session s ON s.id = o.session WHERE o.id = $1 AND o.shop = $2"
                     + sql.for_update(db, of="o"), offline_id, shop_id)
    if not rows:
        raise DomainError(OfflineError.UNKNOWN_OFFLINE_SALE)
    if rows[0]["status"] not in statuses:
        raise DomainError(OfflineError.NOT_TO_SETTLE, number=rows[0]["offline_number"])
    return rows[0]


async def settle_held(*, shop_id: int, offline_id: int, manager_id: int, rules: TillRules) -> OfflineResult:
    """A held offline sale made a sale at its prices charged, once its goods are in the catalogue: in the session it
    was made in, at its time, by its cashier; its cash from the drawer while that session is open, else from the
    over/short its count booked. Refused while a code is still unknown, or when no session was open then."""
    db = OfflineSale._meta.db
    async with writing(db):
        row = await _held(db, shop_id=shop_id, offline_id=offline_id)  # its row locked: settled once
        lines = _lines_of(row["lines"])
        items = await items_by_barcode(shop_id=shop_id, barcodes=sorted({line.barcode for line in lines}))
        if unknown := sorted({line.barcode for line in lines} - set(items)):
            raise DomainError(OfflineError.STILL_UNKNOWN, barcode=", ".join(unknown))
        if row["session"] is None:
            raise DomainError(OfflineError.NO_SESSION_TO_SELL_IN, number=row["offline_number"])
        sale, differed = await _sell(
            shop_id=shop_id, till_id=row["till"], cashier_id=row["cashier"], key=row["idempotency_key"], lines=lines,
            cash_given_fen=row["cash_given_fen"], made_at=as_time(row["made_at"]), session_id=row["session"],
            session_open=row["session_closed_at"] is None, items=items, rules=rules)
        if row["printed_number"]:
            differed = tuple(sorted({*differed, Differed.RENUMBERED}))
        await run(db, "UPDATE offline_sale SET status = $2, sale = $3, decided_by = $4, decided_at = $5, detail = $6 "
                      "WHERE id = $1", offline_id, Status.SETTLED.value, sale.id, manager_id, datetime.now(UTC),
                  ",".join(differed))
    return await load_offline(offline_id, shop_id=shop_id)


def clean_write_off_reason(reason: str) -> str:
    text = " ".join((reason or "").split())
    if not 1 <= len(text) <= MAX_REASON:
        raise DomainError(OfflineError.WRITE_OFF_REASON, maximum=MAX_REASON)
    return text


async def write_off_held(*, shop_id: int, offline_id: int, manager_id: int, reason: str) -> OfflineResult:
    """A held offline sale written off with a reason: no goods leave the books; the cash it took is booked as it
    was, to OFFLINE_SETTLEMENT: from the till's drawer while the session it was made in (or, made with no session
    open, its till's session now) is open, else from the over/short the drawer's count booked it as."""
    note = clean_write_off_reason(reason)
    db = OfflineSale._meta.db
    async with writing(db):
        row = await _held(db, shop_id=shop_id, offline_id=offline_id)  # its row locked: written off once
        if row["session"] is not None:
            in_drawer = row["session_closed_at"] is None
        else:
            in_drawer = bool(await run(db, "SELECT id FROM till_session WHERE till = $1 AND closed_at IS NULL",
                                       row["till"]))
        cash = ledger.till_cash(row["till"]) if in_drawer else ledger.CASH_OVER_SHORT
        await ledger.post(ledger.Txn(kind=WRITE_OFF, ref=row["offline_number"], entries=(
            ledger.Entry(cash, ledger.Currency.CNY, row["total_fen"]),
            ledger.Entry(OFFLINE_SETTLEMENT, ledger.Currency.CNY, -row["total_fen"]),
        )), shop_id=shop_id, staff_id=manager_id)
        await run(db, "UPDATE offline_sale SET status = $2, decided_by = $3, decided_at = $4, note = $5 WHERE id = $1",
                  offline_id, Status.WRITTEN_OFF.value, manager_id, datetime.now(UTC), note)
    return await load_offline(offline_id, shop_id=shop_id)


async def check_sold(*, shop_id: int, offline_id: int, manager_id: int) -> OfflineResult:
    """A sold offline sale whose prices or goods differed, seen by a manager: off the list to settle (its overrides
    stay in the log)."""
    db = OfflineSale._meta.db
    async with writing(db):
        row = await _held(db, shop_id=shop_id, offline_id=offline_id, statuses=(Status.SOLD,))
        if not row["detail"]:
            raise DomainError(OfflineError.NOT_TO_SETTLE, number=row["offline_number"])
        await run(db, "UPDATE offline_sale SET status = $2, decided_by = $3, decided_at = $4 WHERE id = $1",
                  offline_id, Status.CHECKED.value, manager_id, datetime.now(UTC))
    return await load_offline(offline_id, shop_id=shop_id)

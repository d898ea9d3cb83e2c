"""Stock transfers (调拨) between the shops of a district: goods sent from one shop's shelf to another's.

A transfer is numbered district-wide, DB-000123 (its id): both shops name the same document with one number, where a
number per shop would read DB-000001 at every sender. Sending takes the pieces off the sending shop's shelf (a
transfer-out movement per line, never more than it has on hand); in transit they are on hand nowhere. The receiving
shop's staff receive it: each line's goods become an item of the receiving shop (the item received from the same
goods before, else a new item with the same barcode when the receiving shop does not use that code, else the shop's
next in-store code, which needs a label) with a transfer-in movement. The item keeps the goods' name, source and
category (the receiving shop's category of the same code; a copy of the sender's when it has none: code, names,
source, points and perishable, with its own split and starting prices left unset), price, condition, expiry and
when it came in (so markdowns go on ageing). Its line records the item it came from: the maker's consignment
(donations/transfers.py) and a donor's impact (pos/donor_impact.py) follow it. The sending shop may cancel a
transfer in transit: a transfer-back movement puts the pieces back.

A transfer moves no money: stock is not valued in the ledger (the books hold cash, points and what is owed; the goods'
value enters them only when sold), so nothing is posted. transfer_problems() is verify()'s rule that each transfer's
movements agree with its lines and status.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from shop import sql
from shop.database import as_time, retrying_deadlocks, run, writing
from shop.errors import DomainError
from shop.idempotency import check_key, once
from shop.shops import ShopKind, shop_of_code

from inventory.barcodes import normalize_barcode
from inventory.catalogue import check_quantity, next_in_store_codes
from inventory.errors import InventoryError
from inventory.search import pinyin_keys
from inventory.stock import Movement, MovementKind, record_movements
from inventory.tables import Category, Item, Transfer, TransferLine

MAX_LINES = 200
_NUMBER = re.compile(r"^DB-(\d{6,})$")


class TransferError(StrEnum):
    UNKNOWN_TRANSFER = "unknown-transfer"  # no such transfer, or not one of this shop's
    TRANSFER_TO_SAME_SHOP = "transfer-to-same-shop"
    TRANSFER_TO_STATION = "transfer-to-station"  # a station holds no stock
    NOT_ENOUGH_ON_HAND = "not-enough-on-hand"
    NO_TRANSFER_LINES = "no-transfer-lines"
    TOO_MANY_TRANSFER_LINES = "too-many-transfer-lines"
    TRANSFER_NOT_IN_TRANSIT = "transfer-not-in-transit"  # received or cancelled already
    NOT_THE_RECEIVING_SHOP = "not-the-receiving-shop"  # the sender tries to receive its own transfer
    NOT_THE_SENDING_SHOP = "not-the-sending-shop"  # the receiver tries to cancel it
    TRANSFER_KEY_REUSED = "transfer-key-reused"
    BAD_TRANSFER_STATUS = "bad-transfer-status"


class TransferStatus(StrEnum):
    SENT = "sent"  # in transit
    RECEIVED = "received"
    CANCELLED = "cancelled"


def transfer_number(transfer_id: int) -> str:
    return f"DB-{transfer_id:06d}"


def transfer_id_of(number: str) -> int | None:
    found = _NUMBER.match((number or "").strip().upper())
    return int(found.group(1)) if found else None


# transfer_number() in SQL, on both engines
_NUMBER_SQL = "'DB-' || SUBSTR('000000' || CAST({id} AS TEXT), LENGTH(CAST({id} AS TEXT)) + 1)"


@dataclass(frozen=True)
class LineIn:
    barcode: str
    quantity: int


@dataclass(frozen=True)
class TransferLineInfo:
    barcode: str  # in the sending shop
    name: str
    quantity: int
    received_barcode: str | None = None  # in the receiving shop, once received
    new_code: bool = False  # received under a new in-store code: it needs a label


@dataclass(frozen=True)
class TransferInfo:
    id: int
    number: str
    from_shop: str  # codes
    to_shop: str
    status: str
    sent_by: str
    sent_at: datetime
    closed_by: str | None  # who received or cancelled it
    closed_at: datetime | None
    lines: list[TransferLineInfo] = field(default_factory=list)
    replayed: bool = False

    @property
    def pieces(self) -> int:
        return sum(line.quantity for line in self.lines)


def _digest(to_shop: str, lines: Sequence[LineIn]) -> str:
    text = to_shop + "|" + ";".join(f"{line.barcode}x{line.quantity}" for line in lines)
    return hashlib.sha256(text.encode()).hexdigest()


def _merged(lines: Sequence[LineIn]) -> list[LineIn]:
    """The lines with each code once (its quantities added), in the order first given."""
    if not lines:
        raise DomainError(TransferError.NO_TRANSFER_LINES)
    if len(lines) > MAX_LINES:
        raise DomainError(TransferError.TOO_MANY_TRANSFER_LINES, maximum=MAX_LINES)
    pieces: dict[str, int] = {}
    for line in lines:
        code = normalize_barcode(line.barcode)
        pieces[code] = pieces.get(code, 0) + check_quantity(line.quantity)
    return [LineIn(code, check_quantity(quantity)) for code, quantity in pieces.items()]


async def send_transfer(*, shop_id: int, to_shop: str, lines: Sequence[LineIn], idempotency_key: str,
                        staff_id: int) -> TransferInfo:
    """A manager sends goods to another shop of the district: the pieces leave the shelf, in one transaction.

    Refused: to a station or to the shop itself, more pieces than are on hand, a code the shop does not know; the
    same key again gives the first transfer back (another request with it: transfer-key-reused)."""
    check_key(idempotency_key)
    merged = _merged(lines)
    receiver = await shop_of_code(to_shop)
    if receiver.id == shop_id:
        raise DomainError(TransferError.TRANSFER_TO_SAME_SHOP, shop=receiver.code)
    if receiver.kind is ShopKind.STATION:
        raise DomainError(TransferError.TRANSFER_TO_STATION, shop=receiver.code)
    db = Transfer._meta.db

    async def write() -> TransferInfo:
        codes = [line.barcode for line in merged]
        marks = sql.placeholders(2, len(codes))
        rows = await run(db, f"""
            SELECT id, barcode, name, on_hand FROM item WHERE shop = $1 AND barcode IN ({marks})
            ORDER BY id{sql.for_update(db)}""", shop_id, *codes)
        items = {row["barcode"]: row for row in rows}
        for line in merged:
            item = items.get(line.barcode)
            if item is None:
                raise DomainError(InventoryError.UNKNOWN_BARCODE, barcode=line.barcode)
            if line.quantity > item["on_hand"]:
                raise DomainError(TransferError.NOT_ENOUGH_ON_HAND, barcode=line.barcode, name=item["name"],
                                  on_hand=int(item["on_hand"]), quantity=line.quantity)
        now = datetime.now(UTC)
        made = await sql.insert_rows(Transfer, [dict(
            shop=shop_id, to_shop=receiver.id, status=TransferStatus.SENT.value, idempotency_key=idempotency_key,
            request_digest=digest, sent_by=staff_id, sent_at=now, closed_by=None, closed_at=None)], returning="id")
        transfer_id = made[0]["id"]
        number = transfer_number(transfer_id)
        await sql.insert_rows(TransferLine, [
            dict(transfer=transfer_id, item=items[line.barcode]["id"], quantity=line.quantity, received_item=None)
            for line in merged])
        await record_movements(shop_id=shop_id, staff_id=staff_id, at=now, items_locked=True, movements=[
            Movement(items[line.barcode]["id"], -line.quantity, MovementKind.TRANSFER_OUT,
                     reason=f"to {receiver.code}", ref=number) for line in merged])
        return await transfer_of(transfer_id)

    digest = _digest(receiver.code, merged)
    return await once(write, table=Transfer, digest_column=Transfer.request_digest, shop_id=shop_id,
                      key=idempotency_key, digest=digest, first=transfer_of,
                      reused=TransferError.TRANSFER_KEY_REUSED, number=transfer_number)


async def _locked_transfer(shop_id: int, number: str) -> dict:
    """The transfer with this number, its row locked, if this shop sent or receives it; else unknown-transfer."""
    db = Transfer._meta.db
    transfer_id = transfer_id_of(number)
    rows = [] if transfer_id is None else await run(
        db, f"SELECT id, shop, to_shop, status FROM transfer WHERE id = $1{sql.for_update(db)}", transfer_id)
    if not rows or shop_id not in (rows[0]["shop"], rows[0]["to_shop"]):
        raise DomainError(TransferError.UNKNOWN_TRANSFER, number=(number or "")[:20])
    row = rows[0]
    if row["status"] != TransferStatus.SENT.value:
        raise DomainError(TransferError.TRANSFER_NOT_IN_TRANSIT, number=transfer_number(row["id"]),
                          status=row["status"])
    return row


async def receive_transfer(*, shop_id: int, number: str, staff_id: int) -> TransferInfo:
    """The receiving shop's staff take the goods in: each line becomes (or adds to) an item of theirs."""
    db = Transfer._meta.db

    async def work() -> int:
        async with writing(db):
            if sql.locks_rows(db):  # the catalogue version first, then rows: catalogue.item_by_barcode's order
                await run(db, "SELECT aixin_catalogue_version($1)", shop_id)
            transfer = await _locked_transfer(shop_id, number)
            if transfer["to_shop"] != shop_id:
                raise DomainError(TransferError.NOT_THE_RECEIVING_SHOP, number=transfer_number(transfer["id"]))
            await _receive(transfer, staff_id)
            return transfer["id"]

    return await transfer_of(await retrying_deadlocks(db, work))


async def _receive(transfer: dict, staff_id: int) -> None:
    db = Transfer._meta.db
    shop_id, number = transfer["to_shop"], transfer_number(transfer["id"])
    lines = await run(db, """
        SELECT l.id, l.item, l.quantity, i.barcode, i.name, i.price_fen, i.one_off, i.condition, i.expires_on,
               i.created_at, c.code AS category_code, c.name AS category_name, c.name_en AS category_name_en,
               c.source, c.accepts_points, c.perishable,
               (SELECT MAX(e.received_item) FROM transfer_line e JOIN item r ON r.id = e.received_item
                WHERE e.item = l.item AND r.shop = $2) AS earlier
        FROM transfer_line l JOIN item i ON i.id = l.item JOIN category c ON c.id = i.category
        WHERE l.transfer = $1 ORDER BY l.id""", transfer["id"], shop_id)
    codes = [line["barcode"] for line in lines]
    taken = {row["barcode"] for row in await run(
        db, f"SELECT barcode FROM item WHERE shop = $1 AND barcode IN ({sql.placeholders(2, len(codes))})",
        shop_id, *codes)}
    recoded = [line for line in lines if line["earlier"] is None and line["barcode"] in taken]
    categories: dict[str, int] = {}
    movements = []
    now = datetime.now(UTC)
    # the goods keeping their code first: the shop's next in-store codes then come after any of them
    new_codes: dict[int, str] = {}
    for line in [line for line in lines if line not in recoded] + recoded:
        if line is (recoded[0] if recoded else None):
            new_codes = dict(zip((l["id"] for l in recoded),
                                 await next_in_store_codes(shop_id=shop_id, count=len(recoded))))
        item_id = line["earlier"]
        if item_id is None:
            category = await _category_for(shop_id, line, categories)
            initials, full = pinyin_keys(line["name"])
            code = new_codes.get(line["id"], line["barcode"])
            made = await sql.insert_rows(Item, [dict(
                shop=shop_id, barcode=code, name=line["name"], category=category, price_fen=line["price_fen"],
                one_off=bool(line["one_off"]), active=True, created_at=as_time(line["created_at"]), on_hand=0,
                condition=line["condition"], expires_on=line["expires_on"], location="", low_stock_at=None,
                search_initials=initials, search_pinyin=full)], returning="id")
            item_id = made[0]["id"]
        await run(db, "UPDATE transfer_line SET received_item = $2 WHERE id = $1", line["id"], item_id)
        movements.append(Movement(item_id, line["quantity"], MovementKind.TRANSFER_IN, reason="", ref=number))
    await record_movements(shop_id=shop_id, staff_id=staff_id, at=now, movements=movements)
    await run(db, "UPDATE transfer SET status = $2, closed_by = $3, closed_at = $4 WHERE id = $1",
              transfer["id"], TransferStatus.RECEIVED.value, staff_id, now)


async def _category_for(shop_id: int, line: dict, found: dict[str, int]) -> int:
    """The receiving shop's category with the goods' category code; made as a copy of the sender's when it has none
    (code, names, source, points, perishable; its split and starting prices are the receiving shop's to set)."""
    code = line["category_code"]
    if code not in found:
        row = await Category.select(Category.id).where((Category.shop == shop_id) & (Category.code == code)).first()
        if row is None:
            made = await sql.insert_rows(Category, [dict(
                shop=shop_id, code=code, name=line["category_name"], name_en=line["category_name_en"],
                source=line["source"], accepts_points=bool(line["accepts_points"]), fund_percent=None,
                maker_percent=None, price_new_fen=None, price_like_new_fen=None, price_good_fen=None,
                price_fair_fen=None, perishable=bool(line["perishable"]))], returning="id")
            row = made[0]
        found[code] = row["id"]
    return found[code]


async def cancel_transfer(*, shop_id: int, number: str, staff_id: int) -> TransferInfo:
    """The sending shop calls back a transfer still in transit: its pieces go back on its shelf (transfer-back)."""
    db = Transfer._meta.db

    async def work() -> int:
        async with writing(db):
            transfer = await _locked_transfer(shop_id, number)
            if transfer["shop"] != shop_id:
                raise DomainError(TransferError.NOT_THE_SENDING_SHOP, number=transfer_number(transfer["id"]))
            lines = await run(db, "SELECT item, quantity FROM transfer_line WHERE transfer = $1 ORDER BY id",
                              transfer["id"])
            now = datetime.now(UTC)
            await record_movements(shop_id=shop_id, staff_id=staff_id, at=now, movements=[
                Movement(line["item"], line["quantity"], MovementKind.TRANSFER_BACK, reason="cancelled",
                         ref=transfer_number(transfer["id"])) for line in lines])
            await run(db, "UPDATE transfer SET status = $2, closed_by = $3, closed_at = $4 WHERE id = $1",
                      transfer["id"], TransferStatus.CANCELLED.value, staff_id, now)
            return transfer["id"]

    return await transfer_of(await retrying_deadlocks(db, work))


_SELECT = """
    SELECT t.id, t.status, t.sent_at, t.closed_at, f.code AS from_shop, d.code AS to_shop,
           s.display_name AS sent_by, c.display_name AS closed_by
    FROM transfer t JOIN shop f ON f.id = t.shop JOIN shop d ON d.id = t.to_shop
    JOIN staff s ON s.id = t.sent_by LEFT JOIN staff c ON c.id = t.closed_by"""


async def _with_lines(rows: list[dict]) -> list[TransferInfo]:
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    lines = await run(Transfer._meta.db, f"""
        SELECT l.transfer, i.barcode, i.name, l.quantity, r.barcode AS received_barcode
        FROM transfer_line l JOIN item i ON i.id = l.item LEFT JOIN item r ON r.id = l.received_item
        WHERE l.transfer IN ({sql.placeholders(1, len(ids))}) ORDER BY l.id""", *ids)
    by_transfer: dict[int, list[TransferLineInfo]] = {}
    for line in lines:
        received = line["received_barcode"]
        by_transfer.setdefault(line["transfer"], []).append(TransferLineInfo(
            barcode=line["barcode"], name=line["name"], quantity=int(line["quantity"]), received_barcode=received,
            new_code=received is not None and received != line["barcode"]))
    return [TransferInfo(
        id=row["id"], number=transfer_number(row["id"]), from_shop=row["from_shop"], to_shop=row["to_shop"],
        status=row["status"], sent_by=row["sent_by"], sent_at=as_time(row["sent_at"]), closed_by=row["closed_by"],
        closed_at=None if row["closed_at"] is None else as_time(row["closed_at"]),
        lines=by_transfer.get(row["id"], [])) for row in rows]


async def transfer_of(transfer_id: int) -> TransferInfo:
    rows = await run(Transfer._meta.db, f"{_SELECT} WHERE t.id = $1", transfer_id)
    return (await _with_lines(rows))[0]


async def transfers_of(*, shop_id: int, status: str = "", limit: int = 200) -> list[TransferInfo]:
    """The transfers this shop sent or receives, newest first; `status`: only those (sent: in transit)."""
    args: list = [shop_id]
    where = "(t.shop = $1 OR t.to_shop = $1)"
    if status:
        try:
            args.append(TransferStatus(status).value)
        except ValueError:
            raise DomainError(TransferError.BAD_TRANSFER_STATUS, status=status[:20]) from None
        where += " AND t.status = $2"
    rows = await run(Transfer._meta.db, f"{_SELECT} WHERE {where} ORDER BY t.id DESC LIMIT {int(limit)}", *args)
    return await _with_lines(rows)


async def transfer_problems() -> list[str]:
    """Each transfer's movements agree with its lines and status: every line's pieces went out of the sending shop's
    item (transfer-out); came into the receiving shop's item once received (transfer-in), and only then; came back
    (transfer-back) once cancelled, and only then. And every transfer movement belongs to a line of its transfer."""
    number = _NUMBER_SQL.format(id="t.id")
    moved = ("SELECT item, shop, ref, kind, SUM(quantity) AS pieces FROM stock_movement "
             "WHERE kind IN ('transfer-out', 'transfer-in', 'transfer-back') GROUP BY item, shop, ref, kind")
    db = Transfer._meta.db
    rows = await run(db, f"""
        WITH moved AS ({moved})
        SELECT t.id, t.status, l.id AS line, l.quantity, l.received_item,
               COALESCE((SELECT m.pieces FROM moved m WHERE m.item = l.item AND m.shop = t.shop AND m.ref = {number}
                         AND m.kind = 'transfer-out'), 0) AS sent,
               COALESCE((SELECT m.pieces FROM moved m WHERE m.item = l.item AND m.shop = t.shop AND m.ref = {number}
                         AND m.kind = 'transfer-back'), 0) AS back,
               COALESCE((SELECT m.pieces FROM moved m WHERE m.item = l.received_item AND m.shop = t.to_shop
                         AND m.ref = {number} AND m.kind = 'transfer-in'), 0) AS received
        FROM transfer t JOIN transfer_line l ON l.transfer = t.id ORDER BY t.id, l.id""")
    problems = []
    for row in rows:
        quantity, status = int(row["quantity"]), row["status"]
        want = (-quantity, quantity if status == "cancelled" else 0, quantity if status == "received" else 0)
        got = (int(row["sent"]), int(row["back"]), int(row["received"]))
        held = row["received_item"] is not None
        if got != want or held != (status == "received") or status not in {s.value for s in TransferStatus}:
            problems.append(
                f"transfer {transfer_number(row['id'])} ({status}) line {row['line']} of {quantity} piece(s): "
                f"{-got[0]} went out, {got[1]} came back, {got[2]} came in"
                + ("" if held == (status == "received") else
                   f", and its receiving item is {'set' if held else 'not set'}"))
    strays = await run(db, f"""
        WITH moved AS ({moved})
        SELECT m.item, m.ref, m.kind, m.pieces FROM moved m
        WHERE NOT EXISTS (SELECT 1 FROM transfer t JOIN transfer_line l ON l.transfer = t.id WHERE {number} = m.ref
              AND ((m.kind <> 'transfer-in' AND l.item = m.item AND t.shop = m.shop)
                   OR (m.kind = 'transfer-in' AND l.received_item = m.item AND t.to_shop = m.shop)))
        ORDER BY m.ref, m.item""")
    problems += [f"item {row['item']} has {row['kind']} movements of {row['pieces']} piece(s) under {row['ref']}, "
                 "which is no line of that transfer" for row in strays]
    return problems

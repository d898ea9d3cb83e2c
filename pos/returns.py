"""Returns and voids: goods brought back, refunded to the tenders they were paid with.

A return starts from the receipt: its barcode (the sale number) scanned at the till, or the
number typed. The cashier picks lines and pieces (never more than were sold less those
already returned, whatever the concurrency), and for each says whether it goes back on the
shelf (a "return" stock movement) or is written off (a return, then a write-off with its
reason). The refund goes back to the tenders of the sale, each its share (pos/refunds.py):
cash from the drawer of the till's open session, points back to the account that paid them.
The fund split of what is returned is reversed exactly, and the makers' payable with it.
One ledger transaction per return; a repeated submit (same key) returns the first return.

A void is a manager's: every piece of a sale of the till's open session returned at once,
with reason "void" and the manager recorded.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from inventory.catalogue import check_quantity
from inventory.stock import Movement, MovementKind, WriteOffReason, record_movements
from shop import ledger, sql
from shop.database import as_time, run
from shop.errors import DomainError
from shop.idempotency import check_key, once

from pos.numbers import return_number, sale_id_of, sale_number
from pos.errors import ReturnError, SaleError
from pos.refunds import Back, Paid, Parts, refund_to_tenders, returned_parts
from pos.sessions import open_session_of
from pos.tables import SaleReturn

VOID = "void"
MAX_REASON = 200


@dataclass(frozen=True)
class ReturnRequestLine:
    sale_line_id: int
    quantity: int
    restock: bool = True  # False: written off
    write_off_reason: str = ""  # damaged | expired | unsellable, when not restocked


@dataclass(frozen=True)
class ReturnableLine:
    id: int
    barcode: str
    name: str
    unit_price_fen: int
    quantity: int  # sold
    returned: int  # already brought back
    value_fen: int

    @property
    def returnable(self) -> int:
        return self.quantity - self.returned


@dataclass(frozen=True)
class PaidTender:
    kind: str  # cash | points
    amount_fen: int
    points: int = 0
    member_number: str = ""
    household_ref: str = ""


@dataclass(frozen=True)
class ReturnableSale:
    id: int
    number: str
    created_at: datetime
    till_id: int
    session_id: int | None
    total_fen: int
    returned_fen: int
    lines: tuple[ReturnableLine, ...]
    tenders: tuple[PaidTender, ...]


@dataclass(frozen=True)
class ReturnedLine:
    sale_line_id: int
    barcode: str
    name: str
    quantity: int
    value_fen: int
    fund_fen: int
    maker_fen: int
    running_fen: int
    restock: bool
    write_off_reason: str = ""


@dataclass(frozen=True)
class RefundGiven:
    kind: str  # cash | points
    amount_fen: int
    points: int = 0
    member_number: str = ""


@dataclass(frozen=True)
class ReturnRecord:
    id: int
    number: str
    sale_number: str
    created_at: datetime
    till_id: int
    session_id: int
    reason: str
    total_fen: int
    fund_fen: int
    maker_fen: int
    running_fen: int
    lines: tuple[ReturnedLine, ...]
    refunds: tuple[RefundGiven, ...] = field(default_factory=tuple)
    approved_by: int | None = None
    replayed: bool = False

    @property
    def cash_fen(self) -> int:
        return sum(r.amount_fen for r in self.refunds if r.kind == "cash")

    @property
    def points(self) -> int:
        return sum(r.points for r in self.refunds if r.kind == "points")

    @property
    def owed_fen(self) -> int:
        """What this return still owes the customer (less than a point's worth, see pos/refunds.py), or, from
        the sale's last return, minus what it paid of earlier returns' debt."""
        return self.total_fen - sum(r.amount_fen for r in self.refunds)


class ReturnPaper(Protocol):
    """What is printed with a return or a void, in its transaction (pos/paper.py: TillPaper, the refund slip)."""

    async def print_return(self, record: ReturnRecord) -> object: ...


def _sale_id(number: str) -> int:
    sale_id = sale_id_of(number or "")
    if sale_id is None:
        raise DomainError(SaleError.UNKNOWN_SALE, number=(number or "")[:20])
    return sale_id


async def _sale_rows(shop_id: int, sale_id: int) -> tuple[dict, list[dict], list[dict]]:
    db = SaleReturn._meta.db
    sales = await run(db, "SELECT id, till, session, created_at, total_fen FROM sale WHERE id = $1 AND shop = $2",
                      sale_id, shop_id)
    if not sales:
        raise DomainError(SaleError.UNKNOWN_SALE, number=sale_number(sale_id))
    lines = await run(db, """
        SELECT l.id, l.item, l.barcode, l.name, l.unit_price_fen, l.quantity, l.value_fen, l.fund_fen, l.maker_fen,
               l.running_fen, l.maker_id,
               COALESCE((SELECT SUM(r.quantity) FROM return_line r WHERE r.sale_line = l.id), 0) AS returned
        FROM sale_line l WHERE l.sale = $1 ORDER BY l.id""", sale_id)
    tenders = await run(db, """
        SELECT t.id, t.kind, t.amount_fen, t.points, t.member, t.household_ref, COALESCE(m.number, '') AS member_number
        FROM tender t LEFT JOIN member m ON m.id = t.member
        WHERE t.sale = $1 ORDER BY CASE WHEN t.kind = 'points' THEN 0 ELSE 1 END, t.id""", sale_id)
    return sales[0], lines, tenders


async def _returned_fen(sale_id: int) -> int:
    rows = await run(SaleReturn._meta.db, "SELECT COALESCE(SUM(total_fen), 0) AS total FROM sale_return WHERE sale = $1",
                     sale_id)
    return int(rows[0]["total"])


async def sale_for_return(*, shop_id: int, number: str) -> ReturnableSale:
    """A sale as the return screen shows it: its lines, what is left to return of each, and how it was paid."""
    sale_id = _sale_id(number)
    sale, lines, tenders = await _sale_rows(shop_id, sale_id)
    return ReturnableSale(
        id=sale_id, number=sale_number(sale_id), created_at=as_time(sale["created_at"]), till_id=sale["till"],
        session_id=sale["session"], total_fen=sale["total_fen"], returned_fen=await _returned_fen(sale_id),
        lines=tuple(ReturnableLine(id=l["id"], barcode=l["barcode"], name=l["name"],
                                   unit_price_fen=l["unit_price_fen"], quantity=l["quantity"],
                                   returned=int(l["returned"]), value_fen=l["value_fen"]) for l in lines),
        tenders=tuple(PaidTender(kind=t["kind"], amount_fen=t["amount_fen"], points=t["points"] or 0,
                                 member_number=t["member_number"], household_ref=t["household_ref"] or "")
                      for t in tenders))


def _check(lines: Sequence[ReturnRequestLine], reason: str) -> tuple[list[ReturnRequestLine], str]:
    if not lines:
        raise DomainError(ReturnError.NOTHING_TO_RETURN)
    merged: dict[tuple[int, bool, str], int] = defaultdict(int)
    for line in lines:
        check_quantity(line.quantity)
        why = ""
        if not line.restock:
            try:
                why = WriteOffReason(line.write_off_reason or WriteOffReason.DAMAGED).value
            except ValueError:
                raise DomainError(ReturnError.BAD_RETURN_REASON, maximum=MAX_REASON) from None
        merged[(line.sale_line_id, line.restock, why)] += line.quantity
    reason = " ".join((reason or "").split())
    if len(reason) > MAX_REASON:
        raise DomainError(ReturnError.BAD_RETURN_REASON, maximum=MAX_REASON)
    return [ReturnRequestLine(i, q, restock, why) for (i, restock, why), q in sorted(merged.items())], reason


def _digest(sale_id: int, till_id: int, lines: Sequence[ReturnRequestLine], reason: str) -> str:
    text = f"{sale_id}|{till_id}|{reason}|" + ";".join(
        f"{l.sale_line_id}x{l.quantity}{'' if l.restock else '-' + l.write_off_reason}" for l in lines)
    return hashlib.sha256(text.encode()).hexdigest()


async def commit_return(*, shop_id: int, till_id: int, cashier_id: int, sale: str,
                        lines: Sequence[ReturnRequestLine], idempotency_key: str, reason: str = "",
                        approved_by: int | None = None, refund_limit_fen: int | None = None,
                        paper: ReturnPaper | None = None) -> ReturnRecord:
    """Take back pieces of a sale at this till, refunding them to the sale's tenders. Returns the return
    (or, for a repeated key, the first one). `paper` prints the return (pos/paper.py: the till's refund slip)
    in its transaction: it commits with the return or not at all, and is not done again for a repeated key.
    A return giving back more than `refund_limit_fen` in cash needs `approved_by`, the manager who allowed it
    (recorded on the return); without one it is refused and nothing is written."""
    return await _commit(shop_id=shop_id, till_id=till_id, cashier_id=cashier_id, number=sale, lines=lines,
                         idempotency_key=idempotency_key, reason=reason, approved_by=approved_by,
                         refund_limit_fen=refund_limit_fen, paper=paper)


async def void_sale(*, shop_id: int, till_id: int, cashier_id: int, manager_id: int | None, sale: str,
                    idempotency_key: str,
                    paper: ReturnPaper | None = None) -> ReturnRecord:
    """A manager voids a sale of the till's open session: every piece back on the shelf, every tender refunded.
    `manager_id` is the manager who allows it (shop.staff.approving_manager); without one, "void-needs-manager"."""
    if manager_id is None:
        raise DomainError(ReturnError.VOID_NEEDS_MANAGER)
    sale_id = _sale_id(sale)
    row, lines, _ = await _sale_rows(shop_id, sale_id)
    return await _commit(shop_id=shop_id, till_id=till_id, cashier_id=cashier_id, number=sale,
                         lines=[ReturnRequestLine(l["id"], l["quantity"]) for l in lines],
                         idempotency_key=idempotency_key, reason=VOID, approved_by=manager_id,
                         paper=paper)


async def _commit(*, shop_id: int, till_id: int, cashier_id: int, number: str, lines: Sequence[ReturnRequestLine],
                  idempotency_key: str, reason: str, approved_by: int | None, refund_limit_fen: int | None = None,
                  paper: ReturnPaper | None = None) -> ReturnRecord:
    check_key(idempotency_key)
    sale_id = _sale_id(number)
    wanted, reason = _check(lines, reason)
    digest = _digest(sale_id, till_id, wanted, reason)

    async def write() -> ReturnRecord:
        record = await _write_return(shop_id=shop_id, till_id=till_id, cashier_id=cashier_id, sale_id=sale_id,
                                     wanted=wanted, key=idempotency_key, digest=digest, reason=reason,
                                     approved_by=approved_by, refund_limit_fen=refund_limit_fen)
        if paper is not None:
            await paper.print_return(record)
        return record

    return await once(write, table=SaleReturn, digest_column=SaleReturn.request_digest, shop_id=shop_id,
                      key=idempotency_key, digest=digest, first=lambda i: load_return(i, shop_id=shop_id),
                      reused=ReturnError.RETURN_KEY_REUSED, number=return_number)


async def _write_return(*, shop_id: int, till_id: int, cashier_id: int, sale_id: int,
                        wanted: list[ReturnRequestLine], key: str, digest: str, reason: str,
                        approved_by: int | None, refund_limit_fen: int | None = None) -> ReturnRecord:
    db = SaleReturn._meta.db
    now = datetime.now(UTC)
    session_id = await open_session_of(shop_id=shop_id, till_id=till_id, lock="SHARE")
    if sql.locks_rows(db):  # one return of a sale at a time: what is left to return is read after this
        await run(db, "SELECT id FROM sale WHERE id = $1 AND shop = $2" + sql.for_update(db), sale_id, shop_id)
    sale, sale_lines, tenders = await _sale_rows(shop_id, sale_id)
    number = sale_number(sale_id)
    if reason == VOID:
        if sale["session"] != session_id:
            raise DomainError(ReturnError.VOID_NOT_THIS_SESSION, number=number)
        if any(int(l["returned"]) for l in sale_lines):
            raise DomainError(ReturnError.ALREADY_RETURNED, number=number)
    by_id = {l["id"]: l for l in sale_lines}
    taking: dict[int, int] = defaultdict(int)
    for line in wanted:
        if line.sale_line_id not in by_id:
            raise DomainError(ReturnError.UNKNOWN_SALE_LINE, number=number)
        taking[line.sale_line_id] += line.quantity
    for line_id, quantity in taking.items():
        sold = by_id[line_id]
        left = sold["quantity"] - int(sold["returned"])
        if quantity > left:
            raise DomainError(ReturnError.MORE_THAN_SOLD, name=sold["name"], returnable=left,
                              quantity=quantity)

    returned: list[ReturnedLine] = []
    done: dict[int, int] = {l["id"]: int(l["returned"]) for l in sale_lines}
    for line in wanted:
        sold = by_id[line.sale_line_id]
        parts = returned_parts(Parts(sold["value_fen"], sold["fund_fen"], sold["maker_fen"], sold["running_fen"]),
                               sold["quantity"], before=done[sold["id"]], now=line.quantity)
        done[sold["id"]] += line.quantity
        returned.append(ReturnedLine(
            sale_line_id=sold["id"], barcode=sold["barcode"], name=sold["name"], quantity=line.quantity,
            value_fen=parts.value_fen, fund_fen=parts.fund_fen, maker_fen=parts.maker_fen,
            running_fen=parts.running_fen, restock=line.restock, write_off_reason=line.write_off_reason))
    total = sum(l.value_fen for l in returned)
    fund = sum(l.fund_fen for l in returned)
    maker = sum(l.maker_fen for l in returned)
    running = sum(l.running_fen for l in returned)

    inserted = await sql.insert_rows(SaleReturn, [dict(
        shop=shop_id, sale=sale_id, till=till_id, session=session_id, cashier=cashier_id, approved_by=approved_by,
        created_at=now, idempotency_key=key, request_digest=digest, total_fen=total, fund_fen=fund, maker_fen=maker,
        running_fen=running, reason=reason)], returning="id")
    return_id = inserted[0]["id"]
    ref = return_number(return_id)
    await run(db, 'INSERT INTO return_line ("return", sale_line, quantity, value_fen, fund_fen, maker_fen, '
                  'running_fen, restock, write_off_reason) VALUES ' + ", ".join(
                      f"(${i * 9 + 1}, ${i * 9 + 2}, ${i * 9 + 3}, ${i * 9 + 4}, ${i * 9 + 5}, ${i * 9 + 6}, "
                      f"${i * 9 + 7}, ${i * 9 + 8}, ${i * 9 + 9})" for i in range(len(returned))),
              *[v for l in returned for v in (return_id, l.sale_line_id, l.quantity, l.value_fen, l.fund_fen,
                                              l.maker_fen, l.running_fen, l.restock, l.write_off_reason)])
    movements = []
    for line in returned:
        item = by_id[line.sale_line_id]["item"]
        movements.append(Movement(item, line.quantity, MovementKind.RETURN, ref=ref))
        if not line.restock:
            movements.append(Movement(item, -line.quantity, MovementKind.WRITE_OFF,
                                      reason=f"{line.write_off_reason}: {ref}", ref=ref))
    await record_movements(shop_id=shop_id, staff_id=cashier_id, at=now, movements=movements)

    # The refund: whole points and cash for what has now come back of the sale, less what was given back
    # before (pos/refunds.py); a fraction of a point that cannot be paid back yet stays owed.
    earlier = {row["kind"]: row for row in await run(db, """
        SELECT f.kind, SUM(f.amount_fen) AS fen, SUM(f.points) AS points
        FROM refund f JOIN sale_return x ON x.id = f."return" WHERE x.sale = $1 AND x.id <> $2
        GROUP BY f.kind""", sale_id, return_id)}
    given = refund_to_tenders(
        [Paid(t["kind"], t["amount_fen"], t["points"] or 0) for t in tenders],
        [Back(int(earlier[t["kind"]]["fen"]), int(earlier[t["kind"]]["points"] or 0)) if t["kind"] in earlier
         else Back() for t in tenders],
        returned_fen=await _returned_fen(sale_id))
    refund_rows, refund_entries, gave = [], [], []
    for tender, back in zip(tenders, given):
        if not back.amount_fen:
            continue
        fen, points = back.amount_fen, back.points
        if tender["kind"] == "points":
            payer = (ledger.member_points(tender["member"]) if tender["member"] is not None
                     else ledger.fund_points(shop_id))
            refund_entries += [
                ledger.Entry(payer, ledger.Currency.PTS, -points),
                ledger.Entry(ledger.POINTS_REDEEMED, ledger.Currency.PTS, points),
                ledger.Entry(ledger.POINTS_HONOURED, ledger.Currency.CNY, -fen),
            ]
            refund_rows.append(dict(sale_return=return_id, kind="points", amount_fen=fen, points=points,
                                    member=tender["member"]))
            gave.append(RefundGiven("points", fen, points, tender["member_number"]))
        else:
            refund_entries.append(ledger.Entry(ledger.till_cash(till_id), ledger.Currency.CNY, -fen))
            refund_rows.append(dict(sale_return=return_id, kind="cash", amount_fen=fen, points=0, member=None))
            gave.append(RefundGiven("cash", fen))
    cash = sum(back.amount_fen for tender, back in zip(tenders, given) if tender["kind"] != "points")
    if refund_limit_fen is not None and cash > refund_limit_fen and approved_by is None:
        raise DomainError(ReturnError.REFUND_NEEDS_MANAGER, amount=cash, limit=refund_limit_fen)
    owed = total - sum(back.amount_fen for back in given)  # + still owed to the customer, - paying it back
    if owed:
        refund_entries.append(ledger.Entry(ledger.REFUNDS_OWED, ledger.Currency.CNY, -owed))
    for row in refund_rows:
        await run(db, 'INSERT INTO refund ("return", kind, amount_fen, points, member) VALUES ($1, $2, $3, $4, $5)',
                  row["sale_return"], row["kind"], row["amount_fen"], row["points"], row["member"])
    per_maker: dict[int, int] = defaultdict(int)
    for line in returned:
        if (maker_id := by_id[line.sale_line_id]["maker_id"]) is not None:
            per_maker[maker_id] += line.maker_fen
    if total or owed:
        await ledger.post(ledger.Txn(kind="return", ref=ref, entries=(
            ledger.Entry(ledger.FUND, ledger.Currency.CNY, fund),
            *(ledger.Entry(ledger.maker_payable(m), ledger.Currency.CNY, fen) for m, fen in sorted(per_maker.items())),
            ledger.Entry(ledger.RUNNING_COSTS, ledger.Currency.CNY, running),
            *refund_entries,
        )), shop_id=shop_id, staff_id=cashier_id)
    return ReturnRecord(id=return_id, number=ref, sale_number=number, created_at=now, till_id=till_id,
                        session_id=session_id, reason=reason, total_fen=total, fund_fen=fund, maker_fen=maker,
                        running_fen=running, lines=tuple(returned), refunds=tuple(gave), approved_by=approved_by)


async def load_return(return_id: int, *, shop_id: int) -> ReturnRecord:
    db = SaleReturn._meta.db
    rows = await run(db, "SELECT * FROM sale_return WHERE id = $1 AND shop = $2", return_id, shop_id)
    if not rows:
        raise DomainError(ReturnError.UNKNOWN_RETURN)
    r = rows[0]
    lines = await run(db, """
        SELECT r.sale_line, l.barcode, l.name, r.quantity, r.value_fen, r.fund_fen, r.maker_fen, r.running_fen,
               r.restock, r.write_off_reason
        FROM return_line r JOIN sale_line l ON l.id = r.sale_line WHERE r."return" = $1 ORDER BY r.id""", return_id)
    given = await run(db, """
        SELECT f.kind, f.amount_fen, f.points, COALESCE(m.number, '') AS member_number
        FROM refund f LEFT JOIN member m ON m.id = f.member WHERE f."return" = $1 ORDER BY f.id""", return_id)
    return ReturnRecord(
        id=r["id"], number=return_number(r["id"]), sale_number=sale_number(r["sale"]),
        created_at=as_time(r["created_at"]), till_id=r["till"], session_id=r["session"], reason=r["reason"],
        total_fen=r["total_fen"], fund_fen=r["fund_fen"], maker_fen=r["maker_fen"], running_fen=r["running_fen"],
        approved_by=r["approved_by"],
        lines=tuple(ReturnedLine(sale_line_id=l["sale_line"], barcode=l["barcode"], name=l["name"],
                                 quantity=l["quantity"], value_fen=l["value_fen"], fund_fen=l["fund_fen"],
                                 maker_fen=l["maker_fen"], running_fen=l["running_fen"], restock=bool(l["restock"]),
                                 write_off_reason=l["write_off_reason"]) for l in lines),
        refunds=tuple(RefundGiven(g["kind"], g["amount_fen"], g["points"], g["member_number"]) for g in given))

"""Sales made offline that the server refused outright, reported by the till so that a manager sees them.

A sale the till kept offline is refused (4xx) when it cannot be taken at all: made "next year" by a till whose clock
was wrong, older than a till stays offline, its key already used for another sale, an amount not possible, a till the
shop does not know. The customer has the goods and the till has the cash, so it is never dropped: the till keeps it
and reports it here with the refusal's code, and a manager settles it by hand (sells it again at a till, refunds the
customer...), writing down what was done. Nothing in the books is written for it: it is a record to act on.

- The report is read leniently: it is a report of something malformed. It must be a JSON object naming the refusal's
  code, at most MAX_REPORT_BYTES (a till's largest sale is far smaller); everything else is kept as sent (the sale
  whole, as JSON), its till, number and time as text as the till had them.
- Exactly once per key, also from two tabs at once or again after a lost answer: the sale's own idempotency key (or,
  when that key is malformed, the sale's hash); a second report of the key answers the first.
- Settling takes a note of what was done (1 to MAX_REASON characters); who and when are kept; it leaves the list.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from shop import sql
from shop.database import as_time, run, writing
from shop.errors import DomainError
from shop.idempotency import check_key, once

from pos.discounts import MAX_REASON
from pos.errors import OfflineError
from pos.tables import OfflineRefusal

MAX_REPORT_BYTES = 64 * 1024  # a sale of the most lines a till allows is about a quarter of it
MAX_PARAMS = 20  # a refusal's parameters kept to say it again (a code names a few)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class RefusalStatus(StrEnum):
    OPEN = "open"  # for a manager to settle
    SETTLED = "settled"  # a manager did something about it, by hand, and said what


@dataclass(frozen=True)
class RefusalReport:
    """A refused sale as the till reported it, read leniently (read_report)."""

    till_code: str
    offline_number: str
    made_at: str  # as the till had it
    key: str  # the sale's idempotency key, or its hash when that key is malformed
    body: str  # the sale whole, as JSON
    code: str  # the refusal's error code
    detail: str  # the refusal in the words the till was given
    params: str  # the refusal's parameters, as JSON


def _text(value: Any, most: int) -> str:
    """A value sent as text, as a line a person can read: no control characters, at most `most` characters."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value)
    text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate ("\ud800" in the JSON) as "?"
    return " ".join(_CONTROL.sub(" ", text).split())[:most]


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_report(raw: bytes) -> RefusalReport:
    """The till's report of a refused sale: {till, offline_number, made_at, idempotency_key, lines, cash_given_fen,
    ... as the sale was sent, code, detail, params}. Too large → REFUSAL_TOO_LARGE; not a JSON object with a code →
    BAD_REFUSAL; anything else is kept as it came."""
    if len(raw) > MAX_REPORT_BYTES:
        raise DomainError(OfflineError.REFUSAL_TOO_LARGE, maximum=MAX_REPORT_BYTES)
    try:
        data = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise DomainError(OfflineError.BAD_REFUSAL) from None
    if not isinstance(data, dict) or not (code := _text(data.pop("code", ""), 64)):
        raise DomainError(OfflineError.BAD_REFUSAL)
    detail = _text(data.pop("detail", ""), 500)
    given = data.pop("params", None)
    params = {_text(name, 64): value if isinstance(value, (int, bool)) else _text(value, 200)
              for name, value in (given.items() if isinstance(given, dict) else ())
              if isinstance(value, (str, int, bool))}
    body = json.dumps(data, sort_keys=True)  # ASCII: whatever the till sent, both engines' JSON takes it
    key = data.get("idempotency_key")
    try:
        key = check_key(key if isinstance(key, str) else "")
    except DomainError:  # perhaps why it was refused: the sale itself names it then
        key = hashlib.sha256(body.encode()).hexdigest()
    return RefusalReport(till_code=_text(data.get("till"), 32), offline_number=_text(data.get("offline_number"), 32),
                         made_at=_text(data.get("made_at"), 64), key=key, body=body, code=code, detail=detail,
                         params=json.dumps(dict(list(params.items())[:MAX_PARAMS]), sort_keys=True))


@dataclass(frozen=True)
class RefusalInfo:
    """A refused sale kept for a manager: what the till sent, why it was refused, and what became of it."""

    id: int
    till_code: str
    offline_number: str
    made_at: str  # as the till had it
    made_at_time: datetime | None  # the same, read as a time with its offset (None when it is not one)
    cashier: str  # who was logged in at the till that reported it
    code: str
    detail: str
    params: dict[str, Any]
    lines: tuple[Any, ...]  # as the till sent them
    total_fen: int | None  # what the till charged: its lines' quantity × price, when they are whole numbers
    cash_given_fen: int | None
    received_at: datetime
    status: str  # RefusalStatus
    decided_by: str  # the manager who settled it, "" while open
    decided_at: datetime | None
    note: str  # what was done, by hand
    replayed: bool = False  # reported before: this is the first report's row


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def charged(lines: Any) -> int | None:
    """What the till charged for `lines` as it sent them, or None when a quantity or a price is not a whole number."""
    if not isinstance(lines, list):
        return None
    total = 0
    for line in lines:
        quantity = _whole(line.get("quantity")) if isinstance(line, dict) else None
        price = _whole(line.get("unit_price_fen")) if isinstance(line, dict) else None
        if quantity is None or price is None:
            return None
        total += quantity * price
    return total


def made_at_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


_SELECT = """
    SELECT r.*, c.display_name AS cashier_name, d.display_name AS decided_by_name
    FROM offline_refusal r JOIN staff c ON c.id = r.cashier LEFT JOIN staff d ON d.id = r.decided_by"""


def _info(row: dict[str, Any]) -> RefusalInfo:
    sale = _json(row["body"])
    sale = sale if isinstance(sale, dict) else {}
    lines = sale.get("lines")
    return RefusalInfo(
        id=row["id"], till_code=row["till_code"], offline_number=row["offline_number"], made_at=row["made_at"],
        made_at_time=made_at_time(row["made_at"]), cashier=row["cashier_name"], code=row["code"],
        detail=row["detail"], params=_json(row["params"]) or {},
        lines=tuple(lines) if isinstance(lines, list) else (), total_fen=charged(lines),
        cash_given_fen=_whole(sale.get("cash_given_fen")), received_at=as_time(row["received_at"]),
        status=row["status"], decided_by=row["decided_by_name"] or "",
        decided_at=as_time(row["decided_at"]) if row["decided_at"] is not None else None, note=row["note"])


async def load_refusal(refusal_id: int, *, shop_id: int) -> RefusalInfo:
    rows = await run(OfflineRefusal._meta.db, _SELECT + " WHERE r.id = $1 AND r.shop = $2", refusal_id, shop_id)
    if not rows:
        raise DomainError(OfflineError.UNKNOWN_OFFLINE_SALE)
    return _info(rows[0])


async def report_refusal(*, shop_id: int, cashier_id: int, report: RefusalReport) -> RefusalInfo:
    """A refused sale kept for a manager, once per key: a second report of the key answers the first (replayed)."""

    async def write() -> RefusalInfo:
        rows = await sql.insert_rows(OfflineRefusal, [dict(
            shop=shop_id, till_code=report.till_code, cashier=cashier_id, idempotency_key=report.key,
            offline_number=report.offline_number, made_at=report.made_at, body=report.body, code=report.code,
            detail=report.detail, params=report.params, received_at=datetime.now(UTC),
            status=RefusalStatus.OPEN.value, decided_by=None, decided_at=None, note="")], returning="id")
        return await load_refusal(rows[0]["id"], shop_id=shop_id)

    # The digest is the key itself: whatever a second report says, the first one stands.
    return await once(write, table=OfflineRefusal, digest_column=OfflineRefusal.idempotency_key, shop_id=shop_id,
                      key=report.key, digest=report.key, first=lambda i: load_refusal(i, shop_id=shop_id),
                      reused=OfflineError.OFFLINE_KEY_REUSED, number=lambda i: report.offline_number)


async def refusals_to_settle(*, shop_id: int) -> list[RefusalInfo]:
    """The refused sales no manager has settled yet, in the order they were reported."""
    rows = await run(OfflineRefusal._meta.db, _SELECT + " WHERE r.shop = $1 AND r.status = $2 ORDER BY r.id",
                     shop_id, RefusalStatus.OPEN.value)
    return [_info(row) for row in rows]


def clean_note(note: str) -> str:
    text = " ".join((note or "").split())
    if not 1 <= len(text) <= MAX_REASON:
        raise DomainError(OfflineError.REFUSAL_NOTE, maximum=MAX_REASON)
    return text


async def settle_refusal(*, shop_id: int, refusal_id: int, manager_id: int, note: str) -> RefusalInfo:
    """A refused sale settled by a manager, with a note of what was done: off the list, who and when kept. The books
    are not touched (what was done, was done with the shop's own operations)."""
    text = clean_note(note)
    db = OfflineRefusal._meta.db
    async with writing(db):
        rows = await run(db, "SELECT id, status, offline_number FROM offline_refusal WHERE id = $1 AND shop = $2"
                         + sql.for_update(db), refusal_id, shop_id)
        if not rows:
            raise DomainError(OfflineError.UNKNOWN_OFFLINE_SALE)
        if rows[0]["status"] != RefusalStatus.OPEN:
            raise DomainError(OfflineError.NOT_TO_SETTLE, number=rows[0]["offline_number"])
        await run(db, "UPDATE offline_refusal SET status = $2, decided_by = $3, decided_at = $4, note = $5 "
                      "WHERE id = $1", refusal_id, RefusalStatus.SETTLED.value, manager_id, datetime.now(UTC), text)
    return await load_refusal(refusal_id, shop_id=shop_id)

"""The ledger's seal: each committed ledger transaction gets a hash chained to the one sealed before it in its shop,
so a transaction or an entry changed at the database (past its triggers), or a seal removed, is found by verify().

Sealed afterwards, not as a transaction is posted: chaining at post() would make every writer of a shop's ledger
(its tills, the love bank, payouts) wait for the one before it to commit. The sealer (`Sealer`, started with the
server) seals what has committed since its last pass, every few seconds, shop by shop in id order. The chain's
order is the order of sealing (a seal's id), not of transaction ids: PostgreSQL hands out an id before its
transaction commits, and one that commits after a larger id was sealed is simply sealed later. Only sealers wait
for each other, one per shop at a time (an advisory lock on PostgreSQL; SQLite has one writer anyway); a sale
never waits for a seal.

A seal's hash = sha256(the previous seal's hash + its transaction and entries, canonically encoded); a shop's first
seal follows "". It shows any change to what was sealed, unless every seal after it was recomputed too; a shop's
chain compared with the one in an older backup shows even that.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime


from shop import sql
from shop.background import Periodic
from shop.database import as_time, fetch_rows, run, writing
from shop.tables import LedgerSeal


GENESIS = ""  # what a shop's first seal follows
BATCH = 500  # transactions sealed in one write transaction: short, so a till's sale on SQLite waits milliseconds
LOOKBACK = 10_000  # a quick pass looks this far below the newest sealed id, for transactions that committed late
PAGE = 5_000  # seals checked at a time by verify


def canonical(txn: Mapping, entries: Sequence[Mapping]) -> bytes:
    """A transaction (id, shop, kind, ref, reverses, staff, created_at) and its entries (id, account, currency, amount;
    in id order) as the bytes its seal hashes: the same on both engines, whatever types a driver hands back."""
    created_at = as_time(txn["created_at"]).astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(
        [txn["id"], txn["shop"], txn["kind"], txn["ref"], txn["reverses"], txn["staff"], created_at,
         [[e["id"], e["account"], e["currency"], int(e["amount"])] for e in entries]],
        ensure_ascii=False, separators=(",", ":")).encode()


def seal_hash(prev_hash: str, txn: Mapping, entries: Sequence[Mapping]) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(txn, entries)).hexdigest()


_UNSEALED = "NOT EXISTS (SELECT 1 FROM ledger_seal s WHERE s.txn = t.id)"


async def seal_pending(*, everything: bool = True) -> int:
    """Seal the committed ledger transactions not sealed yet, each shop's in id order; how many were sealed.

    everything=False is the worker's quick pass: only ids above the newest sealed one less LOOKBACK (a full pass now
    and then finds any older straggler). A shop another sealer is sealing is left to it.
    """
    db = LedgerSeal._meta.db
    floor = 0
    if not everything:
        newest = await fetch_rows(db, "SELECT COALESCE(MAX(txn), 0) AS newest FROM ledger_seal")
        floor = max(int(newest[0]["newest"]) - LOOKBACK, 0)
    sealed = 0
    while True:
        pending = await fetch_rows(db, f"SELECT t.id, t.shop FROM ledger_txn t WHERE t.id > $1 AND {_UNSEALED} "
                                   "ORDER BY t.id LIMIT $2", floor, BATCH)
        by_shop: dict[int, list[int]] = defaultdict(list)
        for row in pending:
            by_shop[row["shop"]].append(row["id"])
        done = 0
        for shop_id, ids in by_shop.items():
            done += await _seal(shop_id, ids)
        sealed += done
        if len(pending) < BATCH or not done:
            return sealed


async def _seal(shop_id: int, ids: list[int]) -> int:
    """Seal these transactions of one shop (those still unsealed), after the shop's newest seal, in one transaction."""
    db = LedgerSeal._meta.db
    async with writing(db):
        if not await sql.try_advisory_lock(db, f"aixin:seal:shop:{shop_id}"):
            return 0
        marks = sql.placeholders(1, len(ids))
        txns = await run(db, "SELECT t.id, t.shop, t.kind, t.ref, t.reverses, t.staff, t.created_at FROM ledger_txn t "
                         f"WHERE t.id IN ({marks}) AND {_UNSEALED} ORDER BY t.id", *ids)
        entries: dict[int, list[dict]] = defaultdict(list)
        for entry in await run(db, "SELECT txn, id, account, currency, amount FROM ledger_entry "
                               f"WHERE txn IN ({marks}) ORDER BY txn, id", *ids):
            entries[entry["txn"]].append(entry)
        last = await run(db, "SELECT hash FROM ledger_seal WHERE shop = $1 ORDER BY id DESC LIMIT 1", shop_id)
        prev = last[0]["hash"] if last else GENESIS
        now = datetime.now(UTC)
        for txn in txns:  # one by one: a seal's id is its place in the chain
            digest = seal_hash(prev, txn, entries[txn["id"]])
            await sql.insert_rows(LedgerSeal, [dict(shop=shop_id, txn=txn["id"], prev_hash=prev, hash=digest,
                                                sealed_at=now)])
            prev = digest
    return len(txns)


async def seal_problems() -> list[str]:
    """Each shop's seals followed from its first: a seal that does not follow the one before it (a seal removed, added
    or moved), a sealed transaction gone, or one whose transaction or entries are not what was sealed."""
    db = LedgerSeal._meta.db
    problems = []
    for shop in await run(db, "SELECT DISTINCT shop FROM ledger_seal ORDER BY shop"):
        shop_id, prev, after = shop["shop"], GENESIS, 0
        while seals := await run(db, """
                SELECT s.id AS seal, s.txn AS sealed, s.prev_hash, s.hash, t.id, t.shop, t.kind, t.ref, t.reverses,
                       t.staff, t.created_at
                FROM ledger_seal s LEFT JOIN ledger_txn t ON t.id = s.txn
                WHERE s.shop = $1 AND s.id > $2 ORDER BY s.id LIMIT $3""", shop_id, after, PAGE):
            entries: dict[int, list[dict]] = defaultdict(list)
            for entry in await run(db, """
                    SELECT e.txn, e.id, e.account, e.currency, e.amount FROM ledger_entry e
                    JOIN ledger_seal s ON s.txn = e.txn WHERE s.shop = $1 AND s.id > $2 AND s.id <= $3
                    ORDER BY e.txn, e.id""", shop_id, after, seals[-1]["seal"]):
                entries[entry["txn"]].append(entry)
            for seal in seals:
                txn = seal["sealed"]
                if seal["prev_hash"] != prev:
                    problems.append(f"shop {shop_id}: the seal of ledger transaction {txn} does not follow the one "
                                    "sealed before it (a seal was removed, added or moved)")
                if seal["id"] is None:
                    problems.append(f"shop {shop_id}: ledger transaction {txn} was sealed and is gone")
                elif seal_hash(seal["prev_hash"], seal, entries[txn]) != seal["hash"]:
                    problems.append(f"shop {shop_id}: ledger transaction {txn} is not as it was sealed (the "
                                    "transaction or its entries were changed)")
                prev = seal["hash"]
            after = seals[-1]["seal"]
    return problems


async def unsealed() -> tuple[int, datetime | None]:
    """How many ledger transactions are not sealed yet, and when the oldest of them was posted."""
    rows = await run(LedgerSeal._meta.db,
                     f"SELECT COUNT(*) AS n, MIN(t.created_at) AS oldest FROM ledger_txn t WHERE {_UNSEALED}")
    oldest = rows[0]["oldest"]
    return int(rows[0]["n"]), as_time(oldest) if oldest is not None else None


class Sealer(Periodic):
    """Seals the ledger while the server runs: a quick pass every `every` seconds, a full one at start and hourly
    (shop/background.py)."""

    name = "aixin-sealer"
    failed = "sealing the ledger failed"

    def __init__(self, *, every: float = 5.0, full_every: float = 3600.0) -> None:
        super().__init__(every=every)
        self.full_every = full_every
        self._full_at: float | None = None

    async def one_pass(self) -> None:
        now = asyncio.get_running_loop().time()
        everything = self._full_at is None or now - self._full_at >= self.full_every
        await seal_pending(everything=everything)
        if everything:
            self._full_at = now

"""Services for points, with vouchers (服务券): "以服务换积分，用积分换服务" — the other half of the love bank's cycle.

A coordinator keeps the menu of services (a haircut, physiotherapy, a meal, a repair), each for a number of points,
given by a member (a volunteer, who earns the points by serving) or by a partner organisation. At the love-bank
desk a member redeems one: their points are HELD — one ledger transaction moves them from their account into the
vouchers' account, VOUCHERS_HELD — and a voucher with its number ("V000123") prints on the desk's receipt printer
(through the print queue, in the redemption's transaction: it never waits for the paper).

A voucher is settled once: delivered (the provider says it was done) — the held points go to the providing member's
account, or, for a partner, out of circulation to POINTS_REDEEMED as points spent at the till do — or cancelled,
its points given back to the member by the reversal of the hold. A second settling of the same voucher is refused
("voucher-settled"), whichever it was: a deliver after a cancel must never pass, so a repeat is not guessed at.
So the vouchers' account always holds exactly the points of the vouchers still held (voucher_problems checks it).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from lovebank.errors import LoveBankError
from lovebank.passbook import _lock_open_members, _refusing_overdraft, member_for_till, points_of
from lovebank.tables import Redemption, ServiceOffer
from shop import ledger, sql
from shop.database import as_time, run, writing
from shop.errors import DomainError
from shop.idempotency import check_key, once

# The points of every voucher still held: a liability, so post() never lets it go below zero.
VOUCHERS_HELD = "liability:lovebank:vouchers:points"
# Ledger transaction kinds: the hold, and the settling (delivered: to the provider or redeemed; cancelled: the
# hold's reversal).
HOLD, DELIVERED, CANCELLED = "voucher-hold", "voucher-delivered", "voucher-cancelled"
MAX_OFFER_POINTS = 100_000  # a service's price in points: more is a typing mistake
_NUMBER = re.compile(r"^V?0*(\d{1,9})$")


def voucher_number(voucher_id: int) -> str:
    """The voucher's number, printed (and as its barcode) on it: "V" and at least six digits."""
    return f"V{voucher_id:06d}"


def voucher_id_of(number: str) -> int | None:
    """A typed or scanned voucher number ("V000123", "v123", "123") as its id; None when it is none."""
    match = _NUMBER.match("".join((number or "").split()).upper())
    return int(match.group(1)) if match else None


def _ref(voucher_id: int) -> str:
    return f"voucher:{voucher_id}"


@dataclass(frozen=True)
class OfferInfo:
    id: int
    name: str
    points: int
    provider_member_id: int | None  # a member provides it (and earns its points) …
    provider_number: str
    provider_name: str
    partner: str  # … or a partner organisation ("" when a member does)
    status: str  # active | withdrawn
    entered_at: datetime


@dataclass(frozen=True)
class VoucherInfo:
    id: int
    number: str
    offer_id: int
    member_id: int  # whose points are held
    member_number: str
    service: str  # the offer as it was redeemed
    points: int
    provider_member_id: int | None
    provider_number: str
    provider_name: str
    partner: str
    status: str  # held | delivered | cancelled
    entered_at: datetime
    settled_at: datetime | None
    replayed: bool = False  # the same request again: the first voucher, nothing written

    @property
    def provider(self) -> str:
        """Who gives the service, as shown and printed: the partner's name, or the member's name and number."""
        return self.partner or " ".join(part for part in (self.provider_name, self.provider_number) if part)


class VoucherPaper(Protocol):
    """What prints a voucher, in the redemption's transaction (pos/paper.py: Paper.print_voucher). Defined here, as
    lovebank may not import pos, which prints it."""

    async def print_voucher(self, voucher: VoucherInfo, *, shop_id: int) -> object: ...


# --- the menu ------------------------------------------------------------------------------------

_OFFER_SELECT = """
    SELECT o.id, o.name, o.points_pts, o.provider_member, m.number AS provider_number, m.name AS provider_name,
           o.partner, o.status, o.entered_at
    FROM service_offer o LEFT JOIN member m ON m.id = o.provider_member"""


def _offer(row: dict) -> OfferInfo:
    return OfferInfo(id=row["id"], name=row["name"], points=row["points_pts"],
                     provider_member_id=row["provider_member"], provider_number=row["provider_number"] or "",
                     provider_name=row["provider_name"] or "", partner=row["partner"], status=row["status"],
                     entered_at=as_time(row["entered_at"]))


async def add_offer(*, shop_id: int, name: str, points: int, staff_id: int, provider_member_id: int | None = None,
                    partner: str = "") -> OfferInfo:
    """A service onto the shop's menu, for `points`, given by exactly one of an open member and a partner."""
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise DomainError(LoveBankError.BAD_OFFER_NAME, maximum=100)
    if not isinstance(points, int) or isinstance(points, bool) or not 1 <= points <= MAX_OFFER_POINTS:
        raise DomainError(LoveBankError.BAD_POINTS, maximum=MAX_OFFER_POINTS)
    partner = " ".join((partner or "").split())
    if (provider_member_id is None) == (not partner) or len(partner) > 100:
        raise DomainError(LoveBankError.OFFER_PROVIDER, maximum=100)
    async with writing(ServiceOffer._meta.db):
        if provider_member_id is not None:
            await _lock_open_members([provider_member_id])
        rows = await ServiceOffer.insert(ServiceOffer(
            shop=shop_id, name=name, points_pts=points, provider_member=provider_member_id, partner=partner,
            status="active", entered_by=staff_id, entered_at=datetime.now(UTC))).returning(ServiceOffer.id)
    return await offer_by_id(shop_id=shop_id, offer_id=rows[0]["id"])


async def offer_by_id(*, shop_id: int, offer_id: int) -> OfferInfo:
    rows = await run(ServiceOffer._meta.db, _OFFER_SELECT + " WHERE o.shop = $1 AND o.id = $2", shop_id, offer_id)
    if not rows:
        raise DomainError(LoveBankError.UNKNOWN_OFFER, offer=offer_id)
    return _offer(rows[0])


async def menu(*, shop_id: int) -> list[OfferInfo]:
    """The shop's active offers, by name."""
    rows = await run(ServiceOffer._meta.db, _OFFER_SELECT + " WHERE o.shop = $1 AND o.status = 'active' "
                     "ORDER BY o.name, o.id LIMIT 500", shop_id)
    return [_offer(row) for row in rows]


async def withdraw_offer(*, shop_id: int, offer_id: int, staff_id: int) -> OfferInfo:
    """The offer off the menu: no new voucher for it; the vouchers made for it stay valid."""
    await offer_by_id(shop_id=shop_id, offer_id=offer_id)
    db = ServiceOffer._meta.db
    async with writing(db):
        claimed = await run(db, "UPDATE service_offer SET status = 'withdrawn', withdrawn_by = $1, withdrawn_at = $2 "
                            "WHERE id = $3 AND shop = $4 AND status = 'active' RETURNING id", staff_id,
                            datetime.now(UTC), offer_id, shop_id)
        if not claimed:
            raise DomainError(LoveBankError.OFFER_WITHDRAWN, offer=offer_id)
    return await offer_by_id(shop_id=shop_id, offer_id=offer_id)


# --- vouchers ------------------------------------------------------------------------------------

_VOUCHER_SELECT = """
    SELECT r.id, r.offer, r.member, m.number AS member_number, r.service, r.points_pts, r.provider_member,
           p.number AS provider_number, p.name AS provider_name, r.partner, r.status, r.entered_at, r.settled_at
    FROM redemption r JOIN member m ON m.id = r.member LEFT JOIN member p ON p.id = r.provider_member"""


def _voucher(row: dict) -> VoucherInfo:
    return VoucherInfo(
        id=row["id"], number=voucher_number(row["id"]), offer_id=row["offer"], member_id=row["member"],
        member_number=row["member_number"], service=row["service"], points=row["points_pts"],
        provider_member_id=row["provider_member"], provider_number=row["provider_number"] or "",
        provider_name=row["provider_name"] or "", partner=row["partner"], status=row["status"],
        entered_at=as_time(row["entered_at"]), settled_at=as_time(row["settled_at"]) if row["settled_at"] else None)


async def voucher_by_id(*, shop_id: int, voucher_id: int) -> VoucherInfo:
    rows = await run(Redemption._meta.db, _VOUCHER_SELECT + " WHERE r.shop = $1 AND r.id = $2", shop_id, voucher_id)
    if not rows:
        raise DomainError(LoveBankError.UNKNOWN_VOUCHER, number=voucher_number(voucher_id))
    return _voucher(rows[0])


async def voucher_by_number(*, shop_id: int, number: str) -> VoucherInfo:
    """A voucher of this shop by its number, typed or scanned."""
    voucher_id = voucher_id_of(number)
    if voucher_id is None:
        raise DomainError(LoveBankError.UNKNOWN_VOUCHER, number=str(number or "")[:16])
    return await voucher_by_id(shop_id=shop_id, voucher_id=voucher_id)


async def vouchers_of(*, member_id: int) -> list[VoucherInfo]:
    """The vouchers a member redeemed or provides, at every shop of the district, newest first."""
    rows = await run(Redemption._meta.db, _VOUCHER_SELECT + " WHERE r.member = $1 OR r.provider_member = $1 "
                     "ORDER BY r.id DESC LIMIT 500", member_id)
    return [_voucher(row) for row in rows]


async def held_vouchers(*, shop_id: int) -> list[VoucherInfo]:
    """The shop's vouchers still waiting to be delivered or cancelled, oldest first."""
    rows = await run(Redemption._meta.db, _VOUCHER_SELECT + " WHERE r.shop = $1 AND r.status = 'held' "
                     "ORDER BY r.id LIMIT 500", shop_id)
    return [_voucher(row) for row in rows]


def _digest(offer_id: int, member_id: int) -> str:
    return hashlib.sha256(f"{offer_id}:{member_id}".encode()).hexdigest()


async def redeem(*, shop_id: int, offer_id: int, member: str, idempotency_key: str, staff_id: int,
                 paper: VoucherPaper | None = None) -> VoucherInfo:
    """A member (their number or card code, `member`) redeems an offer of the menu: its points move from their
    account to VOUCHERS_HELD and a voucher is made, printed by `paper` in the same transaction.

    Refused, nothing written, when they hold too few points ("not-enough-points"), their account is closed, the offer
    is withdrawn, or they provide it themselves. The same key again gives back the same voucher and writes (and
    prints) nothing; the same key for another offer or member is refused ("voucher-key-reused").
    """
    check_key(idempotency_key)
    holder = await member_for_till(code=member)
    offer = await offer_by_id(shop_id=shop_id, offer_id=offer_id)
    db = Redemption._meta.db

    async def write() -> VoucherInfo:
        rows = await run(db, f"SELECT status FROM service_offer WHERE id = $1{sql.for_share(db)}", offer_id)
        if rows[0]["status"] != "active":
            raise DomainError(LoveBankError.OFFER_WITHDRAWN, offer=offer_id)
        if offer.provider_member_id == holder.id:
            raise DomainError(LoveBankError.OWN_OFFER, number=holder.number)
        numbers = await _lock_open_members([holder.id])
        held = await points_of(holder.id)
        if held < offer.points:
            raise DomainError(LoveBankError.NOT_ENOUGH_POINTS, number=numbers[holder.id], points=held,
                              asked=offer.points)
        inserted = await Redemption.insert(Redemption(
            shop=shop_id, offer=offer_id, member=holder.id, service=offer.name, points_pts=offer.points,
            provider_member=offer.provider_member_id, partner=offer.partner, status="held",
            idempotency_key=idempotency_key, request_digest=_digest(offer_id, holder.id), entered_by=staff_id,
            entered_at=datetime.now(UTC))).returning(Redemption.id)
        voucher_id = inserted[0]["id"]
        txn_id = await ledger.post(ledger.Txn(kind=HOLD, ref=_ref(voucher_id), entries=(
            ledger.Entry(ledger.member_points(holder.id), ledger.Currency.PTS, offer.points),
            ledger.Entry(VOUCHERS_HELD, ledger.Currency.PTS, -offer.points),
        )), shop_id=shop_id, staff_id=staff_id)
        await run(db, "UPDATE redemption SET held_txn = $1 WHERE id = $2", txn_id, voucher_id)
        voucher = await voucher_by_id(shop_id=shop_id, voucher_id=voucher_id)
        if paper is not None:
            await paper.print_voucher(voucher, shop_id=shop_id)
        return voucher

    async with _refusing_overdraft(holder.id, offer.points):  # a till spending the same points at that moment
        return await once(write, table=Redemption, digest_column=Redemption.request_digest, shop_id=shop_id,
                          key=idempotency_key, digest=_digest(offer_id, holder.id),
                          first=lambda i: voucher_by_id(shop_id=shop_id, voucher_id=i),
                          reused=LoveBankError.VOUCHER_KEY_REUSED, number=voucher_number)


async def deliver(*, shop_id: int, number: str, staff_id: int) -> VoucherInfo:
    """The provider did the service (a coordinator enters it, perhaps scanning the voucher): the held points go to
    the providing member's account (refused while it is closed: the voucher may be cancelled instead), or, for a
    partner, out of circulation (POINTS_REDEEMED, as at the till)."""
    return await _settle(shop_id=shop_id, number=number, staff_id=staff_id, status="delivered")


async def cancel(*, shop_id: int, number: str, staff_id: int) -> VoucherInfo:
    """The service will not be given: the held points go back to the member (refused while their account is closed)
    by the reversal of the hold."""
    return await _settle(shop_id=shop_id, number=number, staff_id=staff_id, status="cancelled")


async def _settle(*, shop_id: int, number: str, staff_id: int, status: str) -> VoucherInfo:
    voucher = await voucher_by_number(shop_id=shop_id, number=number)
    db = Redemption._meta.db
    async with writing(db):
        rows = await run(db, f"SELECT status, held_txn FROM redemption WHERE id = $1{sql.for_no_key_update(db)}",
                         voucher.id)
        if rows[0]["status"] != "held":
            raise DomainError(LoveBankError.VOUCHER_SETTLED, number=voucher.number)
        points, held_txn = voucher.points, rows[0]["held_txn"]
        if status == "cancelled":
            await _lock_open_members([voucher.member_id])
            txn = ledger.Txn(kind=CANCELLED, ref=_ref(voucher.id), reverses=held_txn, entries=(
                ledger.Entry(VOUCHERS_HELD, ledger.Currency.PTS, points),
                ledger.Entry(ledger.member_points(voucher.member_id), ledger.Currency.PTS, -points)))
        else:
            if voucher.provider_member_id is not None:
                await _lock_open_members([voucher.provider_member_id])
                receiver = ledger.member_points(voucher.provider_member_id)
            else:
                receiver = ledger.POINTS_REDEEMED
            txn = ledger.Txn(kind=DELIVERED, ref=_ref(voucher.id), entries=(
                ledger.Entry(VOUCHERS_HELD, ledger.Currency.PTS, points),
                ledger.Entry(receiver, ledger.Currency.PTS, -points)))
        txn_id = await ledger.post(txn, shop_id=shop_id, staff_id=staff_id)
        await run(db, "UPDATE redemption SET status = $1, settled_txn = $2, settled_by = $3, settled_at = $4 "
                  "WHERE id = $5", status, txn_id, staff_id, datetime.now(UTC), voucher.id)
    return await voucher_by_id(shop_id=shop_id, voucher_id=voucher.id)


async def vouchers_held_points() -> int:
    """The points the vouchers' account holds now (all vouchers still held, in every shop)."""
    return -await ledger.balance(VOUCHERS_HELD, ledger.Currency.PTS)


# --- the books' checks (verify() reports them) ---------------------------------------------------

_CHECKS = {
    "points in the vouchers' account differ from the points of the vouchers held": f"""
        SELECT 'account ' || CAST(account AS TEXT) || ', vouchers ' || CAST(vouchers AS TEXT) AS what
        FROM (SELECT COALESCE((SELECT -SUM(amount) FROM ledger_entry
                               WHERE account = '{VOUCHERS_HELD}' AND currency = 'PTS'), 0) AS account,
                     COALESCE((SELECT SUM(points_pts) FROM redemption WHERE status = 'held'), 0) AS vouchers) AS held
        WHERE account <> vouchers""",
    "voucher without its ledger transaction holding its points": f"""
        SELECT r.id AS what FROM redemption r
        WHERE r.points_pts <> COALESCE((
            SELECT -SUM(e.amount) FROM ledger_entry e JOIN ledger_txn x ON x.id = e.txn
            WHERE e.txn = r.held_txn AND x.kind = '{HOLD}' AND x.ref = 'voucher:' || CAST(r.id AS TEXT)
              AND x.shop = r.shop AND e.currency = 'PTS' AND e.account = '{VOUCHERS_HELD}'), -1)
           OR r.points_pts <> COALESCE((
            SELECT SUM(e.amount) FROM ledger_entry e
            WHERE e.txn = r.held_txn AND e.currency = 'PTS'
              AND e.account = 'liability:member:' || CAST(r.member AS TEXT) || ':points'), -1)""",
    "delivered or cancelled voucher without its ledger transaction": f"""
        SELECT r.id AS what FROM redemption r
        WHERE r.status <> 'held' AND r.points_pts <> COALESCE((
            SELECT -SUM(e.amount) FROM ledger_entry e JOIN ledger_txn x ON x.id = e.txn
            WHERE e.txn = r.settled_txn AND x.ref = 'voucher:' || CAST(r.id AS TEXT) AND e.currency = 'PTS'
              AND ((r.status = 'delivered' AND x.kind = '{DELIVERED}' AND e.account = CASE
                      WHEN r.provider_member IS NULL THEN '{ledger.POINTS_REDEEMED}'
                      ELSE 'liability:member:' || CAST(r.provider_member AS TEXT) || ':points' END)
                OR (r.status = 'cancelled' AND x.kind = '{CANCELLED}' AND x.reverses = r.held_txn
                    AND e.account = 'liability:member:' || CAST(r.member AS TEXT) || ':points'))), -1)""",
    "held voucher with a settling transaction": f"""
        SELECT r.id AS what FROM redemption r
        WHERE r.status = 'held' AND (r.settled_txn IS NOT NULL OR EXISTS (
            SELECT 1 FROM ledger_txn x WHERE x.kind IN ('{DELIVERED}', '{CANCELLED}')
              AND x.ref = 'voucher:' || CAST(r.id AS TEXT)))""",
}


# The triggers that keep a voucher as it was made (lovebank's migration 2026-12-07T10), on each engine; checked here,
# beside the vouchers' other rules, as pos/verify.py checks those of the records listed there.
_TRIGGERS = {"sqlite": ("redemption_no_update", "redemption_no_delete"),
             "postgres": ("redemption_no_update", "redemption_no_delete", "redemption_no_truncate")}


async def voucher_problems() -> list[str]:
    """What is wrong with the vouchers' books (an empty list when all holds), their triggers included."""
    db = Redemption._meta.db
    problems = []
    for problem, statement in _CHECKS.items():
        for row in await run(db, statement):
            problems.append(f"{problem}: {row['what']}")
    found = {row["name"]: row for row in await sql.triggers(db) if row["tbl"] == "redemption"}
    for name in _TRIGGERS[sql.dialect(db)]:
        if (trigger := found.get(name)) is None:
            problems.append(f"redemption: the trigger {name} is missing, so its rows can be changed")
        elif trigger["enabled"] not in ("O", "A"):
            problems.append(f"redemption: the trigger {name} is disabled, so its rows can be changed")
        elif not sql.refuses(db, trigger["body"]):
            problems.append(f"redemption: the trigger {name} no longer refuses anything")
    return problems

"""Fulfilling a wish on the wall (微心愿): what the love bank's wish needs from stock, the fund, donations and the
passbook, put together here, the one package that may import them all (lovebank/wishes.py keeps the wall).

Three ways, each one transaction with the wish marked fulfilled, so a repeated fulfil is refused (the wish is no
longer claimed) and nothing is written twice:

- Goods from stock: each piece leaves stock by a "wish" movement, and the community fund pays for the goods at their
  shelf price (the catalogue's, without the rotation's markdown: what the goods are worth, not a clearance
  price). The books model it as goods leaving for value do at a sale: one ledger transaction (kind "wish") debits
  the fund by the goods' value, so its cash (pos/fund.py fund_balance) drops by exactly that, and credits what a
  sale's value credits, by the rule in force at a sale (pos/split.py): a consigned item's maker their share
  (owed to them as at a sale), the rest the shop's running costs. The fund does not take its own share back: it
  is the buyer here. Never more than the fund holds (one fund payment of a shop at a time, as pos/fund.py's).
- The claiming donor's own goods: recorded as a donation from that donor (donations/intake.py, with its items and
  their intake movements), given straight to the household: its accepted pieces enter stock and leave at once by a
  "wish" movement, so the books show the gift came in and went out, and no till can sell it. Or a donation just
  recorded at the intake desk, by its id: the same, for its pieces. No money moves.
- Service: a pending service record in the claiming member's passbook (lovebank/passbook.py record_service),
  approved later by another coordinator like any other service.

wish_problems() is verify()'s check of the wishes in the books.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

from donations.donors import donor_by_id
from donations.intake import GivenItem, goods_shop_of, load_donation, register_donation
from donations.makers import consignments
from donations.tables import DonatedItem
from inventory.barcodes import normalize_barcode
from inventory.catalogue import items_by_barcode
from inventory.errors import InventoryError
from inventory.stock import Movement, MovementKind, on_hand, record_movements
from lovebank import wishes
from lovebank.errors import LoveBankError
from lovebank.passbook import record_service
from lovebank.tables import Wish, WishGoods
from lovebank.wishes import WishInfo
from shop import ledger, sql
from shop.database import run, writing
from shop.errors import DomainError
from shop.settings import ServiceType

from pos.fund import fund_balance
from pos.split import SplitRule, rule_in_force, split_value
from pos.tender import household_ref

WISH = "wish"  # the ledger transaction's kind: the fund pays for goods given from stock
MAX_PIECES = 50  # pieces given for one wish: more is a scanning mistake


async def post_wish(*, shop_id: int, household: str, text: str, kind: str, staff_id: int) -> WishInfo:
    """A household's wish on the wall, its reference checked as the till checks the fund's household payments."""
    return await wishes.post_wish(shop_id=shop_id, household_ref=household_ref(household), text=text, kind=kind,
                                  staff_id=staff_id)


async def claim_wish(*, shop_id: int, wish_id: int, staff_id: int, member_code: str | None = None,
                     donor_id: int | None = None) -> WishInfo:
    """A member (card code or number) or a donor registered at this shop claims the wish."""
    if donor_id is not None and not (member_code or "").strip():
        await donor_by_id(shop_id=shop_id, donor_id=donor_id)  # "unknown-donor" otherwise
    return await wishes.claim_wish(shop_id=shop_id, wish_id=wish_id, staff_id=staff_id, member_code=member_code,
                                   donor_id=donor_id)


def _goods_wish(wish: WishInfo) -> None:
    if wish.kind != "goods":
        raise DomainError(LoveBankError.WISH_WRONG_WAY, number=wish.number)


async def fulfil_from_stock(*, shop_id: int, wish_id: int, barcodes: Sequence[str], staff_id: int,
                            source_rules: Mapping[str, SplitRule]) -> WishInfo:
    """Give the household goods from the shelf, paid for by the community fund. `barcodes` lists each piece (a code
    twice: two pieces). Unknown, withdrawn or sold-out goods are refused, and nothing is written."""
    if not barcodes or len(barcodes) > MAX_PIECES:
        raise DomainError(LoveBankError.WISH_NO_GOODS, maximum=MAX_PIECES)
    pieces = Counter(normalize_barcode(str(code)) for code in barcodes)
    db = Wish._meta.db
    async with writing(db):
        wish = await wishes.claimed_wish(shop_id=shop_id, wish_id=wish_id)
        _goods_wish(wish)
        found = await items_by_barcode(shop_id=shop_id, barcodes=list(pieces))  # locked until the commit
        for code, quantity in pieces.items():
            item = found.get(code)
            if item is None:
                raise DomainError(InventoryError.UNKNOWN_BARCODE, barcode=code)
            if not item.active:
                raise DomainError(InventoryError.ITEM_WITHDRAWN, barcode=code, name=item.name)
            if item.on_hand < quantity:  # the shelf may be the truth at a sale, but a gift is counted out
                raise DomainError(LoveBankError.WISH_OUT_OF_STOCK, barcode=code, name=item.name,
                                  on_hand=max(0, item.on_hand))
        makers = await consignments([found[code].id for code in pieces])
        lines = []
        for code, quantity in pieces.items():
            item, consigned = found[code], makers.get(found[code].id)
            rule = rule_in_force(source_rule=source_rules[item.source], category_fund=item.fund_percent,
                                 category_maker=item.maker_percent, has_maker=consigned is not None,
                                 maker_fund=consigned.fund_percent if consigned else None,
                                 maker_maker=consigned.maker_percent if consigned else None)
            value = item.price_fen * quantity
            maker_fen = split_value(value, rule).maker_fen
            lines.append(dict(wish=wish_id, item=item.id, barcode=code, name=item.name, quantity=quantity,
                              value_fen=value, maker=consigned.maker_id if consigned else None, maker_fen=maker_fen,
                              running_fen=value - maker_fen))
        value = sum(line["value_fen"] for line in lines)
        await sql.advisory_lock(db, f"{ledger.FUND}:{shop_id}")  # the fund's payments, one at a time (pos/fund.py)
        held = (await fund_balance(shop_id=shop_id)).cash_fen
        if value > held:
            raise DomainError(LoveBankError.WISH_FUND_SHORT, amount=value, balance=held)
        per_maker: dict[int, int] = defaultdict(int)
        for line in lines:
            if line["maker"] is not None:
                per_maker[line["maker"]] += line["maker_fen"]
        txn_id = await ledger.post(ledger.Txn(kind=WISH, ref=wish.number, entries=(
            ledger.Entry(ledger.FUND, ledger.Currency.CNY, value),
            *(ledger.Entry(ledger.maker_payable(m), ledger.Currency.CNY, -fen) for m, fen in sorted(per_maker.items())),
            ledger.Entry(ledger.RUNNING_COSTS, ledger.Currency.CNY, -sum(line["running_fen"] for line in lines)),
        )), shop_id=shop_id, staff_id=staff_id)
        await sql.insert_rows(WishGoods, lines)
        await record_movements(shop_id=shop_id, staff_id=staff_id, items_locked=True, movements=[
            Movement(line["item"], -line["quantity"], MovementKind.WISH, reason=wish.household_ref, ref=wish.number)
            for line in lines])
        await wishes.mark_fulfilled(wish_id=wish_id, how="stock", staff_id=staff_id, value_fen=value,
                                    ledger_txn=txn_id)
    return await wishes.wish_by_id(shop_id=shop_id, wish_id=wish_id)


async def fulfil_with_donation(*, shop_id: int, wish_id: int, staff_id: int, today: date,
                               items: Sequence[GivenItem] = (), donation_id: int | None = None) -> WishInfo:
    """The claiming donor's own goods, given to the household: `items` recorded now as their donation, or the
    donation `donation_id` they just made at the intake desk. Its pieces go in and straight out ("wish")."""
    if bool(items) == (donation_id is not None):
        raise DomainError(LoveBankError.WISH_NO_GOODS, maximum=MAX_PIECES)
    db = Wish._meta.db
    async with writing(db):
        wish = await wishes.claimed_wish(shop_id=shop_id, wish_id=wish_id)
        _goods_wish(wish)
        if wish.donor_id is None:  # a member claimed it: their goods are not a donor's gift
            raise DomainError(LoveBankError.WISH_WRONG_WAY, number=wish.number)
        if donation_id is None:
            donation = await register_donation(shop_id=shop_id, volunteer_id=staff_id, donor_id=wish.donor_id,
                                               items=items, idempotency_key=f"wish-{wish.number}", today=today)
        else:
            donation = await load_donation(donation_id, shop_id=shop_id)
            used = await Wish.exists().where(Wish.donation == donation_id)
            if donation.donor_id != wish.donor_id or used:
                raise DomainError(LoveBankError.WISH_NOT_THEIR_DONATION, number=donation.number, wish=wish.number)
        given = await DonatedItem.select(
            DonatedItem.item, DonatedItem.quantity, DonatedItem.description,
            DonatedItem.item.barcode.as_alias("barcode")).where(
            (DonatedItem.donation == donation.id) & DonatedItem.item.is_not_null()).order_by(DonatedItem.id)
        if not given:  # every piece refused at the door: nothing to give
            raise DomainError(LoveBankError.WISH_NO_GOODS, maximum=MAX_PIECES)
        await record_movements(shop_id=await goods_shop_of(shop_id), staff_id=staff_id, movements=[
            Movement(row["item"], -row["quantity"], MovementKind.WISH, reason=donation.number, ref=wish.number)
            for row in given])
        left = await on_hand([row["item"] for row in given])
        for row in given:  # a piece of an earlier gift already sold is not there to give
            if left[row["item"]] < 0:
                raise DomainError(LoveBankError.WISH_OUT_OF_STOCK, barcode=row["barcode"], name=row["description"],
                                  on_hand=left[row["item"]] + row["quantity"])
        await wishes.mark_fulfilled(wish_id=wish_id, how="donation", staff_id=staff_id, donation_id=donation.id)
    return await wishes.wish_by_id(shop_id=shop_id, wish_id=wish_id)


async def fulfil_with_service(*, shop_id: int, wish_id: int, staff_id: int, half_hours: int, witness: str,
                              served_on: date, start_time: str, place: str, today: date,
                              types: Sequence[ServiceType], max_hours: int, service_type: str = "") -> WishInfo:
    """The claiming member's service for the household, into their passbook as a pending service record (another
    coordinator approves it into points, as any service). Its content is the wish's number and text; its type the
    one given, else the first of config.toml's."""
    db = Wish._meta.db
    async with writing(db):
        wish = await wishes.claimed_wish(shop_id=shop_id, wish_id=wish_id)
        if wish.kind != "service" or wish.member_id is None:
            raise DomainError(LoveBankError.WISH_WRONG_WAY, number=wish.number)
        record = await record_service(
            shop_id=shop_id, member_id=wish.member_id, served_on=served_on, start_time=start_time, place=place,
            content=f"{wish.number} {wish.text}"[:200], service_type=service_type or (types[0].code if types else ""),
            half_hours=half_hours, witness=witness, staff_id=staff_id, today=today, types=types, max_hours=max_hours)
        await wishes.mark_fulfilled(wish_id=wish_id, how="service", staff_id=staff_id, service_id=record.id)
    return await wishes.wish_by_id(shop_id=shop_id, wish_id=wish_id)


# --- the books' checks (verify() reports them) ---------------------------------------------------

_NUMBER = "'W' || SUBSTR('000000' || CAST({id} AS TEXT), LENGTH(CAST({id} AS TEXT)) + 1)"

_CHECKS = {
    "wish fulfilled from stock whose goods are not its value": """
        SELECT w.id AS what FROM wish w WHERE w.fulfilled_how = 'stock' AND (w.value_fen <= 0
            OR w.value_fen <> COALESCE((SELECT SUM(g.value_fen) FROM wish_goods g WHERE g.wish = w.id), 0))""",
    "wish goods whose maker's and running costs' parts are not their value": """
        SELECT g.id AS what FROM wish_goods g WHERE g.maker_fen + g.running_fen <> g.value_fen OR g.quantity <= 0
            OR g.maker_fen < 0 OR g.running_fen < 0 OR (g.maker IS NULL AND g.maker_fen <> 0)""",
    "wish fulfilled from stock without the fund's payment of its value in the ledger": f"""
        SELECT w.id AS what FROM wish w WHERE w.fulfilled_how = 'stock' AND w.value_fen <> COALESCE((
            SELECT SUM(e.amount) FROM ledger_entry e JOIN ledger_txn x ON x.id = e.txn
            WHERE e.txn = w.ledger_txn AND x.kind = 'wish' AND x.ref = {_NUMBER.format(id='w.id')}
              AND x.shop = w.shop AND e.account = 'liability:fund:community' AND e.currency = 'CNY'), -1)""",
    "wish whose ledger transaction credits makers or running costs other than its goods' parts": """
        SELECT w.id AS what FROM wish w WHERE w.fulfilled_how = 'stock' AND (
            COALESCE((SELECT SUM(g.maker_fen) FROM wish_goods g WHERE g.wish = w.id), 0) <> COALESCE((
                SELECT -SUM(e.amount) FROM ledger_entry e WHERE e.txn = w.ledger_txn
                  AND e.account LIKE 'liability:maker:%' AND e.currency = 'CNY'), 0)
            OR COALESCE((SELECT SUM(g.running_fen) FROM wish_goods g WHERE g.wish = w.id), 0) <> COALESCE((
                SELECT -SUM(e.amount) FROM ledger_entry e WHERE e.txn = w.ledger_txn
                  AND e.account = 'income:shop:running-costs' AND e.currency = 'CNY'), 0))""",
    "wish goods owed to a maker not in the wish's ledger transaction": """
        SELECT g.id AS what FROM wish_goods g JOIN wish w ON w.id = g.wish WHERE g.maker_fen > 0 AND NOT EXISTS (
            SELECT 1 FROM ledger_entry e WHERE e.txn = w.ledger_txn
              AND e.account = 'liability:maker:' || CAST(g.maker AS TEXT) AND e.currency = 'CNY')""",
    "ledger transaction of a wish that no fulfilled wish names": """
        SELECT x.id AS what FROM ledger_txn x WHERE x.kind = 'wish'
          AND NOT EXISTS (SELECT 1 FROM wish w WHERE w.ledger_txn = x.id AND w.fulfilled_how = 'stock')""",
    "wish's stock movements differ from the goods it gave": f"""
        WITH given AS (
            SELECT {_NUMBER.format(id='g.wish')} AS ref, g.item, SUM(g.quantity) AS quantity
            FROM wish_goods g GROUP BY g.wish, g.item
            UNION ALL
            SELECT {_NUMBER.format(id='w.id')} AS ref, i.item, SUM(i.quantity) AS quantity
            FROM wish w JOIN donated_item i ON i.donation = w.donation
            WHERE w.fulfilled_how = 'donation' AND i.item IS NOT NULL GROUP BY w.id, i.item),
        moved AS (SELECT ref, item, -SUM(quantity) AS quantity FROM stock_movement WHERE kind = 'wish'
                  GROUP BY ref, item)
        SELECT g.ref || ' item ' || CAST(g.item AS TEXT) AS what FROM given g
          LEFT JOIN moved m ON m.ref = g.ref AND m.item = g.item WHERE COALESCE(m.quantity, 0) <> g.quantity
        UNION ALL
        SELECT m.ref || ' item ' || CAST(m.item AS TEXT) AS what FROM moved m
          WHERE NOT EXISTS (SELECT 1 FROM given g WHERE g.ref = m.ref AND g.item = m.item)""",
    "wish whose status does not follow its steps (posted, claimed, fulfilled, thanked; or withdrawn)": """
        SELECT w.id AS what FROM wish w WHERE w.status NOT IN ('posted', 'claimed', 'fulfilled', 'thanked', 'withdrawn')
           OR w.kind NOT IN ('goods', 'service')
           OR (w.status IN ('posted', 'withdrawn') AND (w.claimed_at IS NOT NULL OR w.member IS NOT NULL
                                                       OR w.donor IS NOT NULL))
           OR (w.status <> 'posted' AND w.status <> 'withdrawn' AND (w.claimed_at IS NULL
               OR (w.member IS NULL) = (w.donor IS NULL)))
           OR ((w.status IN ('posted', 'claimed', 'withdrawn')) <> (w.fulfilled_at IS NULL))
           OR ((w.status IN ('posted', 'claimed', 'withdrawn')) <> (w.fulfilled_how = ''))
           OR ((w.status = 'thanked') <> (w.thanked_at IS NOT NULL))
           OR ((w.status = 'withdrawn') <> (w.withdrawn_at IS NOT NULL))
           OR w.claimed_at < w.posted_at OR w.fulfilled_at < w.claimed_at OR w.thanked_at < w.fulfilled_at""",
    "wish fulfilled by what its way of fulfilling does not record": """
        SELECT w.id AS what FROM wish w WHERE w.fulfilled_how <> '' AND NOT (
            (w.fulfilled_how = 'stock' AND w.kind = 'goods' AND w.ledger_txn IS NOT NULL AND w.donation IS NULL
             AND w.service IS NULL)
            OR (w.fulfilled_how = 'donation' AND w.kind = 'goods' AND w.donation IS NOT NULL AND w.ledger_txn IS NULL
                AND w.service IS NULL AND w.value_fen = 0)
            OR (w.fulfilled_how = 'service' AND w.kind = 'service' AND w.service IS NOT NULL
                AND w.ledger_txn IS NULL AND w.donation IS NULL AND w.value_fen = 0))""",
    "wish fulfilled by another donor's gift, or by service in another member's passbook": """
        SELECT w.id AS what FROM wish w LEFT JOIN donation d ON d.id = w.donation
          LEFT JOIN service_record r ON r.id = w.service
        WHERE (w.donation IS NOT NULL AND (d.id IS NULL OR COALESCE(d.donor, -1) <> COALESCE(w.donor, -2)))
           OR (w.service IS NOT NULL AND COALESCE(r.member, -1) <> COALESCE(w.member, -2))""",
}


# The triggers lovebank's migration 2026-12-07T11 made to keep wishes moving forward and their goods append-only.
_GUARDS = {"sqlite": ("wish_no_update", "wish_no_delete", "wish_goods_no_update", "wish_goods_no_delete"),
           "postgres": ("wish_no_update", "wish_no_delete", "wish_no_truncate", "wish_goods_append_only",
                        "wish_goods_no_truncate")}


async def wish_problems() -> list[str]:
    """What is wrong with the wishes in the books (an empty list when all holds), and each of their guarding
    triggers that is missing, disabled or refuses nothing."""
    db = Wish._meta.db
    problems = [f"{problem}: {row['what']}" for problem, statement in _CHECKS.items()
                for row in await run(db, statement)]
    found = {row["name"]: row for row in await sql.triggers(db) if row["tbl"] in ("wish", "wish_goods")}
    for name in _GUARDS[sql.dialect(db)]:
        trigger = found.get(name)
        if trigger is None or trigger["enabled"] not in ("O", "A") or not sql.refuses(db, trigger["body"]):
            problems.append(f"wish trigger missing, disabled or refusing nothing, so wishes can be changed: {name}")
    return problems

"""Checkout: commit_sale() is the one writer of a sale.

A sale is committed whole or not at all, in one transaction: the sale, its lines (each a
snapshot with the split applied), the tender, the stock movements and the ledger
transaction. The till sends an idempotency key with every submit: the same key again
returns the first sale and writes nothing; the same key with a different cart is refused
(shop/idempotency.py). quote_cart() prices a cart for the till's screen with the sale's own
pricing (price_cart), under the shop's TillRules, and writes nothing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

from lovebank.passbook import fund_points, member_for_till, points_of
from donations.makers import consignments
from inventory.barcodes import normalize_barcode
from inventory.catalogue import SellableItem, check_quantity, items_by_barcode, price_now
from inventory.errors import InventoryError
from inventory.rotation import Rotation
from inventory.stock import Movement, MovementKind, record_movements
from shop import ledger, sql
from shop.database import run
from shop.errors import DomainError
from shop.idempotency import check_key, once
from shop.settings import Settings, SplitSettings
from shop.staff import check_manager_pin

from pos.numbers import sale_number
from pos.discounts import (
    LineOverride, LineToPrice, OverrideMade, PricedLine, SaleDiscount, needs_manager, price_lines,
)
from pos.errors import SaleError
from pos.sessions import open_session_of
from pos.split import SplitRule, rule_in_force, split_value
from pos.tables import Override, Sale, SaleLine, Tender
from pos.tender import PointsIn, check_payer, household_ref, most_points, points_payment

MAX_LINES = 200
MAX_SALE_FEN = 100_000_000  # ¥1,000,000.00: a sale beyond this is a typing mistake


@dataclass(frozen=True)
class TillRules:
    """The shop's rules at the till, as its settings (config.toml) give them: built once by whoever runs the till
    and passed whole to quote_cart and commit_sale."""

    split: Mapping[str, SplitRule]  # by the goods' source: [split.donated], [split.handicraft], [split.purchased]
    rotation: Rotation  # the markdowns of ageing stock ([rotation])
    fen_per_point: int  # what a love-bank point pays ([points])
    override_limit_percent: int  # an override taking more off than this needs a manager's PIN ([till])

    @classmethod
    def of(cls, settings: Settings, *, rotation: Rotation) -> TillRules:
        """The till's rules from the shop's settings; `rotation` is [rotation] as the shop runs it."""
        return cls(split=source_rules(settings.split), rotation=rotation,
                   fen_per_point=settings.points.fen_per_point,
                   override_limit_percent=settings.till.override_limit_percent)


@dataclass(frozen=True)
class CartLine:
    barcode: str
    quantity: int
    override: LineOverride | None = None  # a price override or discount on this line (pos/discounts.py)


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
    discount_fen: int = 0  # its discounts (its own and its share of the sale's): value = unit price × quantity − this


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
    # The points tender, if any: points × fen_per_point paid points_fen of the total; cash paid the rest.
    points: int = 0
    points_fen: int = 0
    member_id: int | None = None
    member_number: str = ""
    household_ref: str = ""  # the fund paid the points, for this household
    points_left: int | None = None  # the payer's points after the sale

    @property
    def cash_fen(self) -> int:
        """What the sale took in cash (the total less what points paid)."""
        return self.total_fen - self.points_fen

    @property
    def discount_fen(self) -> int:
        return sum(line.discount_fen for line in self.lines)


class SalePaper(Protocol):
    """What is printed with a sale, in its transaction (pos/paper.py: TillPaper, the till's receipt)."""

    async def print_sale(self, sale: SaleRecord) -> object: ...


def source_rules(split: SplitSettings) -> dict[str, SplitRule]:
    return {source: SplitRule(shares.fund, shares.maker)
            for source, shares in ((s, getattr(split, s)) for s in SplitSettings.__struct_fields__)}


def merge_lines(lines: Sequence[CartLine]) -> list[CartLine]:
    """Codes checked and normalized; the same code twice becomes one line with both quantities."""
    if not lines:
        raise DomainError(SaleError.EMPTY_CART)
    if len(lines) > MAX_LINES:
        raise DomainError(SaleError.TOO_MANY_LINES, maximum=MAX_LINES)
    merged: dict[tuple[str, LineOverride | None], int] = {}
    for line in lines:
        key = (normalize_barcode(line.barcode), line.override)
        merged[key] = merged.get(key, 0) + check_quantity(line.quantity)
    return [CartLine(code, check_quantity(quantity), override) for (code, override), quantity in merged.items()]


def cart_digest(*, till_id: int, lines: Sequence[CartLine], cash_given_fen: int, points: PointsIn | None = None,
                sale_discount: SaleDiscount | None = None) -> str:
    """What a submit asks for (the cart, its overrides and the tender), so a key reused for another sale is refused."""
    text = f"{till_id}|{cash_given_fen}|" + ";".join(
        f"{l.barcode}x{l.quantity}" + (f"@{l.override!r}" if l.override else "")
        for l in sorted(lines, key=lambda l: (l.barcode, repr(l.override))))
    if points is not None:
        text += f"|points:{points!r}"
    if sale_discount is not None:
        text += f"|discount:{sale_discount!r}"
    return hashlib.sha256(text.encode()).hexdigest()


def _check_amount(fen: int) -> int:
    if not isinstance(fen, int) or isinstance(fen, bool) or not 0 <= fen <= MAX_SALE_FEN:
        raise DomainError(SaleError.BAD_AMOUNT, amount=fen, maximum=MAX_SALE_FEN)
    return fen


@dataclass(frozen=True)
class OfflineTerms:
    """A sale made while its till could not reach the server, written when it arrives (pos/offline.py): in the
    session it was made in, from the catalogue prices of its time; withdrawn goods sell too, and its prices need no
    manager's PIN (they are logged, and a manager settles them); its cash is booked where it is now."""

    session_id: int
    list_prices: Mapping[str, int]  # each code's catalogue price when the sale was made
    cash_account: str  # the till's drawer while that session is open; over/short once its drawer was counted
    # The split of the time the sale was made where a manager changed it since (fund and maker percents; None: not
    # set): a category's own split by category id, a maker's terms by maker id. Absent: as it is now.
    category_splits: Mapping[int, tuple[int | None, int | None]] = field(default_factory=dict)
    maker_terms: Mapping[int, tuple[int | None, int | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class PricedCart:
    """The cart priced as the till sells it, line by line in the cart's order: the item, its markdown (percent)
    and its price after its overrides and its share of the sale's discount; the overrides, for the log."""

    items: tuple[SellableItem, ...]
    markdowns: tuple[int, ...]
    lines: tuple[PricedLine, ...]
    overrides: tuple[OverrideMade, ...]
    needs_manager: bool  # an override is past the limit: the sale needs a manager's PIN


async def price_cart(*, shop_id: int, cart: Sequence[CartLine], rules: TillRules,
                     sale_discount: SaleDiscount | None, now: datetime,
                     offline: OfflineTerms | None = None) -> PricedCart:
    """What the cart costs at `now`, for a quote and for the sale alike: every code must name an item still on
    sale; each is marked down as the rotation ages it, then its overrides and discounts are taken off
    (pos/discounts.py). The items are read, not locked: a sale locks them as late as it can (_write_sale)."""
    found = await items_by_barcode(shop_id=shop_id, barcodes=[line.barcode for line in cart], lock=False)
    for line in cart:
        item = found.get(line.barcode)
        if item is None:
            raise DomainError(InventoryError.UNKNOWN_BARCODE, barcode=line.barcode)
        if not item.active and offline is None:
            raise DomainError(InventoryError.ITEM_WITHDRAWN, barcode=line.barcode, name=item.name)
    items = tuple(found[line.barcode] for line in cart)
    bases = [offline.list_prices.get(item.barcode, item.price_fen) if offline else item.price_fen for item in items]
    prices_now = [price_now(price_fen=base, source=item.source, perishable=item.perishable,
                            came_in=item.created_at, rotation=rules.rotation, now=now)
                  for base, item in zip(bases, items)]
    priced, overrides = price_lines([LineToPrice(price, line.quantity, line.override)
                                     for (price, _), line in zip(prices_now, cart)], sale_discount)
    return PricedCart(items=items, markdowns=tuple(markdown for _, markdown in prices_now), lines=tuple(priced),
                      overrides=tuple(overrides),
                      needs_manager=needs_manager(overrides, rules.override_limit_percent))


async def commit_sale(*, shop_id: int, till_id: int, cashier_id: int, lines: Sequence[CartLine],
                      cash_given_fen: int, idempotency_key: str, rules: TillRules,
                      expected_total_fen: int | None = None, points: PointsIn | None = None,
                      sale_discount: SaleDiscount | None = None, manager_pin: str | None = None,
                      now: datetime | None = None, paper: SalePaper | None = None) -> SaleRecord:
    """Sell the cart: points first (pos/tender.py) if `points` is given, cash for the rest. Returns
    the sale (or, for a repeated key, the first sale).

    Lines may carry price overrides and discounts, and `sale_discount` takes a discount off the
    whole sale (pos/discounts.py); one taking more than the rules' override limit off, and any
    spending of the fund's points for a household, needs `manager_pin`. `now` is the sale's time
    (the moment of the call unless given: tests back-date sales with it). `paper` prints the sale
    (pos/paper.py: the till's receipt): queued in the sale's transaction, one commit, and no sale
    without its receipt; not again for a repeated key.
    """
    check_key(idempotency_key)
    cart = merge_lines(lines)
    _check_amount(cash_given_fen)
    if points is not None:
        check_payer(points)
        if points.household_ref:
            points = PointsIn(points=points.points, household_ref=household_ref(points.household_ref))
    digest = cart_digest(till_id=till_id, lines=cart, cash_given_fen=cash_given_fen, points=points,
                         sale_discount=sale_discount)
    # The PIN is checked before the write lock is taken: argon2 takes tens of milliseconds.
    approver = await check_manager_pin(shop_id, manager_pin) if manager_pin else None

    async def write() -> SaleRecord:
        sale = await _write_sale(shop_id=shop_id, till_id=till_id, cashier_id=cashier_id, cart=cart,
                                 cash_given_fen=cash_given_fen, key=idempotency_key, digest=digest, rules=rules,
                                 expected_total_fen=expected_total_fen, points=points,
                                 sale_discount=sale_discount, approver=approver, now=now or datetime.now(UTC))
        if paper is not None:
            await paper.print_sale(sale)
        return sale

    return await once(write, table=Sale, digest_column=Sale.cart_digest, shop_id=shop_id, key=idempotency_key,
                      digest=digest, first=lambda i: load_sale(i, shop_id=shop_id),
                      reused=SaleError.IDEMPOTENCY_KEY_REUSED, number=sale_number)


async def _write_sale(*, shop_id: int, till_id: int, cashier_id: int, cart: list[CartLine],
                      cash_given_fen: int, key: str, digest: str, rules: TillRules,
                      expected_total_fen: int | None, points: PointsIn | None, sale_discount: SaleDiscount | None,
                      approver: int | None, now: datetime, offline: OfflineTerms | None = None) -> SaleRecord:
    # A sale needs its till's open session (till-closed otherwise); its row is held until the sale commits.
    # A sale made offline is written in the session it was made in (pos/offline.py chose it).
    # The items' rows are locked last (record_movements, in id order), just before the lines: two tills selling
    # the same goods wait for each other only from there to the commit, not for the whole sale. What was read of
    # them before (price, category, split) is the item as it was when the sale began; their stock, which decides
    # whether a line is oversold, is read under the lock.
    session_id = offline.session_id if offline else await open_session_of(shop_id=shop_id, till_id=till_id,
                                                                          lock="SHARE")
    priced = await price_cart(shop_id=shop_id, cart=cart, rules=rules, sale_discount=sale_discount, now=now,
                              offline=offline)
    makers = await consignments([item.id for item in priced.items])
    if priced.needs_manager and approver is None and offline is None:
        raise DomainError(SaleError.MANAGER_PIN_NEEDED, limit=rules.override_limit_percent)

    sold: list[SoldLine] = []
    rows: list[dict] = []
    for line, item, markdown, p in zip(cart, priced.items, priced.markdowns, priced.lines):
        consigned = makers.get(item.id)
        category_fund, category_maker = item.fund_percent, item.maker_percent
        maker_fund, maker_maker = (consigned.fund_percent, consigned.maker_percent) if consigned else (None, None)
        if offline is not None:  # split by the rule of the sale's time, not one a manager set since
            category_fund, category_maker = offline.category_splits.get(item.category_id,
                                                                        (category_fund, category_maker))
            if consigned is not None:
                maker_fund, maker_maker = offline.maker_terms.get(consigned.maker_id, (maker_fund, maker_maker))
        rule = rule_in_force(
            source_rule=rules.split[item.source], category_fund=category_fund, category_maker=category_maker,
            has_maker=consigned is not None, maker_fund=maker_fund, maker_maker=maker_maker,
        )
        value = p.value_fen
        parts = split_value(value, rule)
        sold.append(SoldLine(
            barcode=item.barcode, name=item.name, unit_price_fen=p.unit_price_fen, quantity=line.quantity,
            value_fen=value, rule_fund=rule.fund, rule_maker=rule.maker, fund_fen=parts.fund_fen,
            maker_fen=parts.maker_fen, running_fen=parts.running_fen,
            oversold=False,  # known once the items are locked, below
            list_price_fen=(offline.list_prices.get(item.barcode, item.price_fen) if offline else item.price_fen)
            if markdown else None, markdown_percent=markdown,
            discount_fen=p.discount_fen,
        ))
        rows.append(dict(item=item.id, category_code=item.category_code, source=item.source,
                         maker_id=consigned.maker_id if consigned else None, accepts_points=item.accepts_points))
    total = sum(line.value_fen for line in sold)
    _check_amount(total)
    if expected_total_fen is not None and expected_total_fen != total:
        raise DomainError(SaleError.PRICE_CHANGED, expected=expected_total_fen, total=total)
    paid = await _points_paid(points, shop_id=shop_id, fen_per_point=rules.fen_per_point, approver=approver,
                              eligible_fen=sum(l.value_fen for l, r in zip(sold, rows) if r["accepts_points"]))
    cash_due = total - paid.fen
    if cash_given_fen < cash_due:
        raise DomainError(SaleError.NOT_ENOUGH_CASH, total=cash_due, given=cash_given_fen)
    fund = sum(line.fund_fen for line in sold)
    maker = sum(line.maker_fen for line in sold)
    running = sum(line.running_fen for line in sold)

    # Written in SQL, not through the query builder: this is the hot path (bench/README.md).
    inserted = await sql.insert_rows(Sale, [dict(
        shop=shop_id, till=till_id, session=session_id, cashier=cashier_id, idempotency_key=key,
        cart_digest=digest,
        created_at=now, total_fen=total, fund_fen=fund, maker_fen=maker, running_fen=running,
    )], returning="id")
    sale_id = inserted[0]["id"]
    number = sale_number(sale_id)
    change = cash_given_fen - cash_due
    if paid.points:
        await sql.insert_rows(Tender, [dict(sale=sale_id, kind="points", amount_fen=paid.fen, given_fen=0, change_fen=0,
                                        points=paid.points, member=paid.member_id,
                                        household_ref=paid.household_ref or None,
                                        points_left=paid.balance - paid.points)])
    if cash_due or cash_given_fen or not paid.points:
        await sql.insert_rows(Tender, [dict(sale=sale_id, kind="cash", amount_fen=cash_due, given_fen=cash_given_fen,
                                        change_fen=change)])
    per_maker: dict[int, int] = defaultdict(int)
    for line, row in zip(sold, rows):
        if row["maker_id"] is not None:
            per_maker[row["maker_id"]] += line.maker_fen
    # One ledger transaction: the tenders in (cash to the drawer; points from the payer, honoured at
    # their worth), the goods' value out to the fund, the makers and running costs, whatever the tender.
    points_entries = () if not paid.points else (
        ledger.Entry(paid.account, ledger.Currency.PTS, paid.points),
        ledger.Entry(ledger.POINTS_REDEEMED, ledger.Currency.PTS, -paid.points),
        ledger.Entry(ledger.POINTS_HONOURED, ledger.Currency.CNY, paid.fen),
    )
    await ledger.post(ledger.Txn(kind="sale", ref=number, entries=(
        ledger.Entry(offline.cash_account if offline else ledger.till_cash(till_id), ledger.Currency.CNY, cash_due),
        *points_entries,
        ledger.Entry(ledger.FUND, ledger.Currency.CNY, -fund),
        *(ledger.Entry(ledger.maker_payable(m), ledger.Currency.CNY, -fen) for m, fen in sorted(per_maker.items())),
        ledger.Entry(ledger.RUNNING_COSTS, ledger.Currency.CNY, -running),
    )), shop_id=shop_id, staff_id=cashier_id)
    on_hand = await record_movements(shop_id=shop_id, staff_id=cashier_id, at=now, movements=[
        Movement(row["item"], -line.quantity, MovementKind.SALE, ref=number)
        for line, row in zip(sold, rows)
    ])  # the items locked from here to the commit
    sold = [replace(line, oversold=on_hand[row["item"]] < line.quantity) for line, row in zip(sold, rows)]
    await sql.insert_rows(SaleLine, [
        dict(sale=sale_id, barcode=line.barcode, name=line.name, unit_price_fen=line.unit_price_fen,
             quantity=line.quantity, value_fen=line.value_fen, rule_fund=line.rule_fund,
             rule_maker=line.rule_maker, fund_fen=line.fund_fen, maker_fen=line.maker_fen,
             running_fen=line.running_fen, oversold=line.oversold, list_price_fen=line.list_price_fen,
             markdown_percent=line.markdown_percent, discount_fen=line.discount_fen,
             **{k: v for k, v in row.items() if k != "accepts_points"})
        for line, row in zip(sold, rows)
    ])
    if priced.overrides or paid.household_ref:
        await _log_overrides(priced.overrides, paid, shop_id=shop_id, sale_id=sale_id, cashier_id=cashier_id,
                             approver=approver, total_fen=total, at=now)
    return SaleRecord(id=sale_id, number=number, created_at=now, till_id=till_id, cashier_id=cashier_id,
                      lines=tuple(sold), total_fen=total, cash_given_fen=cash_given_fen, change_fen=change,
                      fund_fen=fund, maker_fen=maker, running_fen=running, points=paid.points,
                      points_fen=paid.fen, member_id=paid.member_id, member_number=paid.member_number,
                      household_ref=paid.household_ref,
                      points_left=paid.balance - paid.points if paid.points else None)


@dataclass(frozen=True)
class _Paid:
    """The points tender as checked inside the sale's transaction (none: points 0)."""

    points: int = 0
    fen: int = 0
    account: str = ""
    balance: int = 0  # the payer's points before the sale
    member_id: int | None = None
    member_number: str = ""
    household_ref: str = ""


async def _points_paid(points: PointsIn | None, *, shop_id: int, fen_per_point: int, approver: int | None,
                       eligible_fen: int) -> _Paid:
    if points is None:
        return _Paid()
    if points.household_ref:
        if approver is None:  # the fund's points are spent by a manager
            raise DomainError(SaleError.MANAGER_PIN_NEEDED, limit=0)
        account = ledger.fund_points(shop_id)  # this shop's fund: its community's households
        await _hold_points(account)
        balance = await fund_points(shop_id)
        member_id, number = None, ""
    else:
        member = await member_for_till(code=points.member_code or "")  # the district's member
        account = ledger.member_points(member.id)
        await _hold_points(account)
        balance = await points_of(member.id)  # read again, now that no other till can spend them
        member_id, number = member.id, member.number
    paid = points_payment(points=points.points, eligible_fen=eligible_fen, balance=balance,
                          fen_per_point=fen_per_point)
    return _Paid(points=paid.points, fen=paid.fen, account=account, balance=balance, member_id=member_id,
                 member_number=number, household_ref=points.household_ref or "")


async def _hold_points(account: str) -> None:
    """Two tills spending one account's points queue here until the first commits, so the balance read
    next is the one post() will check (ledger.post takes the same lock again). SQLite's write lock
    already serialises them."""
    await sql.advisory_lock(Sale._meta.db, account)


async def _log_overrides(overrides: Sequence[OverrideMade], paid: _Paid, *, shop_id: int, sale_id: int,
                         cashier_id: int, approver: int | None, total_fen: int, at: datetime) -> None:
    """Every override with its reason, who gave it and who approved it; the fund's points spent for a household too."""
    line_ids = [row["id"] for row in await run(Sale._meta.db, "SELECT id FROM sale_line WHERE sale = $1 ORDER BY id",
                                                sale_id)]
    made = [dict(shop=shop_id, sale=sale_id, line=line_ids[o.line] if o.line is not None else None, kind=o.kind,
                 before_fen=o.before_fen, after_fen=o.after_fen, reason=o.reason, cashier=cashier_id,
                 approved_by=approver, created_at=at) for o in overrides]
    if paid.household_ref:
        made.append(dict(shop=shop_id, sale=sale_id, line=None, kind="fund-points", before_fen=total_fen,
                         after_fen=total_fen - paid.fen, reason=paid.household_ref, cashier=cashier_id,
                         approved_by=approver, created_at=at))
    await sql.insert_rows(Override, made)


async def load_sale(sale_id: int, *, shop_id: int) -> SaleRecord:
    sale = await Sale.select().where((Sale.id == sale_id) & (Sale.shop == shop_id)).first()
    if sale is None:
        raise DomainError(SaleError.UNKNOWN_SALE, number=sale_number(sale_id))
    lines = await SaleLine.select().where(SaleLine.sale == sale_id).order_by(SaleLine.id)
    tender = await Tender.select().where((Tender.sale == sale_id) & (Tender.kind == "cash")).first()
    points = await Tender.select(*Tender.all_columns(), Tender.member.number.as_alias("member_number")).where(
        (Tender.sale == sale_id) & (Tender.kind == "points")).first()
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
            markdown_percent=l["markdown_percent"], discount_fen=l["discount_fen"]) for l in lines),
        **({} if points is None else dict(
            points=points["points"], points_fen=points["amount_fen"], member_id=points["member"],
            member_number=points["member_number"] or "", household_ref=points["household_ref"] or "",
            points_left=points["points_left"])),
    )


@dataclass(frozen=True)
class QuotedLine:
    barcode: str
    name: str
    price_now_fen: int
    unit_price_fen: int
    quantity: int
    discount_fen: int
    value_fen: int
    accepts_points: bool


@dataclass(frozen=True)
class CartQuote:
    """What the cart costs as it stands, before it is sold: for the till's screen while discounts and points
    are being given. The sale itself prices the cart again under its locks."""

    lines: tuple[QuotedLine, ...]
    total_fen: int
    discount_fen: int
    points_eligible_fen: int  # the value of the lines whose category takes points
    most_points: int  # the most points the cart can take (rounded down, see pos/tender.py)
    needs_manager: bool  # an override is past the limit: the sale needs a manager's PIN


async def quote_cart(*, shop_id: int, lines: Sequence[CartLine], rules: TillRules,
                     sale_discount: SaleDiscount | None = None) -> CartQuote:
    """Price the cart with its overrides, as commit_sale will (price_cart); write nothing."""
    cart = merge_lines(lines)
    priced = await price_cart(shop_id=shop_id, cart=cart, rules=rules, sale_discount=sale_discount,
                              now=datetime.now(UTC))
    quoted = tuple(QuotedLine(barcode=item.barcode, name=item.name, price_now_fen=p.price_now_fen,
                              unit_price_fen=p.unit_price_fen, quantity=p.quantity, discount_fen=p.discount_fen,
                              value_fen=p.value_fen, accepts_points=item.accepts_points)
                   for item, p in zip(priced.items, priced.lines))
    eligible = sum(q.value_fen for q in quoted if q.accepts_points)
    return CartQuote(lines=quoted, total_fen=sum(q.value_fen for q in quoted),
                     discount_fen=sum(q.discount_fen for q in quoted), points_eligible_fen=eligible,
                     most_points=most_points(eligible, rules.fen_per_point), needs_manager=priced.needs_manager)

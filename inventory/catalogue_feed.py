"""The catalogue a till keeps for selling offline: the whole of it a page at a time, then what changed since.

Every item carries the shop's catalogue version of its last change that a till's copy shows (its name, price,
category and the category's rules, intake date, expiry, withdrawn or not), set by triggers in the transaction that
made the change (inventory's migration 2026-12-07T02). A till walks `since=0` once, page by page (keyset on the
item's id), and keeps the version the first page gave; afterwards `since=V` gives only what changed after V, the
withdrawn items' codes apart. Stock moving does not change the version: on_hand in a till's copy is what it was when
the item last changed or was walked, a hint (another till sells the same shelf), and a sale must not wait on the
counter's lock behind a long catalogue import.

A markdown moves without any write: an unsold donated piece is cheaper once it has been N weeks on the shelf
(rotation.py). Steps move at the shop's midnight, so a page's prices hold for the whole of its `day`: a till whose
copy is of today has exact prices until midnight. A till that says which day its prices were for is also given the
items whose markdown step on that day is not the one of today, found in SQL by their intake days (as UTC instants
of the shop's midnights, on the item (shop, created_at) index). Prices are those the scanner's lookup gives
(catalogue.price_now) on the same day. A copy more than MAX_DAYS_BEHIND days old is told to walk again (`full`).

A till offline across midnight prices its copy for the new day itself: each item that ages carries the shop day it
came in (`came_in_day`), and the till is told the rotation's steps, so price × (100 − percent) // 100 on its own
today is the price the server will expect (web/static/till_store.js priceOn).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from piccolo.engine.base import Engine

from inventory.catalogue import price_now
from inventory.errors import InventoryError
from inventory.rotation import Rotation
from inventory.tables import Item
from shop import sql
from shop.database import as_date, as_time, run
from shop.errors import DomainError

PAGE = 2_000  # items in a page unless the till asks for another number
MAX_PAGE = 5_000
MAX_DAYS_BEHIND = 30  # prices older than this: the till walks the whole catalogue again
MAX_ROW_ID = 2_147_483_647  # an item's id (PostgreSQL's INTEGER)
MAX_VERSION = 9_223_372_036_854_775_807  # the counter's BIGINT


@dataclass(frozen=True)
class FeedItem:
    """One item as a till's copy keeps it; `id` is the walk's cursor (and how the maker is found), not shown."""

    id: int
    barcode: str
    name: str
    price_fen: int  # today's price, with its markdown: what the scanner's lookup says now
    list_price_fen: int
    markdown_percent: int
    category: str  # its code
    category_name: str
    accepts_points: bool
    expires_on: date | None
    on_hand: int
    came_in_day: date | None = None  # the shop day it came in, when the rotation ages it: its price on another day


@dataclass(frozen=True)
class CataloguePage:
    version: int  # the shop's catalogue version when the page was read: keep the first page's for the next `since`
    day: date  # the shop's today: the day these prices are for
    items: list[FeedItem]
    next_after: int | None  # ask again with after=this; None: the walk is done
    removed: list[str]  # codes withdrawn since `since` (never on a walk from 0: they are simply absent)
    full: bool = False  # the till's copy cannot be brought up to date in increments: walk from since=0 again


def _check(name: str, value: int, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise DomainError(InventoryError.BAD_CATALOGUE_PAGE, field=name, minimum=low, maximum=high)
    return value


def _markdown_moved(rotation: Rotation, day: date, today: date, args: list) -> tuple[str, list[str]]:
    """SQL true for the items whose markdown step on shop day `today` differs from that on `day` (before it): step w
    is reached on the shop day intake day + 7w, so it moved for what came in on a day in (day − 7w, today − 7w], that
    is at an instant in [start of day − 7w + 1, start of today − 7w + 1); and a SELECT of the ids in each of those
    intake ranges (an index range each)."""
    if not rotation.steps or not rotation.sources:
        return "FALSE", []
    ranges, selects = [], []
    for step in rotation.steps:
        reach = timedelta(days=7 * step.weeks - 1)
        args += [rotation.day_start(day - reach), rotation.day_start(today - reach)]
        low, high = f"${len(args) - 1}", f"${len(args)}"
        ranges.append(f"(i.created_at >= {low} AND i.created_at < {high})")
        selects.append(f"SELECT id FROM item WHERE shop = $1 AND created_at >= {low} AND created_at < {high}")
    sources = sorted(rotation.sources)
    marks = sql.placeholders(len(args) + 1, len(sources))
    args += sources
    return f"(i.active AND NOT c.perishable AND c.source IN ({marks}) AND ({' OR '.join(ranges)}))", selects


async def catalogue_page(*, shop_id: int, since: int = 0, after: int = 0, limit: int = PAGE, day: date | None = None,
                         rotation: Rotation, now: datetime | None = None) -> CataloguePage:
    """A page of the shop's sellable catalogue (since=0), or of what changed after version `since`, after the item
    id `after`; with `day` (the shop day the till's prices are for, since > 0), also the items whose markdown step
    is another today. Prices are for the shop day of `now` (the rotation's zone). One query per page. DomainError
    for a number out of its bounds."""
    _check("since", since, 0, MAX_VERSION)
    _check("after", after, 0, MAX_ROW_ID)
    _check("limit", limit, 1, MAX_PAGE)
    now = now or datetime.now(UTC)
    today = rotation.day_of(now)
    args: list = [shop_id, after]
    if since == 0:
        which = "i.active"
    else:
        # the ids changed, found on their indexes: the planners would rather walk every id in order
        args.append(since)
        which = "i.catalogue_version > $3"
        candidates = ["SELECT id FROM item WHERE shop = $1 AND catalogue_version > $3"]
        if day is not None:
            if not today - timedelta(days=MAX_DAYS_BEHIND) <= day <= today:
                return CataloguePage(version=0, day=today, items=[], next_after=None, removed=[], full=True)
            if day < today:
                moved, selects = _markdown_moved(rotation, day, today, args)
                which = f"({which} OR {moved})"
                candidates += selects
        which += f" AND i.id IN ({' UNION ALL '.join(candidates)})"
    rows = await run(Item._meta.db, f"""
        SELECT v.version, p.* FROM (SELECT COALESCE(MAX(version), 0) AS version FROM catalogue_counter
                                    WHERE shop = $1) v
        LEFT JOIN (SELECT i.id, i.barcode, i.name, i.price_fen, i.active, c.code AS category,
                          c.name AS category_name, c.source, c.accepts_points, c.perishable, i.on_hand,
                          i.created_at, i.expires_on
                   FROM item i JOIN category c ON c.id = i.category
                   WHERE i.shop = $1 AND i.id > $2 AND {which}
                   ORDER BY i.id LIMIT {int(limit)}) p ON TRUE
        ORDER BY p.id""", *args)
    version = int(rows[0]["version"])
    if since > version:  # a copy from a database this one is not (a backup put back, another shop's server)
        return CataloguePage(version=version, day=today, items=[], next_after=None, removed=[], full=True)
    rows = [row for row in rows if row["id"] is not None]
    items, removed = [], []
    for row in rows:
        if not row["active"]:
            removed.append(row["barcode"])
            continue
        price, percent = price_now(price_fen=row["price_fen"], source=row["source"], perishable=row["perishable"],
                                   came_in=row["created_at"], rotation=rotation, now=now)
        ageing = rotation.applies_to(source=row["source"], perishable=bool(row["perishable"]))
        items.append(FeedItem(id=row["id"], barcode=row["barcode"], name=row["name"], price_fen=price,
                              list_price_fen=row["price_fen"], markdown_percent=percent, category=row["category"],
                              category_name=row["category_name"], accepts_points=bool(row["accepts_points"]),
                              expires_on=as_date(row["expires_on"]), on_hand=int(row["on_hand"]),
                              came_in_day=rotation.day_of(as_time(row["created_at"])) if ageing else None))
    next_after = rows[-1]["id"] if len(rows) == limit else None
    return CataloguePage(version=version, day=today, items=items, next_after=next_after, removed=removed)


# The triggers that stamp an item with the catalogue version when it changes (the migration 2026-12-07T02), by
# table, the same names on both engines: without one, a change never reaches the tills' copies (since=V misses it).
VERSION_TRIGGERS = {"item": ("item_catalogue_insert", "item_catalogue_update"),
                    "category": ("category_catalogue_update",)}


async def version_trigger_problems(db: Engine | None = None) -> list[str]:
    """Each catalogue version trigger that is missing, disabled or no longer sets the version, by name (verify())."""
    db = db or Item._meta.db
    found = {(row["tbl"], row["name"]): row for row in await sql.triggers(db)}
    problems = []
    for table, names in VERSION_TRIGGERS.items():
        for name in names:
            trigger = found.get((table, name))
            if trigger is None:
                problems.append(f"{table}: the trigger {name} is missing, so the tills' copies of the catalogue "
                                "miss changes")
            elif trigger["enabled"] not in ("O", "A"):
                problems.append(f"{table}: the trigger {name} is disabled, so the tills' copies of the catalogue "
                                "miss changes")
            elif "catalogue_version" not in trigger["body"]:
                problems.append(f"{table}: the trigger {name} no longer sets the catalogue version")
    return problems

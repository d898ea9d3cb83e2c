"""What the shelf needs: food about to expire, packaged goods running low, ageing stock due off the shelf."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from shop import sql
from shop.database import as_date, as_time, run

from inventory.barcodes import IN_STORE_PREFIX
from inventory.rotation import Rotation
from inventory.tables import Item


@dataclass(frozen=True)
class ShelfItem:
    barcode: str
    name: str
    category: str
    location: str
    on_hand: int
    price_fen: int
    expires_on: date | None = None
    came_in: datetime | None = None
    low_stock_at: int | None = None


_COLUMNS = """i.barcode, i.name, c.name AS category, i.location, i.on_hand, i.price_fen, i.expires_on, i.created_at,
              i.low_stock_at"""


def _shelf_item(row: dict) -> ShelfItem:
    return ShelfItem(barcode=row["barcode"], name=row["name"], category=row["category"], location=row["location"],
                     on_hand=int(row["on_hand"]), price_fen=row["price_fen"], expires_on=as_date(row["expires_on"]),
                     came_in=as_time(row["created_at"]), low_stock_at=row["low_stock_at"])


async def expiring(*, shop_id: int, today: date, within_days: int) -> list[ShelfItem]:
    """Items on the shelf that have expired or expire within `within_days`, soonest first."""
    rows = await run(Item._meta.db, f"""
        SELECT {_COLUMNS} FROM item i JOIN category c ON c.id = i.category
        WHERE i.shop = $1 AND i.active AND i.on_hand > 0 AND i.expires_on IS NOT NULL AND i.expires_on <= $2
        ORDER BY i.expires_on, i.name""", shop_id, today + timedelta(days=within_days))
    return [_shelf_item(row) for row in rows]


async def low_stock(*, shop_id: int, default_level: int) -> list[ShelfItem]:
    """Packaged goods (a maker's barcode, not the shop's own code) at or below their level (or the default)."""
    rows = await run(Item._meta.db, f"""
        SELECT {_COLUMNS} FROM item i JOIN category c ON c.id = i.category
        WHERE i.shop = $1 AND i.active AND i.barcode NOT LIKE $2
          AND i.on_hand <= COALESCE(i.low_stock_at, $3)
        ORDER BY i.on_hand, i.name""", shop_id, IN_STORE_PREFIX + "%", default_level)
    return [_shelf_item(row) for row in rows]


async def ageing(*, shop_id: int, rotation: Rotation, now: datetime | None = None) -> list[ShelfItem]:
    """Stock the rotation has marked down or wants off the shelf, oldest first: what came in on a shop day at least
    the first step's weeks before today's (a step moves at the shop's midnight: rotation.py)."""
    if not rotation.steps and not rotation.remove_after_weeks:
        return []
    now = now or datetime.now(UTC)
    weeks = [step.weeks for step in rotation.steps] + ([rotation.remove_after_weeks] if rotation.remove_after_weeks else [])
    sources = sorted(rotation.sources) or [""]
    marks = sql.placeholders(3, len(sources))
    rows = await run(Item._meta.db, f"""
        SELECT {_COLUMNS} FROM item i JOIN category c ON c.id = i.category
        WHERE i.shop = $1 AND i.active AND i.on_hand > 0 AND NOT c.perishable AND i.created_at < $2
          AND c.source IN ({marks})
        ORDER BY i.created_at, i.name LIMIT 1000""", shop_id,
                     rotation.day_start(rotation.day_of(now) - timedelta(weeks=min(weeks)) + timedelta(days=1)),
                     *sources)
    return [_shelf_item(row) for row in rows]

"""Tills: the counters a shop sells at; each has its own cash drawer account in the ledger."""

from __future__ import annotations

from dataclasses import dataclass

from shop.database import writing
from pos.tables import Till


@dataclass(frozen=True)
class TillInfo:
    id: int
    code: str
    name: str


async def add_till(*, shop_id: int, code: str, name: str) -> int:
    async with writing(Till._meta.db):
        rows = await Till.insert(Till(shop=shop_id, code=code.strip().upper(), name=name.strip())).returning(Till.id)
    return rows[0]["id"]


async def tills(*, shop_id: int) -> list[TillInfo]:
    rows = await Till.select(Till.id, Till.code, Till.name).where(Till.shop == shop_id).order_by(Till.code)
    return [TillInfo(**row) for row in rows]

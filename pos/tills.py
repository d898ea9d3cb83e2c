"""Tills: the counters a shop sells at; each has its own cash drawer account in the ledger."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pos.errors import SaleError
from pos.tables import Till
from shop.database import writing
from shop.errors import DomainError
from shop.shops import refuse_a_station


@dataclass(frozen=True)
class TillInfo:
    id: int
    code: str
    name: str


CODE = re.compile(r"[A-Z0-9-]{1,16}")


async def add_till(*, shop_id: int, code: str, name: str) -> int:
    """A new till of a shop (never of a station: it has none); its code, upper case, is the shop's only one."""
    code = code.strip().upper()
    if not CODE.fullmatch(code) or not name.strip() or len(name.strip()) > 100:
        raise DomainError(SaleError.BAD_TILL_CODE, till=code, maximum=16, name_maximum=100)
    async with writing(Till._meta.db):
        await refuse_a_station(shop_id)
        if await Till.exists().where((Till.shop == shop_id) & (Till.code == code)):
            raise DomainError(SaleError.TILL_CODE_TAKEN, till=code)
        rows = await Till.insert(Till(shop=shop_id, code=code, name=name.strip())).returning(Till.id)
    return rows[0]["id"]


async def tills(*, shop_id: int) -> list[TillInfo]:
    rows = await Till.select(Till.id, Till.code, Till.name).where(Till.shop == shop_id).order_by(Till.code)
    return [TillInfo(**row) for row in rows]

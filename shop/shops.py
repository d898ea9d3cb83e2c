"""A district's shops and stations (a district's PostgreSQL holds many; config.toml's [shop] is the one this server
starts with): adding them, changing them, listing them, and the shop a till or a person belongs to.

A station (kind "station") is a shop row without tills or stock, where service is recorded; the shop it feeds is
where intake goods taken at the station go. Codes are as config.toml's [shop] code: letters, digits and dashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from shop.database import writing
from shop.errors import DomainError, ShopError
from shop.settings import ShopSettings
from shop.tables import Shop

CODE = re.compile(r"[A-Za-z0-9-]{1,32}")  # as ShopSettings.code
NAME_LENGTH, ADDRESS_LENGTH = 200, 300  # as the table's columns


class ShopKind(StrEnum):
    SHOP = "shop"  # tills, stock, sales
    STATION = "station"  # service recorded there; no tills, no stock


@dataclass(frozen=True)
class ShopInfo:
    id: int
    code: str
    name: str
    address: str
    kind: ShopKind
    feeds: str | None  # a station's shop, by code


_COLUMNS = (Shop.id, Shop.code, Shop.name, Shop.address, Shop.kind, Shop.feeds.code.as_alias("feeds_code"))


def _info(row: dict) -> ShopInfo:
    return ShopInfo(id=row["id"], code=row["code"], name=row["name"], address=row["address"],
                    kind=ShopKind(row["kind"]), feeds=row["feeds_code"])


async def ensure_shop(settings: ShopSettings) -> int:
    """The id of the shop with this code, created on first start; its name and address follow config."""
    async with writing(Shop._meta.db):
        row = await Shop.select(Shop.id, Shop.name, Shop.address).where(Shop.code == settings.code).first()
        if row is None:
            rows = await Shop.insert(Shop(code=settings.code, name=settings.name,
                                          address=settings.address)).returning(Shop.id)
            return rows[0]["id"]
        if (row["name"], row["address"]) != (settings.name, settings.address):
            await Shop.update({Shop.name: settings.name, Shop.address: settings.address}).where(
                Shop.id == row["id"])
        return row["id"]


async def add_shop(*, code: str, name: str, address: str = "", kind: ShopKind = ShopKind.SHOP,
                   feeds: str | None = None) -> ShopInfo:
    """A new shop or station of the district. A station may feed a shop (by its code): its intake goods go there."""
    code, name, address = code.strip(), name.strip(), address.strip()
    if not CODE.fullmatch(code):
        raise DomainError(ShopError.BAD_SHOP_CODE, shop=code, maximum=32)
    if not name or len(name) > NAME_LENGTH or len(address) > ADDRESS_LENGTH:
        raise DomainError(ShopError.BAD_SHOP_NAME, maximum=NAME_LENGTH, address_maximum=ADDRESS_LENGTH)
    if feeds is not None and kind is not ShopKind.STATION:
        raise DomainError(ShopError.ONLY_STATIONS_FEED, shop=code)
    async with writing(Shop._meta.db):
        if await Shop.exists().where(Shop.code == code):
            raise DomainError(ShopError.SHOP_CODE_TAKEN, shop=code)
        fed = None
        if feeds is not None:
            fed = await shop_of_code(feeds)
            if fed.kind is not ShopKind.SHOP:
                raise DomainError(ShopError.FEEDS_NOT_A_SHOP, shop=fed.code)
        rows = await Shop.insert(Shop(code=code, name=name, address=address, kind=kind.value,
                                      feeds=fed.id if fed else None)).returning(Shop.id)
    return ShopInfo(id=rows[0]["id"], code=code, name=name, address=address, kind=kind,
                    feeds=fed.code if fed else None)


async def change_shop(*, code: str, config: ShopSettings, name: str | None = None, address: str | None = None,
                      feeds: str | None = None, feeds_nothing: bool = False) -> ShopInfo:
    """Change a shop's or station's name and address (None: as they are), and which shop a station feeds (`feeds`,
    a shop's code; `feeds_nothing`: none). The shop as it is now.

    A station's new shop takes only the goods taken in from now on (donations/intake.py goods_shop_of reads it at
    each intake): what came in before stays in the stock of the shop it went to, sold there.

    The name and address of config.toml's own shop (`config`, this server's [shop]) are refused here: ensure_shop
    writes config.toml's back at every start, so a shop renamed here would quietly get its old name back on the
    next restart, and its receipts print config.toml's anyway. A shop expects to change them where they are set,
    in config.toml, and be told so. (A shop another server's config.toml names is changed here, and gets that
    file's name back when that server starts: its config.toml is where to change it.)
    """
    if feeds is not None and feeds_nothing:
        raise ValueError("feeds a shop, or feeds nothing: not both")
    code = code.strip()
    name = None if name is None else name.strip()
    address = None if address is None else address.strip()
    if (name is not None and not 1 <= len(name) <= NAME_LENGTH) or (address is not None
                                                                    and len(address) > ADDRESS_LENGTH):
        raise DomainError(ShopError.BAD_SHOP_NAME, maximum=NAME_LENGTH, address_maximum=ADDRESS_LENGTH)
    async with writing(Shop._meta.db):
        shop = await shop_of_code(code)
        if code == config.code and (name not in (None, shop.name) or address not in (None, shop.address)):
            raise DomainError(ShopError.SHOP_SET_IN_CONFIG, shop=shop.code)
        if feeds is not None and shop.kind is not ShopKind.STATION:  # (a shop feeds nothing already)
            raise DomainError(ShopError.ONLY_STATIONS_FEED, shop=shop.code)
        changes: dict = {}
        if name is not None:
            changes[Shop.name] = name
        if address is not None:
            changes[Shop.address] = address
        if feeds is not None:
            fed = await shop_of_code(feeds)
            if fed.kind is not ShopKind.SHOP:
                raise DomainError(ShopError.FEEDS_NOT_A_SHOP, shop=fed.code)
            changes[Shop.feeds] = fed.id
        elif feeds_nothing:
            changes[Shop.feeds] = None
        if changes:
            await Shop.update(changes).where(Shop.id == shop.id)
        return await shop_of_code(code)


async def list_shops() -> list[ShopInfo]:
    """Every shop and station of the district, by code."""
    return [_info(row) for row in await Shop.select(*_COLUMNS).order_by(Shop.code)]


async def shop_of_code(code: str) -> ShopInfo:
    """The shop or station with this code; DomainError "unknown-shop" when there is none."""
    row = await Shop.select(*_COLUMNS).where(Shop.code == code.strip()).first()
    if row is None:
        raise DomainError(ShopError.UNKNOWN_SHOP, shop=code.strip())
    return _info(row)


async def shop_of_id(shop_id: int) -> ShopInfo | None:
    row = await Shop.select(*_COLUMNS).where(Shop.id == shop_id).first()
    return None if row is None else _info(row)


async def refuse_a_station(shop_id: int) -> None:
    """What needs tills (a till, a sale) is refused at a station: DomainError "station-has-no-tills"."""
    row = await Shop.select(Shop.code, Shop.kind).where(Shop.id == shop_id).first()
    if row is not None and row["kind"] == ShopKind.STATION.value:
        raise DomainError(ShopError.STATION_HAS_NO_TILLS, shop=row["code"])

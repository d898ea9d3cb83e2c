"""The shop row this server serves (a district's PostgreSQL holds many shops)."""

from __future__ import annotations

from shop.database import writing
from shop.settings import ShopSettings
from shop.tables import Shop


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

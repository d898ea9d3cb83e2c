"""The shopfront: what every handler needs to know about the shop it serves.

create_app makes one Shopfront and keeps it in the app's state; Litestar gives it to each handler that asks
for it with a parameter `front: Front` (dependency injection by name: create_app provides "front" with
Shopfront.itself). A helper of a handler takes it as `front: Shopfront`. This module imports no controller, so
web.app and the controllers all import it, with no cycle.

One process serves a district's shops (issue 19): `front.shop_id` is the shop of the request under way, the
logged-in person's (web/auth.py's middleware sets `serving` from their signed session), so every handler reads and
writes their shop alone. Outside a request (start-up; the print worker, the sealer and the backups work for every
shop and do not ask), and on the pages nobody is logged in to (login, language), it is the shop config.toml's [shop]
names (`home_shop_id`). What is kept of a shop in memory (its tills, its name and address) is kept by shop id, read
the first time the shop is served.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from piccolo.engine.base import Engine

from inventory.rotation import Rotation, Step
from pos.checkout import TillRules
from pos.paper import Paper
from pos.tills import TillInfo, tills
from printing.queue import PrintWorker
from shop.settings import Settings
from shop.shops import ShopInfo, shop_of_id
from web.i18n import LOCALES


@dataclass
class Shopfront:
    """What every handler needs to know about the shop it serves."""

    settings: Settings
    engine: Engine
    till_rules: TillRules  # the split, markdowns, point value and override limit: config.toml's, built once
    printing: PrintWorker
    paper: Paper  # every printed document: built, previewed, and queued for the printer of its place
    home_shop_id: int = 0  # config.toml's [shop]: set at start-up (web/app.py)
    _tills: dict[int, dict[str, TillInfo]] = field(default_factory=dict)  # by shop id: code → till
    _shops: dict[int, ShopInfo] = field(default_factory=dict)  # by shop id: its code, name and address

    @property
    def shop_id(self) -> int:
        """The shop of the request under way (the logged-in person's); outside a request, config.toml's."""
        return serving.get() or self.home_shop_id

    @shop_id.setter
    def shop_id(self, shop_id: int) -> None:
        self.home_shop_id = shop_id

    @property
    def tills(self) -> dict[str, TillInfo]:
        """The tills of the request's shop, by code (read by `serve`, or again by `refresh_tills`)."""
        return self._tills.get(self.shop_id, {})

    @property
    def shop(self) -> ShopInfo | None:
        """The request's shop: its code, name and address (read by `serve`); None before it is read."""
        return self._shops.get(self.shop_id)

    @property
    def rotation(self) -> Rotation:
        return self.till_rules.rotation

    async def refresh_tills(self, shop_id: int | None = None) -> None:
        """The tills of the request's shop (or of `shop_id`) read again."""
        shop_id = self.shop_id if shop_id is None else shop_id
        self._tills[shop_id] = {till.code: till for till in await tills(shop_id=shop_id)}

    async def read_shop(self, shop_id: int) -> None:
        """What is kept in memory of a shop, read if it is not yet."""
        if shop_id not in self._shops and (info := await shop_of_id(shop_id)) is not None:
            self._shops[shop_id] = info
        if shop_id not in self._tills:
            await self.refresh_tills(shop_id)

    def itself(self) -> Shopfront:
        """A handler's `front: Front` (create_app provides it with this): a dependency without parameters, which
        Litestar resolves at the least cost."""
        return self

    def serve_known(self, shop_id: int) -> bool:
        """The request under way serves `shop_id`, if what is kept of it is read (else False: `serve` it)."""
        if shop_id in self._shops and shop_id in self._tills:
            serving.set(shop_id)
            return True
        return False

    async def serve(self, shop_id: int) -> None:
        """The request under way serves `shop_id` (web/auth.py's middleware: the logged-in person's shop)."""
        serving.set(shop_id)
        await self.read_shop(shop_id)


serving: ContextVar[int | None] = ContextVar("aixin_serving_shop", default=None)
"""The shop the request under way serves: set by web/auth.py's middleware (Shopfront.serve) from the logged-in
person's signed session, reset when the request ends (web/auth.py: staff_sessions); None outside a request."""


class ShopHeading:
    """The request's shop as every page shows it (its name; `shop` in the templates): config.toml's [shop]
    outside a request or before anyone logs in, else what `serve` read of the person's shop."""

    def __init__(self, front: Shopfront) -> None:
        self._front = front

    def __getattr__(self, name: str):
        shop = self._front.shop
        if shop is not None and name in ("code", "name", "address"):
            return getattr(shop, name)
        return getattr(self._front.settings.shop, name)


Front = NamedDependency[Shopfront]
"""A handler's parameter `front: Front`: the shop it serves, given by Litestar."""


def rotation_of(settings: Settings) -> Rotation:
    r = settings.rotation
    return Rotation(steps=tuple(Step(s.weeks, s.percent) for s in r.steps), remove_after_weeks=r.remove_after_weeks,
                    sources=frozenset(r.sources), zone=settings.zone)  # steps move at the shop's midnight


def shopfront_of(state: State) -> Shopfront:
    """A handler's `front`: the app's one Shopfront (create_app provides it with this)."""
    return state.shopfront


def locale_of(request: Request) -> str:
    """The person's language: their choice (cookie), else the shop's."""
    chosen = request.cookies.get("lang")
    return chosen if chosen in LOCALES else shopfront_of(request.app.state).settings.shop.locale

"""The shopfront: what every handler needs to know about the shop it serves.

create_app makes one Shopfront and keeps it in the app's state; Litestar gives it to each handler that asks
for it with a parameter `front: Front` (dependency injection by name: create_app provides "front" with
shopfront_of). A helper of a handler takes it as `front: Shopfront`. This module imports no controller, so
web.app and the controllers all import it, with no cycle.
"""

from __future__ import annotations

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
from web.i18n import LOCALES


@dataclass
class Shopfront:
    """What every handler needs to know about the shop it serves."""

    settings: Settings
    engine: Engine
    till_rules: TillRules  # the split, markdowns, point value and override limit: config.toml's, built once
    printing: PrintWorker
    paper: Paper  # every printed document: built, previewed, and queued for the printer of its place
    shop_id: int = 0
    tills: dict[str, TillInfo] = field(default_factory=dict)

    @property
    def rotation(self) -> Rotation:
        return self.till_rules.rotation

    async def refresh_tills(self) -> None:
        self.tills = {till.code: till for till in await tills(shop_id=self.shop_id)}


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

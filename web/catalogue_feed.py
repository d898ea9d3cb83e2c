"""The till's copy of the catalogue, for selling offline (inventory/catalogue_feed.py): GET /api/till/catalogue.

A page of items as the till keeps them, the maker of consigned goods named beside each (donations knows who made
what; inventory does not, so the pieces are put together here). A page is gzipped when the browser accepts it
(every browser does): 2,000 items are ~470 kB of JSON and ~47 kB gzipped at level 1, made in ~2 ms (level 6: ~36 kB
in ~6 ms); the whole catalogue of 300,000 items is ~71 MB of JSON and 7 MB gzipped, which a till on the shop's Wi-Fi
would otherwise wait for (bench/catalogue_feed_bench.py).
"""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import FromQuery, Parameter

from donations.makers import consignments, makers_of
from inventory.catalogue_feed import MAX_PAGE, MAX_ROW_ID, MAX_VERSION, PAGE, CataloguePage, catalogue_page
from shop.staff import Role
from web.auth import requires_role
from web.shopfront import Front

Since = Annotated[int, Parameter(ge=0, le=MAX_VERSION, description="the version the till's copy is at; 0: all of it")]
After = Annotated[int, Parameter(ge=0, le=MAX_ROW_ID, description="next_after of the page before; 0: the first page")]
Limit = Annotated[int, Parameter(ge=1, le=MAX_PAGE, description="items in a page")]
Day = Annotated[date | None, Parameter(description="the day the till's prices are for (YYYY-MM-DD)")]


class ItemRow(msgspec.Struct):
    barcode: str
    name: str
    price_fen: int  # today's price with its markdown: what GET /api/till/items/{barcode} says now
    list_price_fen: int
    markdown_percent: int
    category: str  # its code
    category_name: str
    accepts_points: bool
    expires_on: date | None
    maker: str  # a consigned handicraft's maker, or ""
    on_hand: int  # when the item last changed: a hint, not kept up to date by sales
    came_in_day: date | None  # the shop day it came in, if it ages: its price on another day (RotationOut)


class StepOut(msgspec.Struct):
    weeks: int
    percent: int


class RotationOut(msgspec.Struct):
    """How an item with a came_in_day is priced on a shop day D without the server: age = D − came_in_day in days;
    percent = the largest of the steps with age ≥ 7 × weeks (0 if none); price = list_price_fen × (100 − percent)
    // 100; due off the shelf when remove_after_weeks > 0 and age ≥ 7 × remove_after_weeks. D is the date in `zone`."""

    steps: list[StepOut]
    remove_after_weeks: int
    zone: str  # the shop's time zone (IANA): its midnight is when a step moves


class CatalogueOut(msgspec.Struct):
    version: int  # keep the first page's: the next increment is since=version
    day: date  # the shop's today, the day these prices are for
    items: list[ItemRow]
    next_after: int | None  # ask again with after=next_after; null: done
    removed: list[str]  # codes withdrawn since `since`: drop them
    full: bool  # the copy cannot be brought up to date: walk from since=0 again
    rotation: RotationOut  # the markdowns, to price the copy on a later day while offline


GZIP_LEVEL = 1  # a quarter of level 6's CPU for 30% more bytes: the server has two cores and tills to serve
GZIP_FROM_BYTES = 1_024  # a small increment is sent as it is


def _accepts_gzip(request: Request) -> bool:
    for coding in request.headers.get("accept-encoding", "").lower().split(","):
        name, _, weight = coding.partition(";")
        if name.strip() == "gzip":
            try:
                return not weight.strip() or float(weight.strip().removeprefix("q=")) > 0
            except ValueError:
                return False
    return False


def _json(request: Request, out: CatalogueOut) -> Response[CatalogueOut]:
    body = msgspec.json.encode(out)
    headers = {"vary": "accept-encoding"}
    if len(body) >= GZIP_FROM_BYTES and _accepts_gzip(request):
        body = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        headers["content-encoding"] = "gzip"
    return Response(body, media_type="application/json", headers=headers)


async def _makers(shop_id: int, page: CataloguePage) -> dict[int, str]:
    """The maker's name of each consigned item of the page, by item id."""
    consigned = await consignments([item.id for item in page.items])
    if not consigned:
        return {}
    names = {maker.id: maker.name for maker in await makers_of(shop_id=shop_id)}
    return {item_id: names.get(to.maker_id, "") for item_id, to in consigned.items()}


class CatalogueFeedApi(Controller):
    path = "/api/till/catalogue"
    opt = requires_role(Role.CASHIER, needs_tills=True)
    tags = ["till"]

    @get("/", summary="The catalogue for the till's offline copy: all of it a page at a time (since=0), then what "
                      "changed after a version; with day, also the items whose markdown moved since that day")
    async def page(self, request: Request, front: Front, since: FromQuery[Since] = 0, after: FromQuery[After] = 0,
                   limit: FromQuery[Limit] = PAGE, day: FromQuery[Day] = None) -> Response[CatalogueOut]:
        rotation = front.rotation
        page = await catalogue_page(shop_id=front.shop_id, since=since, after=after, limit=limit, day=day,
                                    rotation=rotation, now=datetime.now(UTC))
        makers = await _makers(front.shop_id, page)
        return _json(request, CatalogueOut(
            version=page.version, day=page.day, next_after=page.next_after, removed=page.removed, full=page.full,
            items=[ItemRow(barcode=i.barcode, name=i.name, price_fen=i.price_fen, list_price_fen=i.list_price_fen,
                           markdown_percent=i.markdown_percent, category=i.category, category_name=i.category_name,
                           accepts_points=i.accepts_points, expires_on=i.expires_on, maker=makers.get(i.id, ""),
                           on_hand=i.on_hand, came_in_day=i.came_in_day) for i in page.items],
            rotation=RotationOut(steps=[StepOut(s.weeks, s.percent) for s in rotation.steps],
                                 remove_after_weeks=rotation.remove_after_weeks, zone=rotation.zone.key)))

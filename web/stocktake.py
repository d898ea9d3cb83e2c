"""Stock takes over HTTP: the API under /api/stocktakes and the pages under /manager/stocktakes.

The count page scans through the API (a USB scanner types the digits and Enter: one more piece;
a typed quantity sets the count); opening, posting and cancelling are plain forms.
"""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, URLEncodedBody
from litestar.response import Redirect, Template

from inventory.catalogue import categories_of
from inventory.stocktake import (
    CountLine, StockTakeInfo, StockTakeView, cancel_stock_take, count_item, locations_in_use, open_stock_take,
    post_stock_take, stock_take_by_id, stock_take_view, stock_takes_of,
)
from shop.errors import DomainError
from shop.staff import Role
from web.auth import StaffUser, requires_role
from web.i18n import N_, domain_error_message
from web.inputs import Form, In, RowId
from web.pages import _page
from web.shopfront import Front, Shopfront, locale_of


SCOPE_WORDS = {"shop": N_("Whole shop"), "category": N_("Category"), "location": N_("Location")}
STATUS_WORDS = {"open": N_("open"), "posted": N_("posted"), "cancelled": N_("cancelled")}


class StockTakeIn(In):
    scope: str  # shop | category | location
    scope_value: str = ""  # the category's code or the location


class CountIn(In):
    barcode: str
    quantity: int = 1
    mode: str = "add"  # add: a scan, `quantity` more pieces | set: the typed count of the item


class PostIn(In):
    zero_uncounted: bool = False  # an item in scope nobody counted is not on the shelf: its stock goes to 0


class StockTakesApi(Controller):
    path = "/api/stocktakes"
    opt = requires_role(Role.MANAGER, needs_stock=True)
    tags = ["stock takes"]

    @post("/", summary="Open a stock take of the whole shop, one category or one location", status_code=201)
    async def open(self, request: Request[StaffUser, dict, object], front: Front,
                   data: JSONBody[StockTakeIn]) -> StockTakeInfo:
        shop_id = front.shop_id
        take_id = await open_stock_take(shop_id=shop_id, scope=data.scope, scope_value=data.scope_value,
                                        staff_id=request.user.id)
        return await stock_take_by_id(shop_id=shop_id, stock_take_id=take_id)

    @get("/", summary="The stock takes, newest first")
    async def list_takes(self, front: Front) -> list[StockTakeInfo]:
        return await stock_takes_of(shop_id=front.shop_id)

    @get("/{take_id:int}", summary="What was counted against what the books expected, and what is still to count")
    async def show(self, front: Front, take_id: FromPath[RowId]) -> StockTakeView:
        return await stock_take_view(shop_id=front.shop_id, stock_take_id=take_id)

    @post("/{take_id:int}/counts", summary="Count an item: a scan adds (mode add), a typed count sets (mode set)",
          status_code=200)
    async def count(self, request: Request[StaffUser, dict, object], front: Front, take_id: FromPath[RowId],
                    data: JSONBody[CountIn]) -> CountLine:
        return await count_item(shop_id=front.shop_id, stock_take_id=take_id, barcode=data.barcode,
                                quantity=data.quantity, mode=data.mode, staff_id=request.user.id)

    @post("/{take_id:int}/post", summary="Post the differences as stock-take movements and close the count",
          status_code=200)
    async def post_differences(self, request: Request[StaffUser, dict, object], front: Front,
                               take_id: FromPath[RowId], data: JSONBody[PostIn]) -> StockTakeView:
        shop_id = front.shop_id
        await post_stock_take(shop_id=shop_id, stock_take_id=take_id, staff_id=request.user.id,
                              zero_uncounted=data.zero_uncounted)
        return await stock_take_view(shop_id=shop_id, stock_take_id=take_id)

    @post("/{take_id:int}/cancel", summary="Close the count without posting anything", status_code=200)
    async def cancel(self, request: Request[StaffUser, dict, object], front: Front,
                     take_id: FromPath[RowId]) -> StockTakeInfo:
        shop_id = front.shop_id
        await cancel_stock_take(shop_id=shop_id, stock_take_id=take_id, staff_id=request.user.id)
        return await stock_take_by_id(shop_id=shop_id, stock_take_id=take_id)


class OpenForm(Form):
    scope: str = ""
    category: str = ""
    location: str = ""


class PostForm(Form):
    zero_uncounted: str = ""  # "on" when the box is ticked


async def _category_names(request: Request, front: Shopfront) -> dict[str, str]:
    locale = locale_of(request)
    return {c.code: c.name if locale == "zh_CN" or not c.name_en else c.name_en
            for c in await categories_of(shop_id=front.shop_id)}


class StockTakePages(Controller):
    path = "/manager/stocktakes"
    opt = requires_role(Role.MANAGER, needs_stock=True)
    include_in_schema = False

    @get("/")
    async def takes(self, request: Request, front: Front) -> Template:
        return await self._takes(request, front)

    async def _takes(self, request: Request, front: Shopfront, error: str = "",
                     form: OpenForm | None = None) -> Template:
        shop_id = front.shop_id
        return _page(request, "stocktakes.html", takes=await stock_takes_of(shop_id=shop_id), error=error,
                     zone=front.settings.zone,
                     form=form or OpenForm(scope="category"), categories=await _category_names(request, front),
                     locations=await locations_in_use(shop_id=shop_id), scopes=SCOPE_WORDS, statuses=STATUS_WORDS)

    @post("/", status_code=200)
    async def open(self, request: Request[StaffUser, dict, object], front: Front,
                   data: URLEncodedBody[OpenForm]) -> Template | Redirect:
        value = {"category": data.category, "location": data.location}.get(data.scope, "")
        try:
            take_id = await open_stock_take(shop_id=front.shop_id, scope=data.scope, scope_value=value,
                                            staff_id=request.user.id)
        except DomainError as error:
            return await self._takes(request, front, domain_error_message(locale_of(request), error), data)
        return Redirect(f"/manager/stocktakes/{take_id}")

    @get("/{take_id:int}")
    async def take(self, request: Request, front: Front, take_id: FromPath[RowId]) -> Template:
        return await self._take(request, front, take_id)

    async def _take(self, request: Request, front: Shopfront, take_id: int, error: str = "") -> Template:
        view = await stock_take_view(shop_id=front.shop_id, stock_take_id=take_id)
        return _page(request, "stocktake.html", view=view, take=view.stock_take, error=error, zone=front.settings.zone,
                     categories=await _category_names(request, front), scopes=SCOPE_WORDS, statuses=STATUS_WORDS)

    @post("/{take_id:int}/post", status_code=200)
    async def post_differences(self, request: Request[StaffUser, dict, object], front: Front,
                               take_id: FromPath[RowId], data: URLEncodedBody[PostForm]) -> Template | Redirect:
        try:
            await post_stock_take(shop_id=front.shop_id, stock_take_id=take_id, staff_id=request.user.id,
                                  zero_uncounted=data.zero_uncounted == "on")
        except DomainError as error:
            return await self._take(request, front, take_id, domain_error_message(locale_of(request), error))
        return Redirect(f"/manager/stocktakes/{take_id}")

    @post("/{take_id:int}/cancel", status_code=200)
    async def cancel(self, request: Request[StaffUser, dict, object], front: Front,
                     take_id: FromPath[RowId]) -> Template | Redirect:
        try:
            await cancel_stock_take(shop_id=front.shop_id, stock_take_id=take_id,
                                    staff_id=request.user.id)
        except DomainError as error:
            return await self._take(request, front, take_id, domain_error_message(locale_of(request), error))
        return Redirect(f"/manager/stocktakes/{take_id}")

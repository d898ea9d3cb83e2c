"""The catalogue and the shelf for managers: the API under /api/catalogue and /api/shelf, and the pages under
/manager/catalogue and /manager/shelf. Server-rendered forms; a form a rule refuses is shown again with why."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, URLEncodedBody
from litestar.response import Redirect, Template

from inventory.catalogue import (
    CategoryInfo, FoundItem, PriceChangeRow, StockedItem, categories_of, change_price, find_items, item_by_barcode,
    price_changes_of, set_category_rules, split_changes_of, update_item,
)
from inventory.errors import InventoryError
from inventory.shelf import ShelfItem, ageing, expiring, low_stock
from inventory.stock import MovementRow, WriteOffReason, adjust_stock, movements_of, write_off
from inventory.barcodes import normalize_barcode
from pos.oversold import OversoldItem, oversold
from shop.errors import DomainError
from shop.money import parse_yuan
from shop.staff import Role
from web.auth import StaffUser, requires_role
from web.i18n import N_, domain_error_message, gettext, print_warnings
from web.inputs import Form, In, Text
from web.pages import _page
from web.shopfront import Front, Shopfront, locale_of


@dataclass(frozen=True)
class ItemDetail:
    item: StockedItem
    movements: list[MovementRow]
    price_changes: list[PriceChangeRow]
    warnings: list[str] = field(default_factory=list)  # the name's characters the printers lack (print_warnings)


async def item_detail(shop_id: int, barcode: str) -> ItemDetail:
    code = normalize_barcode(barcode)
    item = await item_by_barcode(shop_id=shop_id, barcode=code)
    if item is None:
        raise DomainError(InventoryError.UNKNOWN_BARCODE, barcode=code)
    return ItemDetail(item=item, movements=await movements_of(shop_id=shop_id, barcode=code),
                      price_changes=await price_changes_of(shop_id=shop_id, barcode=code))


class ItemIn(In):
    name: str
    category: str
    location: str = ""
    low_stock_at: int | None = None
    active: bool = True


class PriceIn(In):
    price_fen: int
    reason: str = ""


class AdjustmentIn(In):
    quantity: int  # + found, - missing
    reason: str


class WriteOffIn(In):
    quantity: int
    reason: str  # damaged | expired | unsellable
    note: str = ""


class CategoryRulesIn(In):
    accepts_points: bool
    perishable: bool
    fund_percent: int | None = None
    maker_percent: int | None = None


# Why stock moved, as the movements keep it (inventory, donations, pos write these English words with the
# document's number in `ref`), in the reader's words: the number once, after the words.
WHY_WORDS = {"stock take": N_("stock take"), "cancelled": N_("transfer cancelled"),
             "consigned by its maker": N_("consigned by its maker"), "demo purchase": N_("demo purchase"),
             "damaged": N_("damaged"), "expired": N_("expired"), "unsellable": N_("unsellable")}
WHY_TO_SHOP = N_("sent to {shop}")
WHY_DONATION = N_("donation")


def movement_why(locale: str, reason: str, ref: str) -> str:
    """A movement's reason and its document, e.g. "donation D000012" + "D000012" → "捐赠 D000012", "damaged: R000003"
    + "R000003" → "损坏 R000003", "damaged: 包装破" → "损坏：包装破"; a reason it does not know, as it is."""
    head, _, rest = reason.partition(": ")
    if reason.startswith("donation ") and reason[len("donation "):] == ref:
        words = gettext(locale, WHY_DONATION)
    elif reason.startswith("to ") and " " not in reason[3:]:
        words = gettext(locale, WHY_TO_SHOP).format(shop=reason[3:])
    elif head in WHY_WORDS and rest:
        words = gettext(locale, WHY_WORDS[head]) + ("" if rest == ref else ("：" if locale.startswith("zh") else ": ") + rest)
    else:
        words = gettext(locale, WHY_WORDS[reason]) if reason in WHY_WORDS else reason
    return " ".join(part for part in (words, ref) if part)


class CatalogueApi(Controller):
    path = "/api/catalogue/items"
    opt = requires_role(Role.MANAGER, needs_stock=True)
    tags = ["catalogue"]

    @get("/", summary="Find items, withdrawn ones too (name, part of the code, pinyin)")
    async def find(self, front: Front, q: FromQuery[Text] = "") -> list[FoundItem]:
        return await find_items(shop_id=front.shop_id, text=q, include_withdrawn=True)

    @get("/{barcode:str}", summary="An item, its stock movements (who, when, why) and its price changes")
    async def show(self, front: Front, barcode: FromPath[Text]) -> ItemDetail:
        return await item_detail(front.shop_id, barcode)

    @put("/{barcode:str}", summary="Correct an item's name, category, location, low-stock level, or withdraw it")
    async def update(self, request: Request, front: Front, barcode: FromPath[Text],
                     data: JSONBody[ItemIn]) -> ItemDetail:
        shop_id = front.shop_id
        await update_item(shop_id=shop_id, barcode=barcode, name=data.name, category=data.category,
                          location=data.location, low_stock_at=data.low_stock_at, active=data.active)
        return replace(await item_detail(shop_id, barcode), warnings=print_warnings(locale_of(request), data.name))

    @post("/{barcode:str}/price", summary="Change the price (kept with who, when and why)", status_code=200)
    async def price(self, request: Request[StaffUser, dict, object], front: Front, barcode: FromPath[Text],
                    data: JSONBody[PriceIn]) -> ItemDetail:
        shop_id = front.shop_id
        await change_price(shop_id=shop_id, barcode=barcode, price_fen=data.price_fen, reason=data.reason,
                           staff_id=request.user.id)
        return await item_detail(shop_id, barcode)

    @post("/{barcode:str}/adjustments", summary="Correct the stock by a number of pieces, saying why",
          status_code=200)
    async def adjust(self, request: Request[StaffUser, dict, object], front: Front, barcode: FromPath[Text],
                     data: JSONBody[AdjustmentIn]) -> ItemDetail:
        shop_id = front.shop_id
        await adjust_stock(shop_id=shop_id, barcode=barcode, quantity=data.quantity, reason=data.reason,
                           staff_id=request.user.id)
        return await item_detail(shop_id, barcode)

    @post("/{barcode:str}/write-offs", summary="Write pieces off: damaged, expired or unsellable", status_code=200)
    async def write_off(self, request: Request[StaffUser, dict, object], front: Front, barcode: FromPath[Text],
                        data: JSONBody[WriteOffIn]) -> ItemDetail:
        shop_id = front.shop_id
        await write_off(shop_id=shop_id, barcode=barcode, quantity=data.quantity, reason=data.reason,
                        note=data.note, staff_id=request.user.id)
        return await item_detail(shop_id, barcode)


class CategoriesApi(Controller):
    path = "/api/catalogue/categories"
    opt = requires_role(Role.MANAGER)
    tags = ["catalogue"]

    @get("/", summary="The categories and their rules")
    async def categories(self, front: Front) -> list[CategoryInfo]:
        return await categories_of(shop_id=front.shop_id)

    @put("/{code:str}", summary="Set a category's rules: points accepted, perishable, its own split")
    async def rules(self, request: Request[StaffUser, dict, object], front: Front, code: FromPath[Text],
                    data: JSONBody[CategoryRulesIn]) -> CategoryInfo:
        shop_id = front.shop_id
        await set_category_rules(shop_id=shop_id, code=code, accepts_points=data.accepts_points,
                                 perishable=data.perishable, fund_percent=data.fund_percent,
                                 maker_percent=data.maker_percent, by=request.user.id)
        return next(c for c in await categories_of(shop_id=shop_id) if c.code == code)


class ShelfLists(msgspec.Struct):
    expiring: list[ShelfItem]
    low_stock: list[ShelfItem]
    ageing: list[ShelfItem]
    oversold: list[OversoldItem]  # sold beyond stock, until a stock take or a correction settles it


async def shelf_lists(front: Shopfront) -> ShelfLists:
    settings = front.settings
    return ShelfLists(
        expiring=await expiring(shop_id=front.shop_id, today=datetime.now(settings.zone).date(),
                                within_days=settings.inventory.expiry_warning_days),
        low_stock=await low_stock(shop_id=front.shop_id, default_level=settings.inventory.low_stock_default),
        ageing=await ageing(shop_id=front.shop_id, rotation=front.rotation),
        oversold=await oversold(shop_id=front.shop_id))


class ShelfApi(Controller):
    path = "/api/shelf"
    opt = requires_role(Role.MANAGER, needs_stock=True)
    tags = ["catalogue"]

    @get("/", summary="Food expiring soon, packaged goods running low, ageing stock to mark down or remove, "
                      "and goods sold beyond stock not yet settled by a stock take or a correction")
    async def lists(self, front: Front) -> ShelfLists:
        return await shelf_lists(front)


# -- pages ------------------------------------------------------------------------------------


class ItemForm(Form):
    name: str = ""
    category: str = ""
    location: str = ""
    low_stock_at: str = ""
    active: str = ""  # a checkbox: "on" when ticked


class PriceForm(Form):
    price: str = ""
    reason: str = ""


class StockForm(Form):
    quantity: str = ""
    reason: str = ""
    note: str = ""


class CategoryForm(Form):
    accepts_points: str = ""
    perishable: str = ""
    fund_percent: str = ""
    maker_percent: str = ""


def _whole(text: str, *, signed: bool = False) -> int | None:
    text = text.strip()
    digits = text[1:] if signed and text[:1] in "+-" else text
    return int(text) if text and digits.isascii() and digits.isdigit() and len(digits) <= 6 else None


class CataloguePages(Controller):
    path = "/manager/catalogue"
    opt = requires_role(Role.MANAGER, needs_stock=True)
    include_in_schema = False

    @get("/")
    async def search(self, request: Request, front: Front, q: FromQuery[Text] = "") -> Template:
        shop_id = front.shop_id
        return _page(request, "catalogue.html", q=q,
                     found=await find_items(shop_id=shop_id, text=q, include_withdrawn=True) if q.strip() else None)

    @get("/items/{barcode:str}")
    async def item(self, request: Request, front: Front, barcode: FromPath[Text]) -> Template:
        return await self._item(request, front, barcode)

    async def _item(self, request: Request, front: Shopfront, barcode: str, error: str = "") -> Template:
        detail = await item_detail(front.shop_id, barcode)
        locale = locale_of(request)
        return _page(request, "catalogue_item.html", detail=detail, error=error, zone=front.settings.zone,
                     warnings=print_warnings(locale, detail.item.name),
                     why=lambda m: movement_why(locale, m.reason, m.ref),
                     categories=await categories_of(shop_id=front.shop_id),
                     write_off_reasons=[reason.value for reason in WriteOffReason])

    async def _then(self, request: Request, front: Shopfront, barcode: str, change) -> Template | Redirect:
        try:
            await change()
        except DomainError as error:
            return await self._item(request, front, barcode, domain_error_message(locale_of(request), error))
        return Redirect(f"/manager/catalogue/items/{normalize_barcode(barcode)}")

    @post("/items/{barcode:str}", status_code=200)
    async def update(self, request: Request, front: Front, barcode: FromPath[Text],
                     data: URLEncodedBody[ItemForm]) -> Template | Redirect:
        level = data.low_stock_at.strip()
        return await self._then(request, front, barcode, lambda: update_item(
            shop_id=front.shop_id, barcode=barcode, name=data.name, category=data.category,
            location=data.location, active=bool(data.active),
            low_stock_at=None if not level else (_whole(level) if _whole(level) is not None else -1)))

    @post("/items/{barcode:str}/price", status_code=200)
    async def price(self, request: Request[StaffUser, dict, object], front: Front, barcode: FromPath[Text],
                    data: URLEncodedBody[PriceForm]) -> Template | Redirect:
        async def change() -> None:
            try:
                fen = parse_yuan(data.price.strip())
            except ValueError:
                raise DomainError(InventoryError.BAD_PRICE, price=data.price.strip()[:20], minimum=1,
                                  maximum=10_000_000) from None
            await change_price(shop_id=front.shop_id, barcode=barcode, price_fen=fen,
                               reason=data.reason, staff_id=request.user.id)
        return await self._then(request, front, barcode, change)

    @post("/items/{barcode:str}/adjustments", status_code=200)
    async def adjust(self, request: Request[StaffUser, dict, object], front: Front, barcode: FromPath[Text],
                     data: URLEncodedBody[StockForm]) -> Template | Redirect:
        quantity = _whole(data.quantity, signed=True)
        return await self._then(request, front, barcode, lambda: adjust_stock(
            shop_id=front.shop_id, barcode=barcode, quantity=0 if quantity is None else quantity,
            reason=data.reason, staff_id=request.user.id))

    @post("/items/{barcode:str}/write-offs", status_code=200)
    async def write_off(self, request: Request[StaffUser, dict, object], front: Front, barcode: FromPath[Text],
                        data: URLEncodedBody[StockForm]) -> Template | Redirect:
        quantity = _whole(data.quantity)
        return await self._then(request, front, barcode, lambda: write_off(
            shop_id=front.shop_id, barcode=barcode, quantity=0 if quantity is None else quantity,
            reason=data.reason, note=data.note, staff_id=request.user.id))

    @get("/categories")
    async def categories(self, request: Request, front: Front) -> Template:
        return await self._categories(request, front)

    async def _categories(self, request: Request, front: Shopfront, error: str = "") -> Template:
        return _page(request, "catalogue_categories.html", error=error, split=front.settings.split,
                     categories=await categories_of(shop_id=front.shop_id), zone=front.settings.zone,
                     changes=await split_changes_of(shop_id=front.shop_id))

    @post("/categories/{code:str}", status_code=200)
    async def category_rules(self, request: Request[StaffUser, dict, object], front: Front, code: FromPath[Text],
                             data: URLEncodedBody[CategoryForm]) -> Template | Redirect:
        fund, maker = data.fund_percent.strip(), data.maker_percent.strip()
        try:
            await set_category_rules(
                shop_id=front.shop_id, code=code, accepts_points=bool(data.accepts_points),
                perishable=bool(data.perishable),
                fund_percent=None if not fund else (_whole(fund) if _whole(fund) is not None else -1),
                maker_percent=None if not maker else (_whole(maker) if _whole(maker) is not None else -1),
                by=request.user.id)
        except DomainError as error:
            return await self._categories(request, front, domain_error_message(locale_of(request), error))
        return Redirect("/manager/catalogue/categories")


class ShelfPage(Controller):
    path = "/manager/shelf"
    opt = requires_role(Role.MANAGER, needs_stock=True)
    include_in_schema = False

    @get("/")
    async def lists(self, request: Request, front: Front) -> Template:
        lists = await shelf_lists(front)
        now = datetime.now(front.settings.zone)
        rotation = front.rotation
        ageing_rows = [(item, rotation.markdown_percent(came_in=item.came_in, now=now),
                        rotation.removal_due(came_in=item.came_in, now=now)) for item in lists.ageing]
        return _page(request, "shelf.html", lists=lists, ageing=ageing_rows, today=now.date(),
                     settings=front.settings, zone=front.settings.zone)

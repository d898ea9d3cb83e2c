"""The JSON API under /api: parse, one call, return. Its OpenAPI is at /schema."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.types import Scope

from donations.intake import goods_shop_of
from inventory.catalogue import FoundItem, TillItem, find_for_till, find_items, items_for_labels
from lovebank.passbook import fund_points, member_for_till
from pos.checkout import CartLine, CartQuote, SaleRecord, SoldLine, commit_sale, load_sale, quote_cart
from pos.numbers import sale_id_of
from pos.discounts import Discount, LineOverride, SaleDiscount
from pos.overrides import OverrideInfo, overrides_between
from pos.paper import TILL_DOCUMENTS, Reprint
from pos.parked import ParkedInfo, park_cart, parked_carts, resume_cart
from pos.tender import PointsIn
from inventory.errors import InventoryError
from pos.errors import SaleError
from pos.reports import DayReport, check_day, day_bounds, day_report, period_of
from pos.tills import TillInfo
from shop.errors import DomainError, ShopError
from shop.printouts import RECEIPT_PRINTER
from shop.staff import Role
from printing.printer_setup import till_place
from printing.job_list import JobInfo, Shown, jobs_page, unprinted
from printing.queue import Job, PrinterHealth, find_job, health
from web.auth import ANSWER_AT_ONCE, StaffUser, requires_role
from web.inputs import MAX_ROW_ID, In, RowId, Text, is_text
from web.shopfront import Front, Shopfront

# A row's id in a query that may be left out: the bounds inside the Optional (RowId | None would lose them).
OptionalRowId = Annotated[int | None, Parameter(ge=1, le=MAX_ROW_ID)]


class CartLineIn(In):
    barcode: str
    quantity: int = 1
    # A price override and/or a discount on the line (percent or fen), with its reason.
    override_price_fen: int | None = None
    discount_percent: int | None = None
    discount_fen: int | None = None
    reason: str = ""

    def cart_line(self) -> CartLine:
        discount = None
        if self.discount_percent is not None or self.discount_fen is not None:
            discount = Discount(percent=self.discount_percent, amount_fen=self.discount_fen)
        override = None
        if self.override_price_fen is not None or discount is not None:
            override = LineOverride(price_fen=self.override_price_fen, discount=discount, reason=self.reason)
        return CartLine(self.barcode, self.quantity, override)


class PointsTenderIn(In):
    """Points paid first: a member's (card scanned or number typed), or the fund's for a household (manager's PIN)."""

    points: int
    member: str | None = None
    household_ref: str | None = None


class SaleDiscountIn(In):
    reason: str
    percent: int | None = None
    amount_fen: int | None = None

    def sale_discount(self) -> SaleDiscount:
        return SaleDiscount(Discount(percent=self.percent, amount_fen=self.amount_fen), reason=self.reason)


class QuoteIn(In):
    lines: list[CartLineIn]
    sale_discount: SaleDiscountIn | None = None


class SaleIn(In):
    till: str
    idempotency_key: str
    lines: list[CartLineIn]
    cash_given_fen: int
    expected_total_fen: int | None = None
    points: PointsTenderIn | None = None
    sale_discount: SaleDiscountIn | None = None
    manager_pin: str | None = None  # needed for overrides past the limit and for the fund's points


class SaleOut(msgspec.Struct):
    number: str
    created_at: datetime
    till: str
    lines: list[SoldLine]
    total_fen: int
    cash_given_fen: int
    change_fen: int
    fund_fen: int
    maker_fen: int
    running_fen: int
    replayed: bool
    discount_fen: int = 0
    cash_fen: int = 0  # what cash paid (the total less what points paid)
    points: int = 0
    points_fen: int = 0
    member_number: str = ""
    household_ref: str = ""
    points_left: int | None = None


def _sale_out(sale: SaleRecord, till: str) -> SaleOut:
    return SaleOut(number=sale.number, created_at=sale.created_at, till=till, lines=list(sale.lines),
                   total_fen=sale.total_fen, cash_given_fen=sale.cash_given_fen, change_fen=sale.change_fen,
                   fund_fen=sale.fund_fen, maker_fen=sale.maker_fen, running_fen=sale.running_fen,
                   replayed=sale.replayed, discount_fen=sale.discount_fen, cash_fen=sale.cash_fen,
                   points=sale.points, points_fen=sale.points_fen, member_number=sale.member_number,
                   household_ref=sale.household_ref, points_left=sale.points_left)


class UnprintedOut(msgspec.Struct):
    """A receipt or refund slip of the till that has not come out."""

    job: int
    document: str  # receipt | refund slip
    number: str  # the sale's or the return's number
    status: str  # failed; queued (to be tried again when attempts > 0); printing
    attempts: int
    time: str  # when its latest job was made, shop time (12-06 14:05)
    error: str  # the printer's last answer, if it was tried


class ReprintedOut(msgspec.Struct):
    queued: list[int]  # the copies queued (重打)
    already_waiting: list[int]  # the jobs of documents still waiting to print, not queued twice


class ReprintOut(msgspec.Struct):
    """The job that prints a document again: a new copy, or the one already waiting to print (never a second)."""

    id: int
    printer: str
    document: str
    ref: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    printed_at: datetime | None
    already_waiting: bool


async def reprint_out(front: Shopfront, reprint: Reprint) -> Response[ReprintOut]:
    """A reprint's answer: 202 with the new job, or 200 with the job that was already waiting."""
    front.printing.wake()
    job = await find_job(shop_id=front.shop_id, job_id=reprint.job_id)
    out = ReprintOut(id=job.id, printer=job.printer, document=job.document, ref=job.ref, status=job.status,
                     attempts=job.attempts, last_error=job.last_error, created_at=job.created_at,
                     printed_at=job.printed_at, already_waiting=reprint.already_waiting)
    return Response(out, status_code=200 if reprint.already_waiting else 202)


class MemberOut(msgspec.Struct):
    number: str
    name: str
    points: int


class FundPointsOut(msgspec.Struct):
    points: int


async def _till(front: Shopfront, code: str) -> TillInfo:
    till = front.tills.get(code.strip().upper())
    if till is None:
        await front.refresh_tills()
        till = front.tills.get(code.strip().upper())
    if till is None:
        raise DomainError(SaleError.UNKNOWN_TILL, till=code)
    return till


async def scan_at_once(scope: Scope, front: Shopfront) -> bytes | None:
    """The scan's answer, for web/auth.py's middleware to send past Litestar's handler: its parameters, its
    dependencies and its response object were half of a scan's time (bench/README.md). Byte for byte what
    TillApi.scan answers (a test compares them); None for anything but an item found, which the handler then
    refuses in the person's language, as it always has."""
    barcode = scope["path_params"]["barcode"]
    if not is_text(barcode):
        return None
    try:
        item = await find_for_till(shop_id=front.shop_id, barcode=barcode, rotation=front.rotation,
                                   today=datetime.now(front.settings.zone).date())
    except DomainError:
        return None
    return msgspec.json.encode(item)


class TillApi(Controller):
    path = "/api/till"
    opt = requires_role(Role.CASHIER, needs_tills=True)
    tags = ["till"]

    @get("/items/{barcode:str}", summary="Look up a scanned or typed code",
         opt={"read_only_hot_path": True, ANSWER_AT_ONCE: scan_at_once})  # the scanner's: see scan_at_once
    async def scan(self, front: Front, barcode: FromPath[Text]) -> TillItem:
        return await find_for_till(shop_id=front.shop_id, barcode=barcode, rotation=front.rotation,
                                   today=datetime.now(front.settings.zone).date())

    @get("/search", summary="Find items by name, part of the code, or pinyin (axb finds 爱心杯)")
    async def search(self, front: Front, q: FromQuery[Text] = "") -> list[FoundItem]:
        return await find_items(shop_id=front.shop_id, text=q)

    @get("/members/{code:str}", summary="A love-bank member by their card (scanned) or number (typed), with their points")
    async def member(self, front: Front, code: FromPath[Text]) -> MemberOut:
        member = await member_for_till(code=code)
        return MemberOut(number=member.number, name=member.name, points=member.points)

    @get("/fund-points", summary="The points this shop's community fund holds, for households in need")
    async def fund(self, front: Front) -> FundPointsOut:
        return FundPointsOut(points=await fund_points(front.shop_id))

    @get("/tills", summary="The shop's tills")
    async def tills(self, front: Front) -> list[TillInfo]:
        await front.refresh_tills()
        return list(front.tills.values())

    @get("/tills/{code:str}/unprinted", summary="The till's receipts and refund slips that failed to print and have "
         "not printed since, newest first")
    async def till_unprinted(self, front: Front, code: FromPath[Text]) -> list[UnprintedOut]:
        till = await _till(front, code)
        zone = front.settings.zone
        return [UnprintedOut(job=job.id, document=job.document, number=job.ref, status=job.status,
                             attempts=job.attempts, time=job.created_at.astimezone(zone).strftime("%m-%d %H:%M"),
                             error=job.last_error)
                for job in await unprinted(shop_id=front.shop_id, till=till.code, documents=TILL_DOCUMENTS)]

    @post("/tills/{code:str}/unprinted/reprint", summary="Print them all again, as copies (重打); one still waiting "
          "to print is not queued twice", status_code=202)
    async def reprint_till_unprinted(self, front: Front, code: FromPath[Text]) -> ReprintedOut:
        till = await _till(front, code)
        done = await front.paper.reprint_unprinted(shop_id=front.shop_id, till=till.code)
        front.printing.wake()
        return ReprintedOut(queued=[r.job_id for r in done if not r.already_waiting],
                            already_waiting=[r.job_id for r in done if r.already_waiting])


class SalesApi(Controller):
    path = "/api/sales"
    opt = requires_role(Role.CASHIER, needs_tills=True)
    tags = ["sales"]

    @post("/", summary="Complete a cash sale (idempotent by idempotency_key)", status_code=201)
    async def complete(self, request: Request[StaffUser, dict, object], front: Front,
                       data: JSONBody[SaleIn]) -> Response[SaleOut]:
        till = await _till(front, data.till)
        sale = await commit_sale(
            shop_id=front.shop_id, till_id=till.id, cashier_id=request.user.id,
            lines=[line.cart_line() for line in data.lines],
            cash_given_fen=data.cash_given_fen, idempotency_key=data.idempotency_key,
            rules=front.till_rules, expected_total_fen=data.expected_total_fen,
            points=None if data.points is None else PointsIn(
                points=data.points.points, member_code=data.points.member, household_ref=data.points.household_ref),
            sale_discount=data.sale_discount.sale_discount() if data.sale_discount else None,
            manager_pin=data.manager_pin or None,
            paper=front.paper.at_till(shop_id=front.shop_id, till=till, cashier=request.user.display_name),
        )
        if sale.replayed:
            return Response(_sale_out(sale, till.code), status_code=200)
        front.printing.wake()
        return Response(_sale_out(sale, till.code), status_code=201)

    @post("/quote", summary="Price a cart with its discounts and overrides, and the points it can take (writes nothing)",
          status_code=200)
    async def quote(self, front: Front, data: JSONBody[QuoteIn]) -> CartQuote:
        return await quote_cart(shop_id=front.shop_id, lines=[line.cart_line() for line in data.lines],
                                sale_discount=data.sale_discount.sale_discount() if data.sale_discount else None,
                                rules=front.till_rules)

    @get("/{number:str}", summary="A sale by its number (as on the receipt's barcode)")
    async def show(self, front: Front, number: FromPath[Text]) -> SaleOut:
        sale = await _sale(front, number)
        till = next((t.code for t in front.tills.values() if t.id == sale.till_id), "")
        return _sale_out(sale, till)

    @post("/{number:str}/reprint", summary="Print a sale's receipt again (202: a copy, 重打; 200: it is already "
          "waiting to print, and is not queued twice)", status_code=202)
    async def reprint_receipt(self, front: Front, number: FromPath[Text]) -> Response[ReprintOut]:
        return await reprint_out(front, await front.paper.reprint_receipt(await _sale(front, number),
                                                                          shop_id=front.shop_id))


async def _sale(front: Shopfront, number: str) -> SaleRecord:
    sale_id = sale_id_of(number)
    if sale_id is None:
        raise DomainError(SaleError.UNKNOWN_SALE, number=number[:20])
    return await load_sale(sale_id, shop_id=front.shop_id)


class ParkedLineIn(In):
    """A cart line as the till keeps it: what was scanned, and its override if any."""

    barcode: str
    quantity: int = 1
    name: str = ""
    price_fen: int | None = None
    override_price_fen: int | None = None
    discount_percent: int | None = None
    discount_fen: int | None = None
    reason: str | None = None


class ParkIn(In):
    till: str
    lines: list[ParkedLineIn]
    note: str = ""


class ParkedApi(Controller):
    """Carts put aside while the next customer is served; resumed at any till of the shop."""

    path = "/api/parked"
    opt = requires_role(Role.CASHIER, needs_tills=True)
    tags = ["till"]

    @post("/", summary="Park the cart (nothing about stock or money changes)", status_code=201)
    async def park(self, request: Request[StaffUser, dict, object], front: Front, data: JSONBody[ParkIn]) -> ParkedInfo:
        till = await _till(front, data.till)
        parked_id = await park_cart(shop_id=front.shop_id, till_id=till.id, cashier_id=request.user.id,
                                    lines=[msgspec.structs.asdict(line) for line in data.lines], note=data.note)
        return next(p for p in await parked_carts(shop_id=front.shop_id) if p.id == parked_id)

    @get("/", summary="The shop's parked carts, oldest first")
    async def waiting(self, front: Front) -> list[ParkedInfo]:
        return await parked_carts(shop_id=front.shop_id)

    @post("/{parked_id:int}/resume", summary="Take a parked cart back to this till (it is no longer parked)",
          status_code=200)
    async def resume(self, front: Front, parked_id: FromPath[RowId]) -> ParkedInfo:
        return await resume_cart(shop_id=front.shop_id, parked_id=parked_id)


class PrintingApi(Controller):
    path = "/api/printing"
    tags = ["printing"]

    @get("/health", summary="Is the till's printer printing? (the till's banner)",
         opt=requires_role(Role.CASHIER))
    async def printer_health(self, front: Front, till: FromQuery[Text | None] = None) -> PrinterHealth:
        printer = RECEIPT_PRINTER
        if till:  # the printer assigned to this till on the printers page, if any
            printer, _ = await front.paper.printouts.printer_of(shop_id=front.shop_id, place=till_place(till))
        return await health(shop_id=front.shop_id, printer=printer)

    @get("/jobs", summary="The print queue, newest first, a page at a time: the next page is before_id= the last id",
         opt=requires_role(Role.MANAGER))
    async def jobs(self, front: Front, status: FromQuery[Shown] = Shown.ALL, till: FromQuery[Text | None] = None,
                   printer: FromQuery[Text | None] = None, day: FromQuery[date | None] = None,
                   before_id: FromQuery[OptionalRowId] = None) -> list[JobInfo]:
        start, end = day_bounds(check_day(day), front.settings.zone) if day else (None, None)
        till_code = (await _till(front, till)).code if till else None
        page = await jobs_page(shop_id=front.shop_id, shown=status, till=till_code, printer=printer, start=start,
                               end=end, before_id=before_id)
        return page.jobs

    @post("/jobs/{job_id:int}/reprint", summary="Print a job's document again (202: a new job; 200: it is already "
          "waiting to print, and is not queued twice)", status_code=202, opt=requires_role(Role.MANAGER))
    async def reprint_job(self, front: Front, job_id: FromPath[RowId]) -> Response[ReprintOut]:
        reprint = await front.paper.reprint_job(shop_id=front.shop_id, job_id=job_id)
        if reprint is None:
            raise DomainError(ShopError.NOT_FOUND)
        return await reprint_out(front, reprint)


class ReportsApi(Controller):
    path = "/api/reports"
    opt = requires_role(Role.MANAGER)
    tags = ["reports"]

    @get("/sales", summary="Sales of a day and their fund split, net of returns (default: today, shop time)")
    async def day(self, front: Front, day: FromQuery[date | None] = None) -> DayReport:
        return await day_report(shop_id=front.shop_id, day=day or datetime.now(front.settings.zone).date(),
                                zone=front.settings.zone)

    @get("/overrides", summary="A day's price changes, discounts and fund points spent at the tills, with reasons")
    async def overrides(self, front: Front, day: FromQuery[date | None] = None) -> list[OverrideInfo]:
        start, end = period_of("day", day or datetime.now(front.settings.zone).date()).bounds(front.settings.zone)
        return await overrides_between(shop_id=front.shop_id, start=start, end=end)


class LabelsIn(In):
    barcodes: list[str]
    ref: str = ""  # what the batch belongs to (a donation's reference), shown in the print queue


MAX_LABELS = 500


class LabelsApi(Controller):
    """Labels of the goods taken in, printed at the intake desk where they are in hand: at a station, the goods (and
    their codes) are the shop's it feeds (donations/intake.py goods_shop_of), the printer the station's."""

    path = "/api/labels"
    opt = requires_role(Role.INTAKE)
    tags = ["labels"]

    @post("/", summary="Print labels for these items as one job on the label printer", status_code=202)
    async def print_labels(self, front: Front, data: JSONBody[LabelsIn]) -> Job:
        if not 1 <= len(data.barcodes) <= MAX_LABELS:
            raise DomainError(InventoryError.BAD_QUANTITY, quantity=len(data.barcodes), maximum=MAX_LABELS)
        items = await items_for_labels(shop_id=await goods_shop_of(front.shop_id), barcodes=data.barcodes)
        job_id = await front.paper.queue_labels(items, shop_id=front.shop_id, ref=data.ref[:64] or items[0].barcode)
        front.printing.wake()
        return await find_job(shop_id=front.shop_id, job_id=job_id)

    @get("/{barcode:str}/png", summary="An item's label as a PNG picture (203 dpi, as printed)",
         media_type="image/png")
    async def png(self, front: Front, barcode: FromPath[Text]) -> Response[bytes]:
        return Response(await self._picture(front, barcode, "png"), media_type="image/png")

    @get("/{barcode:str}/svg", summary="An item's label as an SVG picture", media_type="image/svg+xml")
    async def svg(self, front: Front, barcode: FromPath[Text]) -> Response[bytes]:
        return Response(await self._picture(front, barcode, "svg"), media_type="image/svg+xml")

    async def _picture(self, front: Shopfront, barcode: str, kind: str) -> bytes:
        (item,) = await items_for_labels(shop_id=await goods_shop_of(front.shop_id), barcodes=[barcode])
        return front.paper.label_picture(item, kind)

"""The intake desk's other pages: donations and their slips, a donor's impact, makers, their statements and payouts.

Server-rendered forms; a form a rule refuses is shown again with the reason, and nothing is saved.
"""

from __future__ import annotations

from datetime import date, timedelta

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from donations.donors import donor_by_id, erase_donor
from shop.people import shown_phone
from donations.errors import DonationError
from donations.intake import donation_id_of, goods_shop_of, load_donation, recent_donations
from donations.makers import (
    consign_goods, maker_by_id, makers_of, record_payout, register_maker, set_maker_terms, terms_changes_of,
)
from inventory.catalogue import categories_of, item_by_barcode
from inventory.errors import InventoryError
from pos.donor_impact import donor_impact
from pos.maker_payouts import makers_owed
from pos.maker_statements import maker_statement
from pos.paper import CONDITION_WORDS
from shop.errors import DomainError
from shop.money import parse_yuan
from shop.staff import Role
from web.auth import StaffUser, requires_role
from web.i18n import domain_error_message, print_warnings
from web.inputs import Form, RowId, Text
from web.intake import statement_period
from web.pages import _page
from web.shopfront import Front, Shopfront, locale_of


def _is_manager(request: Request) -> bool:
    return Role(request.user.role).allows(Role.MANAGER)


def _phone(request: Request, phone: str) -> str:
    return shown_phone(phone, Role(request.user.role))


class DonationPages(Controller):
    path = "/intake/donations"
    opt = requires_role(Role.INTAKE)
    include_in_schema = False

    @get("/")
    async def recent(self, request: Request, front: Front) -> Template:
        return _page(request, "donations.html",
                     donations=await recent_donations(shop_id=front.shop_id, limit=200))

    @get("/{number:str}")
    async def show(self, request: Request, front: Front, number: FromPath[Text]) -> Template:
        donation_id = donation_id_of(number)
        if donation_id is None:
            raise DomainError(DonationError.UNKNOWN_DONATION, number=number[:20])
        donation = await load_donation(donation_id, shop_id=front.shop_id)
        slip = await front.paper.donation_slip(donation, shop_id=front.shop_id)
        return _page(request, "donation.html", donation=donation, slip=front.paper.donation_slip_preview(slip),
                     conditions=CONDITION_WORDS)


class DonorPages(Controller):
    path = "/intake/donors"
    opt = requires_role(Role.INTAKE)
    include_in_schema = False

    @get("/{donor_id:int}")
    async def show(self, request: Request, front: Front, donor_id: FromPath[RowId]) -> Template:
        shop_id = front.shop_id
        donor = await donor_by_id(shop_id=shop_id, donor_id=donor_id)
        return _page(request, "donor.html", donor=donor, phone=_phone(request, donor.phone),
                     impact=await donor_impact(shop_id=shop_id, donor_id=donor_id), manager=_is_manager(request),
                     donations=await recent_donations(shop_id=shop_id, donor_id=donor_id, limit=200))

    @post("/{donor_id:int}/erase", status_code=200, opt=requires_role(Role.MANAGER))
    async def erase(self, front: Front, donor_id: FromPath[RowId]) -> Redirect:
        await erase_donor(shop_id=front.shop_id, donor_id=donor_id)
        return Redirect(f"/intake/donors/{donor_id}")


class MakerForm(Form):
    name: str = ""
    phone: str = ""


class GoodsForm(Form):
    category: str = ""
    name: str = ""
    price: str = ""
    quantity: str = "1"
    barcode: str = ""


class TermsForm(Form):
    fund_percent: str = ""
    maker_percent: str = ""


class PayoutForm(Form):
    amount: str = ""
    method: str = "cash"
    note: str = ""


def _fen(text: str, code: InventoryError | DonationError) -> int:
    try:
        return parse_yuan(text.strip())
    except ValueError:
        raise DomainError(code, price=text.strip()[:20], amount=text.strip()[:20], minimum=1,
                          maximum=10_000_000) from None


def _whole(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else None


class MakerPages(Controller):
    path = "/intake/makers"
    opt = requires_role(Role.INTAKE)
    include_in_schema = False

    @get("/")
    async def makers(self, request: Request, front: Front) -> Template:
        return await self._makers(request, front)

    async def _makers(self, request: Request, front: Shopfront, error: str = "") -> Template:
        shop_id = front.shop_id
        figures = {m.maker_id: m for m in await makers_owed(shop_id=shop_id)}  # owed, earned net of returns, paid
        return _page(request, "makers.html", error=error,
                     makers=[(m, _phone(request, m.phone), figures[m.id]) for m in await makers_of(shop_id=shop_id)])

    @post("/", status_code=200)
    async def register(self, request: Request, front: Front, data: URLEncodedBody[MakerForm]) -> Template | Redirect:
        try:
            maker_id = await register_maker(shop_id=front.shop_id, name=data.name, phone=data.phone)
        except DomainError as error:
            return await self._makers(request, front, domain_error_message(locale_of(request), error))
        return Redirect(f"/intake/makers/{maker_id}")

    @get("/{maker_id:int}")
    async def maker(self, request: Request, front: Front, maker_id: FromPath[RowId],
                    start: FromQuery[date | None] = None, end: FromQuery[date | None] = None,
                    added: FromQuery[Text] = "") -> Template:
        return await self._maker(request, front, maker_id, start=start, end=end,
                                 added=added if added.isdigit() and len(added) == 13 else "")

    async def _maker(self, request: Request, front: Shopfront, maker_id: int, *, start: date | None = None,
                     end: date | None = None, error: str = "", added: str = "") -> Template:
        zone = front.settings.zone
        maker = await maker_by_id(shop_id=front.shop_id, maker_id=maker_id)
        first, last = statement_period(zone, start, end)
        statement = await maker_statement(shop_id=front.shop_id, maker_id=maker_id, start=first, end=last)
        locale = locale_of(request)
        try:  # at a station, the crafts categories of the shop it feeds, where the goods go
            goods_shop = await goods_shop_of(front.shop_id)
        except DomainError:  # a station that feeds no shop: none (taking goods in says why)
            goods_shop = front.shop_id
        crafts = [(c.code, c.name if locale == "zh_CN" or not c.name_en else c.name_en)
                  for c in await categories_of(shop_id=goods_shop) if c.source == "handicraft"]
        added_item = await item_by_barcode(shop_id=goods_shop, barcode=added) if added else None
        warnings = print_warnings(locale, maker.name, added_item.name if added_item else "")  # what prints as □
        return _page(request, "maker.html", maker=maker, phone=_phone(request, maker.phone), statement=statement,
                     warnings=warnings,
                     start=first.astimezone(zone).date(), end=last.astimezone(zone).date() - timedelta(days=1),
                     zone=zone, crafts=crafts, manager=_is_manager(request), error=error, added=added,
                     terms_changes=await terms_changes_of(shop_id=front.shop_id, maker_id=maker_id))

    @post("/{maker_id:int}/goods", status_code=200)  # at a station: into the fed shop's stock (consign_goods)
    async def goods(self, request: Request[StaffUser, dict, object], front: Front, maker_id: FromPath[RowId],
                    data: URLEncodedBody[GoodsForm]) -> Template | Redirect:
        try:
            quantity = _whole(data.quantity)
            paper = front.paper.at_intake(shop_id=front.shop_id, slip=False, labels=True)
            consigned = await consign_goods(
                shop_id=front.shop_id, maker_id=maker_id, category_code=data.category, name=data.name,
                price_fen=_fen(data.price, InventoryError.BAD_PRICE), quantity=0 if quantity is None else quantity,
                staff_id=request.user.id, barcode=data.barcode, paper=paper)
        except DomainError as error:
            return await self._maker(request, front, maker_id, error=domain_error_message(locale_of(request), error))
        if paper.queued:
            front.printing.wake()
        return Redirect(f"/intake/makers/{maker_id}?added={consigned.barcode}")

    @post("/{maker_id:int}/terms", status_code=200, opt=requires_role(Role.MANAGER))
    async def terms(self, request: Request[StaffUser, dict, object], front: Front, maker_id: FromPath[RowId],
                    data: URLEncodedBody[TermsForm]) -> Template | Redirect:
        try:
            fund, maker = data.fund_percent.strip(), data.maker_percent.strip()
            await set_maker_terms(shop_id=front.shop_id, maker_id=maker_id,
                                  fund_percent=_whole(fund) if fund else None,
                                  maker_percent=_whole(maker) if maker else None, by=request.user.id)
        except DomainError as error:
            return await self._maker(request, front, maker_id, error=domain_error_message(locale_of(request), error))
        return Redirect(f"/intake/makers/{maker_id}")

    @post("/{maker_id:int}/payouts", status_code=200, opt=requires_role(Role.MANAGER))
    async def payout(self, request: Request[StaffUser, dict, object], front: Front, maker_id: FromPath[RowId],
                     data: URLEncodedBody[PayoutForm]) -> Template | Redirect:
        try:
            await record_payout(shop_id=front.shop_id, maker_id=maker_id,
                                amount_fen=_fen(data.amount, DonationError.BAD_PAYOUT), method=data.method,
                                note=data.note, staff_id=request.user.id)
        except DomainError as error:
            return await self._maker(request, front, maker_id, error=domain_error_message(locale_of(request), error))
        return Redirect(f"/intake/makers/{maker_id}")

"""Services for points, with vouchers (/api/lovebank/offers, /api/lovebank/redemptions, the page /lovebank/offers):
the menu of services, a member's points held on a voucher printed at the desk, the voucher delivered or cancelled
by its number (typed or scanned). Parse, one call, return; lovebank/vouchers.py keeps the rules.

A second deliver or cancel of the same voucher is refused (409 "voucher-settled"), not answered again: once
settled, a voucher's points have gone where they were sent, and a cancel after a deliver must never pass.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody, URLEncodedBody
from litestar.response import Redirect, Template

from lovebank import passbook, vouchers
from lovebank.errors import LoveBankError
from lovebank.vouchers import OfferInfo, VoucherInfo
from printing.queue import Job, find_job
from shop.errors import DomainError
from shop.staff import Role
from web.auth import StaffUser, requires_role
from web.i18n import N_, domain_error_message
from web.inputs import BodyRowId, Form, In, RowId, Text, form_whole
from web.pages import _page
from web.shopfront import Front, Shopfront, locale_of

VOUCHER_STATUS_WORDS = {"held": N_("points held"), "delivered": N_("delivered"), "cancelled": N_("cancelled")}
DONE_WORDS = {"offered": N_("The service is on the menu."), "withdrawn": N_("The service is off the menu."),
              "redeemed": N_("Voucher made: its points are held, and it is printing."),
              "delivered": N_("Delivered: the points went to the provider."),
              "cancelled": N_("Cancelled: the points went back to the member."),
              "printed": N_("Printing the voucher again.")}


class OfferIn(In):
    name: str
    points: int
    provider_member_id: BodyRowId | None = None  # a member gives the service (and earns its points) …
    partner: str = ""  # … or a partner organisation, by name


class OfferOut(msgspec.Struct):
    id: int
    name: str
    points: int
    provider_member_id: int | None
    provider_number: str
    partner: str
    status: str


def _offer_out(offer: OfferInfo) -> OfferOut:
    return OfferOut(id=offer.id, name=offer.name, points=offer.points, provider_member_id=offer.provider_member_id,
                    provider_number=offer.provider_number, partner=offer.partner, status=offer.status)


class RedemptionIn(In):
    offer_id: BodyRowId
    member: str  # the member's number or card code, as at the till
    idempotency_key: str


class VoucherOut(msgspec.Struct):
    number: str
    offer_id: int
    service: str
    points: int
    member_number: str
    provider: str
    provider_member_id: int | None
    partner: str
    status: str  # held | delivered | cancelled
    created_at: datetime
    settled_at: datetime | None
    replayed: bool = False  # the same request again: this is the first answer, nothing was written


def _voucher_out(voucher: VoucherInfo) -> VoucherOut:
    return VoucherOut(number=voucher.number, offer_id=voucher.offer_id, service=voucher.service,
                      points=voucher.points, member_number=voucher.member_number, provider=voucher.provider,
                      provider_member_id=voucher.provider_member_id, partner=voucher.partner, status=voucher.status,
                      created_at=voucher.entered_at, settled_at=voucher.settled_at, replayed=voucher.replayed)


async def _redeem(request: Request, front: Shopfront, *, offer_id: int, member: str, key: str) -> VoucherInfo:
    voucher = await vouchers.redeem(shop_id=front.shop_id, offer_id=offer_id, member=member, idempotency_key=key,
                                    staff_id=request.user.id, paper=front.paper)
    front.printing.wake()
    return voucher


async def _reprint(front: Shopfront, number: str) -> tuple[VoucherInfo, int]:
    """The voucher printed again, marked 重打: its print job."""
    voucher = await vouchers.voucher_by_number(shop_id=front.shop_id, number=number)
    job_id = await front.paper.print_voucher(voucher, shop_id=front.shop_id, copy=True)
    front.printing.wake()
    return voucher, job_id


class VouchersApi(Controller):
    path = "/api/lovebank"
    opt = requires_role(Role.COORDINATOR)
    tags = ["love bank"]

    @get("/offers", summary="The menu: this shop's services offered for points, active ones")
    async def menu(self, front: Front) -> list[OfferOut]:
        return [_offer_out(offer) for offer in await vouchers.menu(shop_id=front.shop_id)]

    @post("/offers", summary="Offer a service for points, given by a member (provider_member_id) or a partner "
          "organisation (partner): exactly one", status_code=201)
    async def add(self, request: Request[StaffUser, dict, object], front: Front, data: JSONBody[OfferIn]) -> OfferOut:
        return _offer_out(await vouchers.add_offer(
            shop_id=front.shop_id, name=data.name, points=data.points, staff_id=request.user.id,
            provider_member_id=data.provider_member_id, partner=data.partner))

    @post("/offers/{offer_id:int}/withdraw", summary="Take an offer off the menu (its vouchers stay valid)",
          status_code=200)
    async def withdraw(self, request: Request[StaffUser, dict, object], front: Front,
                       offer_id: FromPath[RowId]) -> OfferOut:
        return _offer_out(await vouchers.withdraw_offer(shop_id=front.shop_id, offer_id=offer_id,
                                                        staff_id=request.user.id))

    @post("/redemptions", summary="A member redeems an offer: their points are held on a voucher, printed on the "
          "receipt printer (idempotent by idempotency_key)", status_code=201)
    async def redeem(self, request: Request[StaffUser, dict, object], front: Front,
                     data: JSONBody[RedemptionIn]) -> VoucherOut:
        return _voucher_out(await _redeem(request, front, offer_id=data.offer_id, member=data.member,
                                          key=data.idempotency_key))

    @get("/redemptions", summary="This shop's vouchers still held, oldest first")
    async def held(self, front: Front) -> list[VoucherOut]:
        return [_voucher_out(v) for v in await vouchers.held_vouchers(shop_id=front.shop_id)]

    @get("/redemptions/{number:str}", summary="A voucher by its number")
    async def show(self, front: Front, number: FromPath[Text]) -> VoucherOut:
        return _voucher_out(await vouchers.voucher_by_number(shop_id=front.shop_id, number=number))

    @get("/redemptions/{number:str}/preview", summary="The voucher's text, as on paper")
    async def preview(self, front: Front, number: FromPath[Text]) -> list[str]:
        voucher = await vouchers.voucher_by_number(shop_id=front.shop_id, number=number)
        return front.paper.voucher_preview(front.paper.voucher(voucher))

    @post("/redemptions/{number:str}/deliver", summary="The service was given: the held points go to the providing "
          "member, or out of circulation for a partner (once)", status_code=200)
    async def deliver(self, request: Request[StaffUser, dict, object], front: Front,
                      number: FromPath[Text]) -> VoucherOut:
        return _voucher_out(await vouchers.deliver(shop_id=front.shop_id, number=number, staff_id=request.user.id))

    @post("/redemptions/{number:str}/cancel", summary="The service will not be given: the held points go back to "
          "the member (once)", status_code=200)
    async def cancel(self, request: Request[StaffUser, dict, object], front: Front,
                     number: FromPath[Text]) -> VoucherOut:
        return _voucher_out(await vouchers.cancel(shop_id=front.shop_id, number=number, staff_id=request.user.id))

    @post("/redemptions/{number:str}/print", summary="Print the voucher again (marked 重打) on the receipt printer",
          status_code=202)
    async def reprint(self, front: Front, number: FromPath[Text]) -> Job:
        _, job_id = await _reprint(front, number)
        return await find_job(shop_id=front.shop_id, job_id=job_id)

    @get("/members/{member_id:int}/vouchers", summary="The vouchers a member redeemed or provides, newest first")
    async def of_member(self, front: Front, member_id: FromPath[RowId]) -> list[VoucherOut]:
        await passbook.member_by_id(member_id=member_id)
        return [_voucher_out(v) for v in await vouchers.vouchers_of(member_id=member_id)]


# -- the coordinator's page ------------------------------------------------------------------------------------


class OfferForm(Form):
    name: str = ""
    points: str = ""
    provider: str = ""  # a member's number or card code …
    partner: str = ""  # … or a partner organisation's name


class RedeemForm(Form):
    offer_id: str = ""
    member: str = ""
    idempotency_key: str = ""


class VoucherForm(Form):
    number: str = ""


class VoucherPages(Controller):
    path = "/lovebank"
    opt = requires_role(Role.COORDINATOR)
    include_in_schema = False

    @get("/offers")
    async def offers(self, request: Request, front: Front, voucher: FromQuery[Text] = "",
                     done: FromQuery[Text] = "") -> Template:
        return await self._offers(request, front, shown=voucher, done=done)

    async def _offers(self, request: Request, front: Shopfront, *, shown: str = "", done: str = "",
                      error: str = "") -> Template:
        preview = []
        if shown:
            found = await vouchers.voucher_by_number(shop_id=front.shop_id, number=shown)
            preview = front.paper.voucher_preview(front.paper.voucher(found))
        return _page(request, "lovebank_offers.html", error=error, done=done, shown=shown, preview=preview,
                     menu=await vouchers.menu(shop_id=front.shop_id),
                     held=await vouchers.held_vouchers(shop_id=front.shop_id), key=uuid.uuid4().hex,
                     done_words=DONE_WORDS)

    async def _refused(self, request: Request, front: Shopfront, error: DomainError) -> Template:
        return await self._offers(request, front, error=domain_error_message(locale_of(request), error))

    @post("/offers", status_code=200)
    async def add(self, request: Request[StaffUser, dict, object], front: Front,
                  data: URLEncodedBody[OfferForm]) -> Template | Redirect:
        try:
            provider = (await passbook.member_for_till(code=data.provider)).id if data.provider.strip() else None
            await vouchers.add_offer(shop_id=front.shop_id, name=data.name, points=form_whole(data.points),
                                     staff_id=request.user.id, provider_member_id=provider, partner=data.partner)
        except DomainError as error:
            return await self._refused(request, front, error)
        return Redirect("/lovebank/offers?done=offered")

    @post("/offers/{offer_id:int}/withdraw", status_code=200)
    async def withdraw(self, request: Request[StaffUser, dict, object], front: Front,
                       offer_id: FromPath[RowId]) -> Template | Redirect:
        try:
            await vouchers.withdraw_offer(shop_id=front.shop_id, offer_id=offer_id, staff_id=request.user.id)
        except DomainError as error:
            return await self._refused(request, front, error)
        return Redirect("/lovebank/offers?done=withdrawn")

    @post("/redemptions", status_code=200)
    async def redeem(self, request: Request[StaffUser, dict, object], front: Front,
                     data: URLEncodedBody[RedeemForm]) -> Template | Redirect:
        try:
            offer_id = form_whole(data.offer_id)
            if offer_id < 1:
                raise DomainError(LoveBankError.UNKNOWN_OFFER, offer=data.offer_id[:16])
            voucher = await _redeem(request, front, offer_id=offer_id, member=data.member, key=data.idempotency_key)
        except DomainError as error:  # nothing was written: the page comes back with a new key
            return await self._refused(request, front, error)
        return Redirect(f"/lovebank/offers?voucher={voucher.number}&done=redeemed")

    async def _settled(self, request: Request, front: Shopfront, number: str, work) -> Template | Redirect:
        try:
            voucher = await work(shop_id=front.shop_id, number=number, staff_id=request.user.id)
        except DomainError as error:
            return await self._refused(request, front, error)
        return Redirect(f"/lovebank/offers?voucher={voucher.number}&done={voucher.status}")

    @post("/redemptions/deliver", status_code=200)
    async def deliver(self, request: Request[StaffUser, dict, object], front: Front,
                      data: URLEncodedBody[VoucherForm]) -> Template | Redirect:
        return await self._settled(request, front, data.number, vouchers.deliver)

    @post("/redemptions/cancel", status_code=200)
    async def cancel(self, request: Request[StaffUser, dict, object], front: Front,
                     data: URLEncodedBody[VoucherForm]) -> Template | Redirect:
        return await self._settled(request, front, data.number, vouchers.cancel)

    @post("/redemptions/print", status_code=200)
    async def reprint(self, request: Request[StaffUser, dict, object], front: Front,
                      data: URLEncodedBody[VoucherForm]) -> Template | Redirect:
        try:
            voucher, _ = await _reprint(front, data.number)
        except DomainError as error:
            return await self._refused(request, front, error)
        return Redirect(f"/lovebank/offers?voucher={voucher.number}&done=printed")

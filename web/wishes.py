"""The wish wall's screen and API (/wishes, /api/wishes): residents' small wishes (微心愿) posted for a household,
claimed by a member or a registered donor, fulfilled from stock, with the donor's own goods or with service, then
thanked; and the open wishes printed for the notice board on config.toml's receipt printer. Parse, one call, return.

A household is only ever its reference (H-2026-017): the wall, the API and the printed list never name it.
"""

from __future__ import annotations

from datetime import date, datetime

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody, URLEncodedBody
from litestar.response import Redirect, Template

from donations.intake import GivenItem, donation_id_of
from lovebank import wishes
from lovebank.errors import LoveBankError
from lovebank.wishes import STATUSES, WishInfo
from pos import wishes as fulfilling
from pos.checkout import source_rules
from printing.queue import Job, find_job
from shop.errors import DomainError
from shop.staff import Role
from web.auth import StaffUser, requires_role
from web.i18n import N_, domain_error_message
from web.inputs import BodyRowId, Form, In, RowId, Text, form_date, form_whole
from web.intake import GivenItemIn
from web.pages import _page
from web.shopfront import Front, Shopfront, locale_of

STATUS_WORDS = {"posted": N_("waiting to be claimed"), "claimed": N_("claimed"), "fulfilled": N_("fulfilled"),
                "thanked": N_("thanked"), "withdrawn": N_("withdrawn")}
KIND_WORDS = {"goods": N_("goods"), "service": N_("service")}
HOW_WORDS = {"stock": N_("goods from stock"), "donation": N_("the donor's own goods"), "service": N_("service")}


class WishIn(In):
    household_ref: str
    text: str
    kind: str  # goods | service


class ClaimIn(In):
    member: str = ""  # a member's number or card code
    donor_id: BodyRowId | None = None  # or a registered donor


class DonationGoodsIn(In):
    items: list[GivenItemIn]


class FulfilIn(In):
    """One way of three: `barcodes` (goods from stock), `donation` or `donation_id` (the claiming donor's own goods),
    or the service fields."""

    barcodes: list[str] | None = None
    donation: DonationGoodsIn | None = None
    donation_id: BodyRowId | None = None
    half_hours: int | None = None
    witness: str = ""
    served_on: date | None = None
    start_time: str = ""
    place: str = ""
    service_type: str = ""


class ThankIn(In):
    note: str = ""


class WithdrawIn(In):
    reason: str


def _today(front: Shopfront) -> date:
    return datetime.now(front.settings.zone).date()


def _given(items: list[GivenItemIn]) -> list[GivenItem]:
    return [GivenItem(category=i.category, description=i.description, condition=i.condition, quantity=i.quantity,
                      price_fen=i.price_fen, expires_on=i.expires_on, barcode=i.barcode,
                      refused_reason=i.refused_reason) for i in items]


async def _fulfil(request: Request, front: Shopfront, wish_id: int, data: FulfilIn) -> WishInfo:
    shop_id, staff_id = front.shop_id, request.user.id
    if data.barcodes is not None:
        return await fulfilling.fulfil_from_stock(shop_id=shop_id, wish_id=wish_id, barcodes=data.barcodes,
                                                  staff_id=staff_id, source_rules=source_rules(front.settings.split))
    if data.donation is not None or data.donation_id is not None:
        return await fulfilling.fulfil_with_donation(
            shop_id=shop_id, wish_id=wish_id, staff_id=staff_id, today=_today(front), donation_id=data.donation_id,
            items=_given(data.donation.items) if data.donation is not None else ())
    if data.half_hours is None:
        raise DomainError(LoveBankError.WISH_NO_GOODS, maximum=fulfilling.MAX_PIECES)
    if data.served_on is None:
        raise DomainError(LoveBankError.BAD_SERVICE_DATE, date="")
    lovebank = front.settings.lovebank
    return await fulfilling.fulfil_with_service(
        shop_id=shop_id, wish_id=wish_id, staff_id=staff_id, half_hours=data.half_hours, witness=data.witness,
        served_on=data.served_on, start_time=data.start_time, place=data.place, today=_today(front),
        types=lovebank.service_types, max_hours=lovebank.max_hours, service_type=data.service_type)


class WishesApi(Controller):
    path = "/api/wishes"
    opt = requires_role(Role.COORDINATOR)
    tags = ["wish wall"]

    @get("/", summary="The wall's wishes, newest first; ?status=posted|claimed|fulfilled|thanked|withdrawn, or open")
    async def wall(self, front: Front, status: FromQuery[Text] = "") -> list[WishInfo]:
        return await wishes.wishes(shop_id=front.shop_id, status=status or None)

    @post("/", summary="Post a household's wish (its reference, never a name or phone)", status_code=201)
    async def post_wish(self, request: Request[StaffUser, dict, object], front: Front,
                        data: JSONBody[WishIn]) -> WishInfo:
        return await fulfilling.post_wish(shop_id=front.shop_id, household=data.household_ref, text=data.text,
                                          kind=data.kind, staff_id=request.user.id)

    @get("/{wish_id:int}", summary="One wish")
    async def show(self, front: Front, wish_id: FromPath[RowId]) -> WishInfo:
        return await wishes.wish_by_id(shop_id=front.shop_id, wish_id=wish_id)

    @post("/{wish_id:int}/claim", summary="A member (number or card code) or a registered donor claims a posted wish",
          status_code=200)
    async def claim(self, request: Request[StaffUser, dict, object], front: Front, wish_id: FromPath[RowId],
                    data: JSONBody[ClaimIn]) -> WishInfo:
        return await fulfilling.claim_wish(shop_id=front.shop_id, wish_id=wish_id, staff_id=request.user.id,
                                           member_code=data.member or None, donor_id=data.donor_id)

    @post("/{wish_id:int}/fulfil", summary="Fulfil a claimed wish: goods from stock (the fund pays), the donor's own "
          "goods, or the member's service (pending approval)", status_code=200)
    async def fulfil(self, request: Request[StaffUser, dict, object], front: Front, wish_id: FromPath[RowId],
                     data: JSONBody[FulfilIn]) -> WishInfo:
        return await _fulfil(request, front, wish_id, data)

    @post("/{wish_id:int}/thank", summary="The household's thanks for a fulfilled wish (an optional note)",
          status_code=200)
    async def thank(self, front: Front, wish_id: FromPath[RowId], data: JSONBody[ThankIn]) -> WishInfo:
        return await wishes.thank_wish(shop_id=front.shop_id, wish_id=wish_id, note=data.note)

    @post("/{wish_id:int}/withdraw", summary="Take a posted wish off the wall, with the reason", status_code=200)
    async def withdraw(self, front: Front, wish_id: FromPath[RowId], data: JSONBody[WithdrawIn]) -> WishInfo:
        return await wishes.withdraw_wish(shop_id=front.shop_id, wish_id=wish_id, reason=data.reason)

    @post("/print", summary="Print the open wishes for the notice board on config.toml's receipt printer",
          status_code=202)
    async def print_list(self, front: Front) -> Job:
        job_id, _ = await front.paper.print_wish_list(shop_id=front.shop_id)
        front.printing.wake()
        return await find_job(shop_id=front.shop_id, job_id=job_id)


# -- the coordinator's page ---------------------------------------------------------------------------------


class WishForm(Form):
    household_ref: str = ""
    text: str = ""
    kind: str = ""


class ClaimForm(Form):
    member: str = ""
    donor_id: str = ""


class FulfilForm(Form):
    how: str = ""  # stock | donation | service
    barcodes: str = ""  # scanned one after another, each on its line
    donation: str = ""  # a donation's number (D00000012)
    half_hours: str = ""
    witness: str = ""
    served_on: str = ""
    start_time: str = ""
    place: str = ""


class NoteForm(Form):
    note: str = ""


class WishesPage(Controller):
    path = "/wishes"
    opt = requires_role(Role.COORDINATOR)
    include_in_schema = False

    @get("/")
    async def wall(self, request: Request, front: Front, status: FromQuery[Text] = "",
                   printed: FromQuery[Text] = "") -> Template:
        return await self._wall(request, front, status=status, printed=bool(printed))

    async def _wall(self, request: Request, front: Shopfront, *, status: str = "", error: str = "",
                    printed: bool = False, preview: list[str] | None = None) -> Template:
        shown = status if status in STATUSES else ""
        found = await wishes.wishes(shop_id=front.shop_id, status=shown or None)
        return _page(request, "wishes.html", status=shown, statuses=STATUSES, error=error, printed=printed,
                     preview=preview or [], status_words=STATUS_WORDS, kind_words=KIND_WORDS, how_words=HOW_WORDS,
                     by_status={s: [w for w in found if w.status == s] for s in STATUSES},
                     today=_today(front).isoformat(), zone=front.settings.zone)

    async def _done(self, request: Request, front: Shopfront, work) -> Template | Redirect:
        try:
            await work()
        except DomainError as error:
            return await self._wall(request, front, error=domain_error_message(locale_of(request), error))
        return Redirect("/wishes")

    @post("/", status_code=200)
    async def post_wish(self, request: Request[StaffUser, dict, object], front: Front,
                        data: URLEncodedBody[WishForm]) -> Template | Redirect:
        return await self._done(request, front, lambda: fulfilling.post_wish(
            shop_id=front.shop_id, household=data.household_ref, text=data.text, kind=data.kind,
            staff_id=request.user.id))

    @post("/{wish_id:int}/claim", status_code=200)
    async def claim(self, request: Request[StaffUser, dict, object], front: Front, wish_id: FromPath[RowId],
                    data: URLEncodedBody[ClaimForm]) -> Template | Redirect:
        donor = data.donor_id.strip()
        return await self._done(request, front, lambda: fulfilling.claim_wish(
            shop_id=front.shop_id, wish_id=wish_id, staff_id=request.user.id, member_code=data.member or None,
            donor_id=(form_whole(donor) if donor else None)))

    @post("/{wish_id:int}/fulfil", status_code=200)
    async def fulfil(self, request: Request[StaffUser, dict, object], front: Front, wish_id: FromPath[RowId],
                     data: URLEncodedBody[FulfilForm]) -> Template | Redirect:
        if data.how == "stock":
            given = FulfilIn(barcodes=data.barcodes.split())
        elif data.how == "donation":
            given = FulfilIn(donation_id=donation_id_of(data.donation) or form_whole(data.donation))
        else:
            given = FulfilIn(half_hours=form_whole(data.half_hours), witness=data.witness, served_on=form_date(data.served_on),
                             start_time=data.start_time, place=data.place)
        return await self._done(request, front, lambda: _fulfil(request, front, wish_id, given))

    @post("/{wish_id:int}/thank", status_code=200)
    async def thank(self, request: Request, front: Front, wish_id: FromPath[RowId],
                    data: URLEncodedBody[NoteForm]) -> Template | Redirect:
        return await self._done(request, front, lambda: wishes.thank_wish(shop_id=front.shop_id, wish_id=wish_id,
                                                                          note=data.note))

    @post("/{wish_id:int}/withdraw", status_code=200)
    async def withdraw(self, request: Request, front: Front, wish_id: FromPath[RowId],
                       data: URLEncodedBody[NoteForm]) -> Template | Redirect:
        return await self._done(request, front, lambda: wishes.withdraw_wish(shop_id=front.shop_id, wish_id=wish_id,
                                                                             reason=data.note))

    @post("/print", status_code=200)
    async def print_list(self, request: Request, front: Front) -> Template:
        _, preview = await front.paper.print_wish_list(shop_id=front.shop_id)
        front.printing.wake()
        return await self._wall(request, front, printed=True, preview=preview)

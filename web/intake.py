"""The intake desk's JSON API: donors, donations, makers and their goods. Parse, one call, return.

At a station the desk takes donations and a maker's goods in for the shop it feeds (donations/intake.py:
goods_shop_of): the donors, the makers, the donations and the slips are the station's, the categories (and their
starting prices), the catalogue and the goods that shop's.

Phones are masked for everyone but managers. Labels and donation slips print on the
intake desk's printer (pos/paper.py: the one assigned to the desk, else [labels] in config.toml);
a donation's labels are one print job, committed with the donation.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from donations.donors import DonorInfo, donor_by_id, erase_donor, find_donors, register_donor
from shop.people import shown_phone
from donations.errors import DonationError
from donations.intake import (
    DonationRecord, DonationSummary, GivenItem, donation_id_of, goods_shop_of, load_donation, recent_donations,
    register_donation,
)
from donations.makers import (
    MakerInfo, consign_goods, maker_by_id, makers_of, owed_to, record_payout, register_maker, set_maker_terms,
)
from donations.shifts import IntakeShiftInfo, open_intake_shift, open_shift_of
from inventory.barcodes import normalize_barcode
from inventory.catalogue import (
    CategoryInfo, Condition, categories_of, item_by_barcode, set_default_prices,
)
from inventory.errors import InventoryError
from lovebank.passbook import ServiceInfo
from pos.donor_impact import DonorImpact, donor_impact
from pos.maker_statements import MakerStatement, maker_statement
from pos.reports import check_day
from pos.shifts import ShiftRule, close_intake_shift
from printing.queue import Job, find_job
from shop.errors import DomainError
from shop.staff import Role
from web.auth import StaffUser, requires_role
from web.inputs import BodyRowId, In, RowId, Text
from web.i18n import print_warnings
from web.shopfront import Front, Shopfront, locale_of


class DonorIn(In):
    name: str = ""  # empty: anonymous
    phone: str = ""
    may_contact: bool = False


class DonorOut(msgspec.Struct):
    id: int
    name: str
    anonymous: bool
    phone: str  # masked unless the reader is a manager
    may_contact: bool
    created_at: datetime
    warnings: list[str] = msgspec.field(default_factory=list)  # what prints as □ (print_warnings)


def _donor_out(request: Request, donor: DonorInfo, warnings: list[str] | None = None) -> DonorOut:
    return DonorOut(id=donor.id, name=donor.name, anonymous=donor.anonymous,
                    phone=shown_phone(donor.phone, Role(request.user.role)),
                    may_contact=donor.may_contact, created_at=donor.created_at, warnings=warnings or [])


class DonorPage(msgspec.Struct):
    donor: DonorOut
    impact: DonorImpact
    donations: list[DonationSummary]


class DonorsApi(Controller):
    path = "/api/donors"
    opt = requires_role(Role.INTAKE)
    tags = ["intake"]

    @get("/", summary="Find donors by name or by the last four digits of their phone (exactly four)")
    async def find(self, request: Request, front: Front, q: FromQuery[Text] = "") -> list[DonorOut]:
        return [_donor_out(request, d) for d in await find_donors(shop_id=front.shop_id, text=q)]

    @post("/", summary="Register a donor (an empty name: anonymous)", status_code=201)
    async def register(self, request: Request[StaffUser, dict, object], front: Front,
                       data: JSONBody[DonorIn]) -> DonorOut:
        donor = await register_donor(shop_id=front.shop_id, name=data.name, phone=data.phone,
                                     may_contact=data.may_contact, staff_id=request.user.id)
        return _donor_out(request, donor, print_warnings(locale_of(request), data.name))

    @get("/{donor_id:int}", summary="A donor, their impact and their donations")
    async def show(self, request: Request, front: Front, donor_id: FromPath[RowId]) -> DonorPage:
        shop_id = front.shop_id
        donor = await donor_by_id(shop_id=shop_id, donor_id=donor_id)
        return DonorPage(donor=_donor_out(request, donor), impact=await donor_impact(shop_id=shop_id, donor_id=donor_id),
                         donations=await recent_donations(shop_id=shop_id, donor_id=donor_id))


    @get("/{donor_id:int}/export", summary="Everything kept about a donor, for them to take (managers)",
         opt=requires_role(Role.MANAGER))
    async def export(self, request: Request, front: Front, donor_id: FromPath[RowId]) -> DonorExport:
        shop_id = front.shop_id
        donor = await donor_by_id(shop_id=shop_id, donor_id=donor_id)
        summaries = await recent_donations(shop_id=shop_id, donor_id=donor_id, limit=10_000)
        return DonorExport(donor=_donor_out(request, donor), donations=[
            await load_donation(donation_id_of(d.number), shop_id=shop_id) for d in summaries])

    @post("/{donor_id:int}/erase", summary="Erase a donor's name and phone on their request (managers)",
          opt=requires_role(Role.MANAGER), status_code=200)
    async def erase(self, request: Request, front: Front, donor_id: FromPath[RowId]) -> DonorOut:
        return _donor_out(request, await erase_donor(shop_id=front.shop_id, donor_id=donor_id))


class DonorExport(msgspec.Struct):
    donor: DonorOut
    donations: list[DonationRecord]


class GivenItemIn(In):
    category: str
    description: str
    condition: str
    quantity: int = 1
    price_fen: int | None = None
    expires_on: date | None = None
    barcode: str = ""
    refused_reason: str = ""


class DonationIn(In):
    idempotency_key: str
    items: list[GivenItemIn]
    donor_id: BodyRowId | None = None  # none: an anonymous gift
    received_on: date | None = None  # default: today
    print_labels: bool = True
    print_slip: bool = False


class DonationOut(msgspec.Struct):
    donation: DonationRecord
    label_codes: list[str]  # one per label printed (pieces with the shop's own code)
    labels_job: int | None
    slip_job: int | None
    replayed: bool
    warnings: list[str] = msgspec.field(default_factory=list)  # what prints as □ on the labels


class DonationsApi(Controller):
    path = "/api/donations"
    opt = requires_role(Role.INTAKE)
    tags = ["intake"]

    @post("/", summary="Record a donation and its items (idempotent by idempotency_key)", status_code=201)
    async def register(self, request: Request[StaffUser, dict, object], front: Front,
                       data: JSONBody[DonationIn]) -> Response[DonationOut]:
        paper = front.paper.at_intake(shop_id=front.shop_id, slip=data.print_slip, labels=data.print_labels)
        donation = await register_donation(
            shop_id=front.shop_id, volunteer_id=request.user.id, donor_id=data.donor_id,
            today=datetime.now(front.settings.zone).date(), received_on=data.received_on,
            idempotency_key=data.idempotency_key, paper=paper,
            items=[GivenItem(category=i.category, description=i.description, condition=i.condition,
                             quantity=i.quantity, price_fen=i.price_fen, expires_on=i.expires_on, barcode=i.barcode,
                             refused_reason=i.refused_reason) for i in data.items],
        )
        printed = not donation.replayed and paper.queued
        if printed:
            front.printing.wake()
        out = DonationOut(donation=donation, label_codes=donation.label_codes,
                          labels_job=paper.labels_job if printed else None,
                          slip_job=paper.slip_job if printed else None, replayed=donation.replayed,
                          warnings=print_warnings(locale_of(request), *(i.description for i in data.items)))
        return Response(out, status_code=200 if donation.replayed else 201)

    @get("/", summary="The latest donations, newest first")
    async def recent(self, front: Front) -> list[DonationSummary]:
        return await recent_donations(shop_id=front.shop_id)

    @get("/{number:str}", summary="A donation by its number (as on the slip)")
    async def show(self, front: Front, number: FromPath[Text]) -> DonationRecord:
        return await _donation(front, number)

    @get("/{number:str}/slip", summary="The donation slip's text as it prints")
    async def slip(self, front: Front, number: FromPath[Text]) -> list[str]:
        slip = await front.paper.donation_slip(await _donation(front, number), shop_id=front.shop_id)
        return front.paper.donation_slip_preview(slip)

    @post("/{number:str}/slip", summary="Print the donation slip on the intake desk's printer", status_code=202)
    async def print_slip(self, front: Front, number: FromPath[Text]) -> Job:
        job_id = await front.paper.queue_donation_slip(await _donation(front, number), shop_id=front.shop_id)
        front.printing.wake()
        return await find_job(shop_id=front.shop_id, job_id=job_id)

    @post("/{number:str}/labels", summary="Print the donation's labels again, as one job", status_code=202)
    async def print_labels(self, front: Front, number: FromPath[Text]) -> Job:
        donation = await _donation(front, number)
        if not donation.label_codes:
            raise DomainError(DonationError.NO_LABELS, number=donation.number)
        job_id = await front.paper.queue_donation_labels(donation, shop_id=front.shop_id)
        front.printing.wake()
        return await find_job(shop_id=front.shop_id, job_id=job_id)


async def _donation(front: Shopfront, number: str) -> DonationRecord:
    donation_id = donation_id_of(number)
    if donation_id is None:
        raise DomainError(DonationError.UNKNOWN_DONATION, number=number[:20])
    return await load_donation(donation_id, shop_id=front.shop_id)


class KnownItem(msgspec.Struct):
    barcode: str
    name: str
    category: str
    price_fen: int
    on_hand: int
    active: bool


class DefaultPricesIn(In):
    """Fen per piece by condition; a missing or null condition has no starting price."""

    new: int | None = None
    like_new: int | None = msgspec.field(default=None, name="like-new")
    good: int | None = None
    fair: int | None = None


class IntakeApi(Controller):
    path = "/api/intake"
    opt = requires_role(Role.INTAKE)
    tags = ["intake"]

    @get("/categories", summary="The categories, with their starting price by condition (at a station: of the shop "
                                "it feeds)")
    async def categories(self, front: Front) -> list[CategoryInfo]:
        return await categories_of(shop_id=await goods_shop_of(front.shop_id))

    @get("/items/{barcode:str}", summary="What a maker's barcode already names in the catalogue")
    async def known_item(self, front: Front, barcode: FromPath[Text]) -> KnownItem:
        code = normalize_barcode(barcode)
        if code.startswith("2"):  # the shop's own codes are never a maker's (register_donation says so too)
            raise DomainError(DonationError.IN_STORE_CODE_GIVEN, barcode=code)
        item = await item_by_barcode(shop_id=await goods_shop_of(front.shop_id), barcode=code)
        if item is None:
            raise DomainError(InventoryError.UNKNOWN_BARCODE, barcode=code)
        return KnownItem(barcode=item.barcode, name=item.name, category=item.category_code, price_fen=item.price_fen,
                         on_hand=item.on_hand, active=item.active)

    @put("/categories/{code:str}/prices", summary="Set a category's starting price by condition (managers; at a "
                                                  "station: of the shop it feeds)",
         opt=requires_role(Role.MANAGER))
    async def set_prices(self, front: Front, code: FromPath[Text], data: JSONBody[DefaultPricesIn]) -> CategoryInfo:
        shop_id = await goods_shop_of(front.shop_id)  # at a station: the categories of the shop it feeds
        await set_default_prices(shop_id=shop_id, code=code, prices={
            Condition.NEW: data.new, Condition.LIKE_NEW: data.like_new, Condition.GOOD: data.good,
            Condition.FAIR: data.fair})
        return next(c for c in await categories_of(shop_id=shop_id) if c.code == code)


class MakerIn(In):
    name: str
    phone: str = ""


class MakerOut(msgspec.Struct):
    id: int
    name: str
    phone: str  # masked unless the reader is a manager
    fund_percent: int | None
    maker_percent: int | None
    warnings: list[str] = msgspec.field(default_factory=list)  # what prints as □ (print_warnings)


def _maker_out(request: Request, maker: MakerInfo, warnings: list[str] | None = None) -> MakerOut:
    return MakerOut(id=maker.id, name=maker.name,
                    phone=shown_phone(maker.phone, Role(request.user.role)),
                    fund_percent=maker.fund_percent, maker_percent=maker.maker_percent, warnings=warnings or [])


class TermsIn(In):
    fund_percent: int | None
    maker_percent: int | None


class GoodsIn(In):
    category: str
    name: str
    price_fen: int
    quantity: int = 1
    barcode: str = ""  # more of their goods already on sale, or the maker's own barcode
    print_labels: bool = True


class GoodsOut(msgspec.Struct):
    item_id: int
    barcode: str
    quantity: int
    labels_job: int | None
    warnings: list[str] = msgspec.field(default_factory=list)  # what prints as □ on the labels


class PayoutIn(In):
    amount_fen: int
    method: str  # cash | transfer
    note: str = ""


class PayoutOut(msgspec.Struct):
    id: int
    owed_fen: int  # what is still owed after it


class MakersApi(Controller):
    path = "/api/makers"
    opt = requires_role(Role.INTAKE)
    tags = ["makers"]

    @get("/", summary="The shop's handicraft makers")
    async def list_makers(self, request: Request, front: Front) -> list[MakerOut]:
        return [_maker_out(request, m) for m in await makers_of(shop_id=front.shop_id)]

    @post("/", summary="Register a handicraft maker", status_code=201)
    async def register(self, request: Request, front: Front, data: JSONBody[MakerIn]) -> MakerOut:
        shop_id = front.shop_id
        maker_id = await register_maker(shop_id=shop_id, name=data.name, phone=data.phone)
        return _maker_out(request, await maker_by_id(shop_id=shop_id, maker_id=maker_id),
                          print_warnings(locale_of(request), data.name))

    @get("/{maker_id:int}", summary="A maker and their terms")
    async def show(self, request: Request, front: Front, maker_id: FromPath[RowId]) -> MakerOut:
        return _maker_out(request, await maker_by_id(shop_id=front.shop_id, maker_id=maker_id))

    @put("/{maker_id:int}/terms", summary="Set the maker's split terms, or clear them (managers)",
         opt=requires_role(Role.MANAGER))
    async def terms(self, request: Request[StaffUser, dict, object], front: Front, maker_id: FromPath[RowId],
                    data: JSONBody[TermsIn]) -> MakerOut:
        shop_id = front.shop_id
        await set_maker_terms(shop_id=shop_id, maker_id=maker_id, fund_percent=data.fund_percent,
                              maker_percent=data.maker_percent, by=request.user.id)
        return _maker_out(request, await maker_by_id(shop_id=shop_id, maker_id=maker_id))

    @post("/{maker_id:int}/goods", summary="The maker brings goods to sell on consignment (at a station: into the "
                                           "stock of the shop it feeds)", status_code=201)
    async def goods(self, request: Request[StaffUser, dict, object], front: Front, maker_id: FromPath[RowId],
                    data: JSONBody[GoodsIn]) -> GoodsOut:
        paper = front.paper.at_intake(shop_id=front.shop_id, slip=False, labels=data.print_labels)
        consigned = await consign_goods(shop_id=front.shop_id, maker_id=maker_id, category_code=data.category,
                                        name=data.name, price_fen=data.price_fen, quantity=data.quantity,
                                        staff_id=request.user.id, barcode=data.barcode, paper=paper)
        if paper.queued:
            front.printing.wake()
        return GoodsOut(item_id=consigned.item_id, barcode=consigned.barcode, quantity=consigned.quantity,
                        labels_job=paper.labels_job, warnings=print_warnings(locale_of(request), data.name))

    @get("/{maker_id:int}/statement", summary="What sold and came back, what was paid and what is owed (dates in shop time)")
    async def statement(self, front: Front, maker_id: FromPath[RowId], start: FromQuery[date | None] = None,
                        end: FromQuery[date | None] = None) -> MakerStatement:
        await maker_by_id(shop_id=front.shop_id, maker_id=maker_id)
        first, last = statement_period(front.settings.zone, start, end)
        return await maker_statement(shop_id=front.shop_id, maker_id=maker_id, start=first, end=last)

    @post("/{maker_id:int}/payouts", summary="Record a payout to the maker (managers)", status_code=201,
          opt=requires_role(Role.MANAGER))
    async def payout(self, request: Request[StaffUser, dict, object], front: Front, maker_id: FromPath[RowId],
                     data: JSONBody[PayoutIn]) -> PayoutOut:
        payout_id = await record_payout(shop_id=front.shop_id, maker_id=maker_id,
                                        amount_fen=data.amount_fen, method=data.method, note=data.note,
                                        staff_id=request.user.id)
        return PayoutOut(id=payout_id, owed_fen=await owed_to(maker_id))


def statement_period(zone, start: date | None, end: date | None) -> tuple[datetime, datetime]:
    """[start, end] as shop-local days → a UTC interval; default: this month so far. Days outside the shop's
    calendar are BAD_DAY."""
    today = datetime.now(zone).date()
    start = check_day(start or today.replace(day=1))
    end = check_day(end or today)
    if end < start:
        start, end = end, start
    return (datetime.combine(start, time.min, tzinfo=zone).astimezone(UTC),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC))


# -- the intake volunteer's shift (issue 20): its hours go into their linked member's passbook ------------------------

class IntakeShiftOut(msgspec.Struct):
    id: int
    opened_at: datetime
    closed_at: datetime | None = None
    service_id: int | None = None  # the pending service recorded at the close (none: no linked member, under 30 min)
    hours: str | None = None  # its hours, "2.0"


def _shift_out(shift: IntakeShiftInfo, record: ServiceInfo | None = None) -> IntakeShiftOut:
    return IntakeShiftOut(id=shift.id, opened_at=shift.opened_at, closed_at=shift.closed_at,
                          service_id=record.id if record else None, hours=record.hours if record else None)


class IntakeShiftApi(Controller):
    path = "/api/intake/shift"
    opt = requires_role(Role.INTAKE)
    tags = ["intake"]

    @get("/", summary="Your open shift at the intake desk, or null")
    async def current(self, request: Request[StaffUser, dict, object]) -> IntakeShiftOut | None:
        shift = await open_shift_of(staff_id=request.user.id)
        return _shift_out(shift) if shift else None

    @post("/open", summary="Open your shift at the intake desk", status_code=201)
    async def open(self, request: Request[StaffUser, dict, object], front: Front) -> IntakeShiftOut:
        return _shift_out(await open_intake_shift(shop_id=front.shop_id, staff_id=request.user.id))

    @post("/close", summary="Close your shift: its hours go into your linked love-bank member's passbook, waiting "
          "for a coordinator's approval", status_code=200)
    async def close(self, request: Request[StaffUser, dict, object], front: Front) -> IntakeShiftOut:
        shift, record = await close_intake_shift(ShiftRule.of(front.settings), shop_id=front.shop_id,
                                                 staff_id=request.user.id)
        return _shift_out(shift, record)

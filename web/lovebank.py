"""The love bank's screens and API (/lovebank, /api/lovebank): members and their cards, service into the
passbook and its approval by another coordinator, points gifts, corrections, statements. Parse, one call, return.

Two people for every move of points between members: service, gifts from member to member and corrections
(reversals) wait on the approvals page until someone other than the one who entered them approves them.

Members are the district's (issue 19): found at every shop of the database, their passbook showing where each
entry happened; each service, gift and correction is decided at the shop where it was recorded, and an account is
closed, erased or exported at the shop that opened it. Each shop's community fund keeps its own points.

Phones are masked for everyone but managers. Statements and member cards (pos/paper.py) print on the printer
of the till they are asked at (?till=T1), else on config.toml's receipt printer, in the shop's language as all
paper is, through the print queue.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from functools import partial

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, URLEncodedBody
from litestar.response import Redirect, Template

from lovebank import members, passbook, vouchers
from shop.people import shown_phone
from lovebank.errors import LoveBankError
from lovebank.passbook import GiftInfo, MemberInfo, ReversalInfo, ServiceInfo
from printing.queue import Job, find_job
from shop.errors import DomainError
from shop.settings import Settings
from shop.staff import Role
from web.auth import StaffUser, requires_role
from web.api import _till
from web.i18n import N_, domain_error_message, print_warnings
from web.inputs import BodyRowId, Form, In, RowId, Text, form_date, form_whole
from web.pages import _page
from web.shopfront import Front, Shopfront, locale_of
from web.vouchers import VOUCHER_STATUS_WORDS

STATUS_WORDS = {"pending": N_("waiting for approval"), "approved": N_("approved"), "rejected": N_("rejected"),
                "reversed": N_("reversed")}

FIELD_WORDS = {"name": N_("Name"), "phone": N_("Phone"), "notes": N_("Notes"), "may_contact": N_("May be contacted"),
               "skills": N_("Skills"), "card_code": N_("Card")}


def _types(settings: Settings) -> dict[str, str]:
    return {t.code: t.name for t in settings.lovebank.service_types}


def _is_manager(request: Request) -> bool:
    return Role(request.user.role).allows(Role.MANAGER)


# -- the API -------------------------------------------------------------------------------------------------


class MemberIn(In):
    name: str
    phone: str = ""
    notes: str = ""
    may_contact: bool = False


class MemberOut(msgspec.Struct):
    id: int
    number: str
    name: str
    phone: str  # masked unless the reader is a manager
    notes: str
    may_contact: bool
    card_code: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    points: int
    hours: str  # approved service so far, "12.5"
    half_hours: int
    opened_where: str = ""  # the shop or station that opened the account
    skills: list[str] = msgspec.field(default_factory=list)  # the skills and services they offer (理发, 维修水电)
    warnings: list[str] = msgspec.field(default_factory=list)  # the name's characters the printers lack (card)


async def _member_out(request: Request, member: MemberInfo, warnings: list[str] | None = None) -> MemberOut:
    half_hours = await passbook.approved_half_hours(member.id)
    return MemberOut(id=member.id, number=member.number, name=member.name,
                     phone=shown_phone(member.phone, Role(request.user.role)), notes=member.notes,
                     may_contact=member.may_contact, card_code=member.card_code, status=member.status,
                     opened_at=member.opened_at, closed_at=member.closed_at,
                     points=await passbook.points_of(member.id), hours=passbook.hours_text(half_hours),
                     half_hours=half_hours, opened_where=member.opened_where,
                     skills=await members.skills_of(member.id), warnings=warnings or [])


class MemberEditIn(In):
    name: str
    phone: str = ""
    notes: str = ""
    may_contact: bool = False
    skills: list[str] = msgspec.field(default_factory=list)


class DetailChangeOut(msgspec.Struct):
    field: str  # name | phone | notes | may_contact | skills | card_code
    old_value: str  # a phone masked unless the reader is a manager
    new_value: str
    changed_by: str
    changed_at: datetime


def _change_out(request: Request, change: members.DetailChange) -> DetailChangeOut:
    shown = (lambda value: shown_phone(value, Role(request.user.role))) if change.field == "phone" else str
    return DetailChangeOut(field=change.field, old_value=shown(change.old_value), new_value=shown(change.new_value),
                           changed_by=change.changed_by, changed_at=change.changed_at)


class CloseIn(In):
    give_rest_to_fund: bool = False


class ServiceIn(In):
    member_id: BodyRowId
    served_on: date
    start_time: str
    place: str
    content: str
    service_type: str
    half_hours: int  # hours in half-hour steps: 3 = 1.5 hours
    witness: str
    idempotency_key: str = ""  # the form's: sent again (a double click), the first record comes back


class ReasonIn(In):
    reason: str


class GiftIn(In):
    from_member_id: BodyRowId
    points: int
    to_member_id: BodyRowId | None = None  # none: the community fund
    note: str = ""


class ServiceTypeOut(msgspec.Struct):
    code: str
    name: str
    points_per_hour: int


class StatementLineOut(msgspec.Struct):
    txn_id: int
    at: datetime
    kind: str
    ref: str
    description: str
    hours: str | None
    points: int
    balance: int
    cumulative_hours: str
    where: str = ""  # the shop or station where it happened


class StatementOut(msgspec.Struct):
    member_number: str
    member_name: str
    period: str
    opening_balance: int
    opening_hours: str
    lines: list[StatementLineOut]
    closing_balance: int
    cumulative_hours: str


class MemberExport(msgspec.Struct):
    member: MemberOut
    service: list[ServiceInfo]
    gifts: list[GiftInfo]
    statement: StatementOut


class FundOut(msgspec.Struct):
    points: int


def _when(front: Shopfront) -> date:
    return datetime.now(front.settings.zone).date()


async def _record(request: Request, front: Shopfront, data: ServiceIn) -> ServiceInfo:
    if data.idempotency_key:
        return (await members.record_service_once(
            idempotency_key=data.idempotency_key, shop_id=front.shop_id, member_id=data.member_id,
            served_on=data.served_on, start_time=data.start_time, place=data.place, content=data.content,
            service_type=data.service_type, half_hours=data.half_hours, witness=data.witness,
            staff_id=request.user.id, today=_when(front), types=front.settings.lovebank.service_types,
            max_hours=front.settings.lovebank.max_hours)).record
    return await passbook.record_service(
        shop_id=front.shop_id, member_id=data.member_id, served_on=data.served_on, start_time=data.start_time,
        place=data.place, content=data.content, service_type=data.service_type, half_hours=data.half_hours,
        witness=data.witness, staff_id=request.user.id, today=_when(front),
        types=front.settings.lovebank.service_types, max_hours=front.settings.lovebank.max_hours)


async def _statement_out(request: Request, front: Shopfront, member_id: int, start: date | None,
                         end: date | None) -> StatementOut:
    locale = locale_of(request)
    found, printed = await front.paper.statement_of(shop_id=front.shop_id, member_id=member_id, start=start, end=end)
    return StatementOut(
        member_number=found.member.number, member_name=found.member.name, period=printed.period,
        opening_balance=found.opening_balance, opening_hours=passbook.hours_text(found.opening_half_hours),
        closing_balance=found.closing_balance, cumulative_hours=passbook.hours_text(found.cumulative_half_hours),
        lines=[StatementLineOut(
            txn_id=line.txn_id, at=line.at, kind=line.kind, ref=line.ref,
            description=front.paper.entry_description(line, locale),
            hours=None if line.half_hours is None else passbook.hours_text(line.half_hours), points=line.points,
            balance=line.balance, cumulative_hours=passbook.hours_text(line.cumulative_half_hours),
            where=line.where)
            for line in found.lines])


class LoveBankApi(Controller):
    path = "/api/lovebank"
    opt = requires_role(Role.COORDINATOR)
    tags = ["love bank"]

    @get("/service-types", summary="The service types and their points per hour (config)")
    async def service_types(self, front: Front) -> list[ServiceTypeOut]:
        return [ServiceTypeOut(t.code, t.name, t.points_per_hour)
                for t in front.settings.lovebank.service_types]

    @get("/members", summary="Find members by number, card code, name, or the last four digits of their phone "
         "(exactly four); skill=: the open members offering a skill that contains it (理发)")
    async def find(self, request: Request, front: Front, q: FromQuery[Text] = "",
                   skill: FromQuery[Text] = "") -> list[MemberOut]:
        found = await members.members_with_skill(skill) if skill else await passbook.find_members(text=q)
        if skill and q:
            found = [m for m in found if m.id in {f.id for f in await passbook.find_members(text=q)}]
        return [await _member_out(request, m) for m in found]

    @post("/members", summary="Open a member's account (passbook) with a new member card", status_code=201)
    async def open(self, request: Request[StaffUser, dict, object], front: Front,
                   data: JSONBody[MemberIn]) -> MemberOut:
        member = await passbook.open_member(shop_id=front.shop_id, name=data.name, phone=data.phone,
                                            notes=data.notes, may_contact=data.may_contact,
                                            staff_id=request.user.id)
        return await _member_out(request, member, print_warnings(locale_of(request), data.name))

    @get("/members/{member_id:int}", summary="A member, their points and their approved hours")
    async def show(self, request: Request, front: Front, member_id: FromPath[RowId]) -> MemberOut:
        return await _member_out(request, await passbook.member_by_id(member_id=member_id))

    @put("/members/{member_id:int}", summary="Correct an open member's details and skills: each change is kept "
         "(who, when, from what) in their history")
    async def edit(self, request: Request[StaffUser, dict, object], front: Front, member_id: FromPath[RowId],
                   data: JSONBody[MemberEditIn]) -> MemberOut:
        return await _member_out(request, await members.edit_member(
            member_id=member_id, staff_id=request.user.id, name=data.name, phone=data.phone, notes=data.notes,
            may_contact=data.may_contact, skills=data.skills), print_warnings(locale_of(request), data.name))

    @get("/members/{member_id:int}/changes", summary="The changes of a member's details and card, newest first")
    async def changes(self, request: Request, front: Front, member_id: FromPath[RowId]) -> list[DetailChangeOut]:
        await passbook.member_by_id(member_id=member_id)
        return [_change_out(request, c) for c in await members.changes_of(member_id)]

    @post("/members/{member_id:int}/reissue-card", summary="A lost card: a new card code, the new card printed "
          "(on the printer of the till named, till=T1, else config.toml's receipt printer); the till refuses the old "
          "one", status_code=200)
    async def reissue_card(self, request: Request[StaffUser, dict, object], front: Front, member_id: FromPath[RowId],
                           till: FromQuery[Text | None] = None) -> MemberOut:
        at = (await _till(front, till)).code if till else None
        member = await members.reissue_card(member_id=member_id, staff_id=request.user.id)
        await front.paper.print_member_card(shop_id=front.shop_id, member_id=member_id, till=at)
        front.printing.wake()
        return await _member_out(request, member)

    @post("/members/{member_id:int}/close", summary="Close an account: at zero points, or giving the rest to "
          "the community fund", status_code=200)
    async def close(self, request: Request[StaffUser, dict, object], front: Front, member_id: FromPath[RowId],
                    data: JSONBody[CloseIn]) -> MemberOut:
        member = await passbook.close_member(shop_id=front.shop_id, member_id=member_id,
                                             staff_id=request.user.id, give_rest_to_fund=data.give_rest_to_fund)
        return await _member_out(request, member)

    @get("/members/{member_id:int}/export", summary="Everything kept about a member, for them to take (managers)",
         opt=requires_role(Role.MANAGER))
    async def export(self, request: Request, front: Front, member_id: FromPath[RowId]) -> MemberExport:
        member = await passbook.member_kept_at(shop_id=front.shop_id, member_id=member_id)
        return MemberExport(member=await _member_out(request, member),
                            service=await passbook.service_of(member_id=member_id),
                            gifts=await passbook.gifts_of(member_id=member_id),
                            statement=await _statement_out(request, front, member_id, None, None))

    @post("/members/{member_id:int}/erase", summary="Erase a member's name, phone and notes on their request "
          "(managers); the account stays, anonymous", opt=requires_role(Role.MANAGER), status_code=200)
    async def erase(self, request: Request, front: Front, member_id: FromPath[RowId]) -> MemberOut:
        return await _member_out(request, await passbook.erase_member(shop_id=front.shop_id,
                                                                      member_id=member_id))

    @get("/members/{member_id:int}/service", summary="The member's passbook: each service, approved hours so far")
    async def passbook(self, front: Front, member_id: FromPath[RowId]) -> list[ServiceInfo]:
        await passbook.member_by_id(member_id=member_id)
        return await passbook.service_of(member_id=member_id)

    @get("/members/{member_id:int}/gifts", summary="The member's points gifts, given and received")
    async def gifts(self, front: Front, member_id: FromPath[RowId]) -> list[GiftInfo]:
        await passbook.member_by_id(member_id=member_id)
        return await passbook.gifts_of(member_id=member_id)

    @get("/members/{member_id:int}/statement", summary="Every entry in a period (shop-local days; default: since "
         "opening) with its running balance and the approved hours so far")
    async def statement(self, request: Request, front: Front, member_id: FromPath[RowId],
                        start: FromQuery[date | None] = None, end: FromQuery[date | None] = None) -> StatementOut:
        return await _statement_out(request, front, member_id, start, end)

    @get("/members/{member_id:int}/statement/preview", summary="The printed statement's text, as on paper")
    async def statement_preview(self, front: Front, member_id: FromPath[RowId],
                                start: FromQuery[date | None] = None, end: FromQuery[date | None] = None) -> list[str]:
        _, printed = await front.paper.statement_of(shop_id=front.shop_id, member_id=member_id, start=start, end=end)
        return front.paper.statement_preview(printed)

    @post("/members/{member_id:int}/statement/print", summary="Print the statement on the printer of the till "
          "named (till=T1), else on config.toml's receipt printer", status_code=202)
    async def statement_print(self, front: Front, member_id: FromPath[RowId], start: FromQuery[date | None] = None,
                              end: FromQuery[date | None] = None, till: FromQuery[Text | None] = None) -> Job:
        job_id = await front.paper.print_statement(shop_id=front.shop_id, member_id=member_id, start=start, end=end,
                                                   till=(await _till(front, till)).code if till else None)
        front.printing.wake()
        return await find_job(shop_id=front.shop_id, job_id=job_id)

    @get("/members/{member_id:int}/card", summary="The member card's text, as on paper")
    async def card_preview(self, front: Front, member_id: FromPath[RowId]) -> list[str]:
        member = await passbook.member_by_id(member_id=member_id)
        return front.paper.member_card_preview(front.paper.member_card(member))

    @post("/members/{member_id:int}/card/print", summary="Print the member card on the printer of the till named "
          "(till=T1), else on config.toml's receipt printer", status_code=202)
    async def card_print(self, front: Front, member_id: FromPath[RowId], till: FromQuery[Text | None] = None) -> Job:
        job_id = await front.paper.print_member_card(shop_id=front.shop_id, member_id=member_id,
                                                     till=(await _till(front, till)).code if till else None)
        front.printing.wake()
        return await find_job(shop_id=front.shop_id, job_id=job_id)

    @post("/service", summary="Record a service in a member's passbook (waits for another coordinator's approval)",
          status_code=201)
    async def record(self, request: Request[StaffUser, dict, object], front: Front,
                     data: JSONBody[ServiceIn]) -> ServiceInfo:
        return await _record(request, front, data)

    @get("/approvals", summary="The service waiting for approval, oldest first")
    async def approvals(self, front: Front) -> list[ServiceInfo]:
        return await passbook.pending_service(shop_id=front.shop_id)

    @post("/service/{record_id:int}/approve", summary="Approve a service into points (not one you entered)",
          status_code=200)
    async def approve(self, request: Request[StaffUser, dict, object], front: Front,
                      record_id: FromPath[RowId]) -> ServiceInfo:
        return await passbook.approve_service(shop_id=front.shop_id, record_id=record_id, staff_id=request.user.id,
                                              types=front.settings.lovebank.service_types)

    @post("/service/{record_id:int}/reject", summary="Reject a service, saying why (not one you entered)",
          status_code=200)
    async def reject(self, request: Request[StaffUser, dict, object], front: Front, record_id: FromPath[RowId],
                     data: JSONBody[ReasonIn]) -> ServiceInfo:
        return await passbook.reject_service(shop_id=front.shop_id, record_id=record_id,
                                             staff_id=request.user.id, reason=data.reason)

    @post("/service/{record_id:int}/reverse", summary="Ask to correct an approved service, with the reason: its "
          "points are taken back when another coordinator approves the correction", status_code=201)
    async def reverse_service(self, request: Request[StaffUser, dict, object], front: Front,
                              record_id: FromPath[RowId], data: JSONBody[ReasonIn]) -> ReversalInfo:
        return await passbook.reverse_service(shop_id=front.shop_id, record_id=record_id,
                                              staff_id=request.user.id, reason=data.reason)

    @post("/donations", summary="A member gives points to another member (waits for another coordinator's "
          "approval), or to the community fund (积分捐赠, at once)", status_code=201)
    async def donate(self, request: Request[StaffUser, dict, object], front: Front, data: JSONBody[GiftIn]) -> GiftInfo:
        return await passbook.donate_points(shop_id=front.shop_id, from_member_id=data.from_member_id,
                                            to_member_id=data.to_member_id, points=data.points,
                                            staff_id=request.user.id, note=data.note)

    @post("/donations/{gift_id:int}/reverse", summary="Ask to correct a gift, with the reason: its points are given "
          "back when another coordinator approves the correction", status_code=201)
    async def reverse_gift(self, request: Request[StaffUser, dict, object], front: Front, gift_id: FromPath[RowId],
                           data: JSONBody[ReasonIn]) -> ReversalInfo:
        return await passbook.reverse_gift(shop_id=front.shop_id, gift_id=gift_id,
                                           staff_id=request.user.id, reason=data.reason)

    @get("/gifts/pending", summary="The gifts between members waiting for approval, oldest first")
    async def pending_gifts(self, front: Front) -> list[GiftInfo]:
        return await passbook.pending_gifts(shop_id=front.shop_id)

    @post("/gifts/{gift_id:int}/approve", summary="Approve a gift between members: its points move now (not one "
          "you entered)", status_code=200)
    async def approve_gift(self, request: Request[StaffUser, dict, object], front: Front,
                           gift_id: FromPath[RowId]) -> GiftInfo:
        return await passbook.approve_gift(shop_id=front.shop_id, gift_id=gift_id,
                                           staff_id=request.user.id)

    @post("/gifts/{gift_id:int}/reject", summary="Reject a gift between members, saying why (not one you entered)",
          status_code=200)
    async def reject_gift(self, request: Request[StaffUser, dict, object], front: Front, gift_id: FromPath[RowId],
                          data: JSONBody[ReasonIn]) -> GiftInfo:
        return await passbook.reject_gift(shop_id=front.shop_id, gift_id=gift_id,
                                          staff_id=request.user.id, reason=data.reason)

    @get("/reversals/pending", summary="The corrections waiting for approval, oldest first")
    async def pending_reversals(self, front: Front) -> list[ReversalInfo]:
        return await passbook.pending_reversals(shop_id=front.shop_id)

    @post("/reversals/{reversal_id:int}/approve", summary="Approve a correction: its reversing transaction is "
          "posted now (not one you asked for)", status_code=200)
    async def approve_reversal(self, request: Request[StaffUser, dict, object], front: Front,
                               reversal_id: FromPath[RowId]) -> ReversalInfo:
        return await passbook.approve_reversal(shop_id=front.shop_id, reversal_id=reversal_id,
                                               staff_id=request.user.id)

    @post("/reversals/{reversal_id:int}/reject", summary="Reject a correction, saying why (not one you asked for)",
          status_code=200)
    async def reject_reversal(self, request: Request[StaffUser, dict, object], front: Front,
                              reversal_id: FromPath[RowId], data: JSONBody[ReasonIn]) -> ReversalInfo:
        return await passbook.reject_reversal(shop_id=front.shop_id, reversal_id=reversal_id,
                                              staff_id=request.user.id, reason=data.reason)

    @get("/fund", summary="The points this shop's community fund holds")
    async def fund(self, front: Front) -> FundOut:
        return FundOut(points=await passbook.fund_points(front.shop_id))


# -- the coordinator's pages ------------------------------------------------------------------------------


class MemberForm(Form):
    name: str = ""
    phone: str = ""
    notes: str = ""
    may_contact: str = ""


class ServiceForm(Form):
    served_on: str = ""
    start_time: str = ""
    place: str = ""
    content: str = ""
    service_type: str = ""
    half_hours: str = ""
    witness: str = ""
    idempotency_key: str = ""  # made with the page: a double click records one service


class DetailsForm(Form):
    name: str = ""
    phone: str = ""  # empty: the phone stays as it is (a coordinator sees it masked)
    notes: str = ""
    may_contact: str = ""
    skills: str = ""  # 理发、维修水电


class GiftForm(Form):
    to: str = ""  # a member's number or card code; "fund" for the community fund
    points: str = ""
    note: str = ""


class ReasonForm(Form):
    reason: str = ""
    back: str = ""


class CloseForm(Form):
    give_rest_to_fund: str = ""


class PeriodForm(Form):
    start: str = ""
    end: str = ""


class LoveBankPages(Controller):
    path = "/lovebank"
    opt = requires_role(Role.COORDINATOR)
    include_in_schema = False

    @get("/")
    async def home(self, request: Request, front: Front, q: FromQuery[Text] = "") -> Template:
        return await self._home(request, front, q=q)

    async def _home(self, request: Request, front: Shopfront, *, q: str = "", error: str = "") -> Template:
        shop_id = front.shop_id
        found = await passbook.find_members(text=q) if q else []
        return _page(request, "lovebank.html", q=q, error=error,
                     found=[(m, await passbook.points_of(m.id)) for m in found],
                     pending=len(await passbook.pending_service(shop_id=shop_id))
                     + len(await passbook.pending_gifts(shop_id=shop_id))
                     + len(await passbook.pending_reversals(shop_id=shop_id)),
                     fund=await passbook.fund_points(shop_id))

    @post("/members", status_code=200)
    async def open(self, request: Request[StaffUser, dict, object], front: Front,
                   data: URLEncodedBody[MemberForm]) -> Template | Redirect:
        try:
            member = await passbook.open_member(shop_id=front.shop_id, name=data.name, phone=data.phone,
                                                notes=data.notes, may_contact=bool(data.may_contact),
                                                staff_id=request.user.id)
        except DomainError as error:
            return await self._home(request, front, error=domain_error_message(locale_of(request), error))
        return Redirect(f"/lovebank/members/{member.id}?opened=1")

    @get("/approvals")
    async def approvals(self, request: Request, front: Front) -> Template:
        return await self._approvals(request, front)

    async def _approvals(self, request: Request, front: Shopfront, error: str = "") -> Template:
        return _page(request, "lovebank_approvals.html", error=error, types=_types(front.settings),
                     pending=await passbook.pending_service(shop_id=front.shop_id),
                     gifts=await passbook.pending_gifts(shop_id=front.shop_id),
                     reversals=await passbook.pending_reversals(shop_id=front.shop_id), me=request.user.id)

    @get("/members/{member_id:int}")
    async def member(self, request: Request, front: Front, member_id: FromPath[RowId], start: FromQuery[Text] = "",
                     end: FromQuery[Text] = "", opened: FromQuery[Text] = "",
                     printed: FromQuery[Text] = "") -> Template:
        return await self._member(request, front, member_id, start=form_date(start), end=form_date(end),
                                  done=printed if printed in ("statement", "card") else ("opened" if opened else ""))

    async def _member(self, request: Request, front: Shopfront, member_id: int, *, start: date | None = None,
                      end: date | None = None, error: str = "", done: str = "") -> Template:
        locale = locale_of(request)
        member = await passbook.member_by_id(member_id=member_id)
        found, printed = await front.paper.statement_of(shop_id=front.shop_id, member_id=member_id, start=start,
                                                        end=end)
        zone = front.settings.zone
        return _page(
            request, "lovebank_member.html", member=member, error=error, done=done,
            phone=shown_phone(member.phone, Role(request.user.role)),
            points=await passbook.points_of(member_id),
            hours=passbook.hours_text(await passbook.approved_half_hours(member_id)),
            service=await passbook.service_of(member_id=member_id),
            gifts=await passbook.gifts_of(member_id=member_id),
            reversals=await passbook.pending_reversals(shop_id=front.shop_id, member_id=member_id),
            statement=found, entries=[(line, front.paper.entry_description(line, locale)) for line in found.lines],
            preview=front.paper.statement_preview(printed),
            card=front.paper.member_card_preview(front.paper.member_card(member)),
            start=start.isoformat() if start else "", end=end.isoformat() if end else "", period=printed.period,
            types=front.settings.lovebank.service_types, type_names=_types(front.settings),
            max_half_hours=2 * front.settings.lovebank.max_hours, today=_when(front).isoformat(), zone=zone,
            hours_text=passbook.hours_text, status_words=STATUS_WORDS, me=request.user.id,
            manager=_is_manager(request), here=front.shop_id, skills=await members.skills_of(member_id),
            changes=[_change_out(request, c) for c in await members.changes_of(member_id)], field_words=FIELD_WORDS,
            service_key=secrets.token_urlsafe(16), vouchers=await vouchers.vouchers_of(member_id=member_id),
            voucher_status_words=VOUCHER_STATUS_WORDS)

    async def _failed(self, request: Request, front: Shopfront, member_id: int, error: DomainError) -> Template:
        return await self._member(request, front, member_id, error=domain_error_message(locale_of(request), error))

    @post("/members/{member_id:int}/service", status_code=200)
    async def record(self, request: Request[StaffUser, dict, object], front: Front, member_id: FromPath[RowId],
                     data: URLEncodedBody[ServiceForm]) -> Template | Redirect:
        served_on = form_date(data.served_on)
        try:
            if served_on is None:
                raise DomainError(LoveBankError.BAD_SERVICE_DATE, date=data.served_on[:10])
            await _record(request, front, ServiceIn(
                member_id=member_id, served_on=served_on, start_time=data.start_time, place=data.place,
                content=data.content, service_type=data.service_type, half_hours=form_whole(data.half_hours),
                witness=data.witness, idempotency_key=data.idempotency_key))
        except DomainError as error:
            return await self._failed(request, front, member_id, error)
        return Redirect(f"/lovebank/members/{member_id}")

    @post("/members/{member_id:int}/details", status_code=200)
    async def details(self, request: Request[StaffUser, dict, object], front: Front, member_id: FromPath[RowId],
                      data: URLEncodedBody[DetailsForm]) -> Template | Redirect:
        try:
            phone = data.phone if data.phone.strip() else (await passbook.member_by_id(member_id=member_id)).phone
            await members.edit_member(member_id=member_id, staff_id=request.user.id, name=data.name, phone=phone,
                                      notes=data.notes, may_contact=bool(data.may_contact), skills=[data.skills])
        except DomainError as error:
            return await self._failed(request, front, member_id, error)
        return Redirect(f"/lovebank/members/{member_id}")

    @post("/members/{member_id:int}/reissue-card", status_code=200)
    async def reissue_card(self, request: Request[StaffUser, dict, object], front: Front,
                           member_id: FromPath[RowId]) -> Template | Redirect:
        try:
            await members.reissue_card(member_id=member_id, staff_id=request.user.id)
        except DomainError as error:
            return await self._failed(request, front, member_id, error)
        await front.paper.print_member_card(shop_id=front.shop_id, member_id=member_id)
        front.printing.wake()
        return Redirect(f"/lovebank/members/{member_id}?printed=card")

    @post("/members/{member_id:int}/gifts", status_code=200)
    async def donate(self, request: Request[StaffUser, dict, object], front: Front, member_id: FromPath[RowId],
                     data: URLEncodedBody[GiftForm]) -> Template | Redirect:
        shop_id = front.shop_id
        try:
            to = None
            if data.to.strip().lower() != "fund":
                to = (await passbook.member_for_till(code=data.to)).id
            await passbook.donate_points(shop_id=shop_id, from_member_id=member_id, to_member_id=to,
                                         points=form_whole(data.points), staff_id=request.user.id, note=data.note)
        except DomainError as error:
            return await self._failed(request, front, member_id, error)
        return Redirect(f"/lovebank/members/{member_id}")

    @post("/members/{member_id:int}/close", status_code=200)
    async def close(self, request: Request[StaffUser, dict, object], front: Front, member_id: FromPath[RowId],
                    data: URLEncodedBody[CloseForm]) -> Template | Redirect:
        try:
            await passbook.close_member(shop_id=front.shop_id, member_id=member_id,
                                        staff_id=request.user.id, give_rest_to_fund=bool(data.give_rest_to_fund))
        except DomainError as error:
            return await self._failed(request, front, member_id, error)
        return Redirect(f"/lovebank/members/{member_id}")

    @post("/members/{member_id:int}/erase", status_code=200, opt=requires_role(Role.MANAGER))
    async def erase(self, front: Front, member_id: FromPath[RowId]) -> Redirect:
        await passbook.erase_member(shop_id=front.shop_id, member_id=member_id)
        return Redirect(f"/lovebank/members/{member_id}")

    @post("/members/{member_id:int}/statement/print", status_code=200)
    async def statement_print(self, front: Front, member_id: FromPath[RowId],
                              data: URLEncodedBody[PeriodForm]) -> Redirect:
        start, end = form_date(data.start), form_date(data.end)
        await front.paper.print_statement(shop_id=front.shop_id, member_id=member_id, start=start, end=end)
        front.printing.wake()
        query = "".join(f"&{k}={v.isoformat()}" for k, v in (("start", start), ("end", end)) if v)
        return Redirect(f"/lovebank/members/{member_id}?printed=statement{query}")

    @post("/members/{member_id:int}/card/print", status_code=200)
    async def card_print(self, front: Front, member_id: FromPath[RowId]) -> Redirect:
        await front.paper.print_member_card(shop_id=front.shop_id, member_id=member_id)
        front.printing.wake()
        return Redirect(f"/lovebank/members/{member_id}?printed=card")

    async def _decided(self, request: Request, front: Shopfront, record_id: int, back: str,
                       work: Callable[[], Awaitable[object]]) -> Template | Redirect:
        """Approve, reject or reverse (`work`, done only once the record is found), then back to the approvals or
        the member's page (with the reason if refused)."""
        record = await passbook.service_by_id(shop_id=front.shop_id, record_id=record_id)
        try:
            await work()
        except DomainError as error:
            if back == "approvals":
                return await self._approvals(request, front, domain_error_message(locale_of(request), error))
            return await self._failed(request, front, record.member_id, error)
        return Redirect("/lovebank/approvals" if back == "approvals" else f"/lovebank/members/{record.member_id}")

    @post("/service/{record_id:int}/approve", status_code=200)
    async def approve(self, request: Request[StaffUser, dict, object], front: Front, record_id: FromPath[RowId],
                      data: URLEncodedBody[ReasonForm]) -> Template | Redirect:
        return await self._decided(request, front, record_id, data.back, partial(
            passbook.approve_service, shop_id=front.shop_id, record_id=record_id, staff_id=request.user.id,
            types=front.settings.lovebank.service_types))

    @post("/service/{record_id:int}/reject", status_code=200)
    async def reject(self, request: Request[StaffUser, dict, object], front: Front, record_id: FromPath[RowId],
                     data: URLEncodedBody[ReasonForm]) -> Template | Redirect:
        return await self._decided(request, front, record_id, data.back, partial(
            passbook.reject_service, shop_id=front.shop_id, record_id=record_id,
            staff_id=request.user.id, reason=data.reason))

    @post("/service/{record_id:int}/reverse", status_code=200)
    async def reverse_service(self, request: Request[StaffUser, dict, object], front: Front,
                              record_id: FromPath[RowId], data: URLEncodedBody[ReasonForm]) -> Template | Redirect:
        return await self._decided(request, front, record_id, "member", partial(
            passbook.reverse_service, shop_id=front.shop_id, record_id=record_id,
            staff_id=request.user.id, reason=data.reason))

    @post("/gifts/{gift_id:int}/reverse", status_code=200)
    async def reverse_gift(self, request: Request[StaffUser, dict, object], front: Front, gift_id: FromPath[RowId],
                           data: URLEncodedBody[ReasonForm]) -> Template | Redirect:
        shop_id = front.shop_id
        gift = await passbook.gift_by_id(shop_id=shop_id, gift_id=gift_id)
        member_id = int(data.back) if data.back.isdigit() else gift.from_member_id
        try:
            await passbook.reverse_gift(shop_id=shop_id, gift_id=gift_id, staff_id=request.user.id,
                                        reason=data.reason)
        except DomainError as error:
            return await self._failed(request, front, member_id, error)
        return Redirect(f"/lovebank/members/{member_id}")

    async def _after_request(self, request: Request, front: Shopfront, work) -> Template | Redirect:
        """Approve or reject a gift or a correction from the approvals page, then back there (with the reason if
        refused)."""
        try:
            await work
        except DomainError as error:
            return await self._approvals(request, front, domain_error_message(locale_of(request), error))
        return Redirect("/lovebank/approvals")

    @post("/gifts/{gift_id:int}/approve", status_code=200)
    async def approve_gift(self, request: Request[StaffUser, dict, object], front: Front,
                           gift_id: FromPath[RowId]) -> Template | Redirect:
        return await self._after_request(request, front, passbook.approve_gift(
            shop_id=front.shop_id, gift_id=gift_id, staff_id=request.user.id))

    @post("/gifts/{gift_id:int}/reject", status_code=200)
    async def reject_gift(self, request: Request[StaffUser, dict, object], front: Front, gift_id: FromPath[RowId],
                          data: URLEncodedBody[ReasonForm]) -> Template | Redirect:
        return await self._after_request(request, front, passbook.reject_gift(
            shop_id=front.shop_id, gift_id=gift_id, staff_id=request.user.id, reason=data.reason))

    @post("/reversals/{reversal_id:int}/approve", status_code=200)
    async def approve_reversal(self, request: Request[StaffUser, dict, object], front: Front,
                               reversal_id: FromPath[RowId]) -> Template | Redirect:
        return await self._after_request(request, front, passbook.approve_reversal(
            shop_id=front.shop_id, reversal_id=reversal_id, staff_id=request.user.id))

    @post("/reversals/{reversal_id:int}/reject", status_code=200)
    async def reject_reversal(self, request: Request[StaffUser, dict, object], front: Front,
                              reversal_id: FromPath[RowId], data: URLEncodedBody[ReasonForm]) -> Template | Redirect:
        return await self._after_request(request, front, passbook.reject_reversal(
            shop_id=front.shop_id, reversal_id=reversal_id, staff_id=request.user.id,
            reason=data.reason))

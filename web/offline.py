"""Sales made while the till was offline, as JSON: the till sends each when the server is back (sold, or held for
a manager), reports those the server refused, and asks what arrived; a manager's page and API settle what differed,
what was held and what was refused. Parse, one call, return (pos/offline.py and pos/offline_refusals.py do the
rest)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody
from litestar.response import Template

from pos.errors import TillSessionError
from pos.offline import (
    ChargedLine, Differed, Held, OfflineInfo, OfflineResult, Status, accept_offline_sale, check_sold,
    last_offline_number, offline_of_session, settle_held, to_settle, write_off_held,
)
from pos.offline_refusals import (
    MAX_REPORT_BYTES, RefusalInfo, read_report, refusals_to_settle, report_refusal, settle_refusal,
)
from pos.sessions import current_session
from shop.errors import DomainError
from shop.staff import Role
from web.api import _till
from web.auth import StaffUser, requires_role
from web.i18n import ERROR_MESSAGES, N_, error_message, translations
from web.inputs import In, RowId, Text
from web.pages import _page
from web.shopfront import Front, locale_of

# Why a held sale was held, as the till and the manager's page say it (its code's sentence, with the codes named).
HELD_WORDS = {Held.UNKNOWN_BARCODE: "offline-held-unknown-barcode", Held.SESSION_CLOSED: "offline-held-session-closed",
              Held.NO_SESSION: "offline-held-no-session"}
# What differed in a sale sold offline, for a manager to settle.
SETTLE_WORDS = {Differed.OFFLINE_PRICE: N_("Sold at the price charged offline, not the catalogue's"),
                Differed.ITEM_WITHDRAWN: N_("An item had been withdrawn from sale"),
                Differed.RENUMBERED: N_("Renumbered: the customer's paper shows the number it was first given")}
STATUS_WORDS = {Status.HELD: N_("Held: not a sale yet"), Status.SOLD: N_("Sold, with a difference")}


class ChargedLineIn(In):
    barcode: str
    quantity: int
    unit_price_fen: int  # as charged at the till


class OfflineSaleIn(In):
    till: str
    offline_number: str  # the till's own number of the sale: T1-0000123
    made_at: datetime  # when it was made, ISO 8601 with its offset
    idempotency_key: str
    lines: list[ChargedLineIn]
    cash_given_fen: int
    printed_number: str = ""  # the number first given and printed, when the till renumbered it since


class OfflineSoldOut(msgspec.Struct):
    status: str  # "sold"
    number: str  # the sale's number (S00000042)
    offline_number: str
    total_fen: int
    change_fen: int
    fund_fen: int
    settle: list[str]  # what differed (offline-price, item-withdrawn), for a manager to settle; [] when nothing did
    replayed: bool


class OfflineHeldOut(msgspec.Struct):
    status: str  # "held"
    offline_number: str
    reason: str  # unknown-barcode | session-closed | no-session
    detail: str  # the reason in the person's words
    replayed: bool


class TillOfflineOut(msgspec.Struct):
    received: int  # offline sales of the till's open session that reached the server (sold or held)
    held: int  # of those, held for a manager
    to_settle: int  # held, or sold with a difference no manager has checked yet
    last_number: str  # the highest offline number the server has for the till ("" for none): the till counts past it


class ChargedLineOut(msgspec.Struct):
    barcode: str
    quantity: int
    unit_price_fen: int


class ToSettleOut(msgspec.Struct):
    id: int
    till: str
    offline_number: str
    made_at: datetime
    received_at: datetime
    cashier: str
    status: str  # held | sold
    reason: str  # a held one's: unknown-barcode | session-closed | no-session
    detail: str  # in the person's words: why it is held, or what differed
    settle: list[str]  # a sold one's: what differed
    total_fen: int
    cash_given_fen: int
    lines: list[ChargedLineOut]
    sale: str  # the sale's number, for a sold one
    session_open: bool
    printed_number: str  # the number on the customer's paper, when the till renumbered it since ("" when the same)


class SettledOut(msgspec.Struct):
    status: str  # settled | written-off | checked
    offline_number: str
    number: str  # the sale it became, "" when written off
    settle: list[str]


class WriteOffIn(In):
    reason: str


class RefusalOut(msgspec.Struct):
    """A sale the server refused, kept for a manager: as the till sent it, and why, in the person's words."""

    id: int
    till: str  # as the sale named it
    offline_number: str
    made_at: str  # as the till had it
    made_at_time: datetime | None  # the same read as a time, when it is one
    cashier: str
    code: str  # the refusal's code: bad-made-at, offline-key-reused, ...
    detail: str  # why it was refused, in the person's words
    lines: list[ChargedLineOut]  # those lines of it that are lines at all
    total_fen: int | None  # what the till charged, when its quantities and prices are whole numbers
    cash_given_fen: int | None
    received_at: datetime
    status: str  # open | settled
    decided_by: str
    decided_at: datetime | None
    note: str
    replayed: bool  # reported before


class SettleRefusalIn(In):
    note: str  # what was done about it, by hand


def refusal_words(locale: str, info: RefusalInfo) -> str:
    """Why the sale was refused, in the person's language: the code's sentence said again with its parameters; the
    till's words for a code the server has no sentence for."""
    if info.code in ERROR_MESSAGES:
        # the sale's own number and time where the till's report carried no parameters (an older till's report)
        said = error_message(locale, info.code, {"number": info.offline_number, "made_at": info.made_at,
                                                 **info.params})
        if "{" not in said or not info.detail:
            return said
    return info.detail or info.code


def _refusal_out(info: RefusalInfo, locale: str) -> RefusalOut:
    lines = [ChargedLineOut(l["barcode"], l["quantity"], l["unit_price_fen"]) for l in info.lines
             if isinstance(l, dict) and isinstance(l.get("barcode"), str)
             and all(type(l.get(k)) is int for k in ("quantity", "unit_price_fen"))]
    return RefusalOut(id=info.id, till=info.till_code, offline_number=info.offline_number, made_at=info.made_at,
                      made_at_time=info.made_at_time, cashier=info.cashier, code=info.code,
                      detail=refusal_words(locale, info), lines=lines, total_fen=info.total_fen,
                      cash_given_fen=info.cash_given_fen, received_at=info.received_at, status=info.status,
                      decided_by=info.decided_by, decided_at=info.decided_at, note=info.note, replayed=info.replayed)


def held_words(locale: str, reason: str, detail: str) -> str:
    return error_message(locale, HELD_WORDS.get(reason, "server-error"), {"barcode": detail})


def _answer(result: OfflineResult, locale: str) -> Response[OfflineSoldOut | OfflineHeldOut]:
    if result.sale is None:
        return Response(OfflineHeldOut(status="held", offline_number=result.offline_number, reason=result.reason,
                                       detail=held_words(locale, result.reason, result.detail),
                                       replayed=result.replayed), status_code=202)
    sale = result.sale
    return Response(OfflineSoldOut(status="sold", number=sale.number, offline_number=result.offline_number,
                                   total_fen=sale.total_fen, change_fen=sale.change_fen, fund_fen=sale.fund_fen,
                                   settle=list(result.settle), replayed=result.replayed),
                    status_code=200 if result.replayed else 201)


def _to_settle_out(info: OfflineInfo, locale: str) -> ToSettleOut:
    words = translations(locale).gettext
    settle = [] if info.status == Status.HELD or not info.detail else info.detail.split(",")
    detail = (held_words(locale, info.reason, info.detail) if info.status == Status.HELD
              else "; ".join(words(SETTLE_WORDS[Differed(code)]) for code in settle))
    return ToSettleOut(id=info.id, till=info.till_code, offline_number=info.offline_number, made_at=info.made_at,
                       received_at=info.received_at, cashier=info.cashier, status=info.status, reason=info.reason,
                       detail=detail, settle=settle, total_fen=info.total_fen, cash_given_fen=info.cash_given_fen,
                       lines=[ChargedLineOut(l.barcode, l.quantity, l.unit_price_fen) for l in info.lines],
                       sale=info.sale_number, session_open=info.session_open, printed_number=info.printed_number)


def _settled_out(result: OfflineResult) -> SettledOut:
    return SettledOut(status=result.status, offline_number=result.offline_number,
                      number=result.sale.number if result.sale else "", settle=list(result.settle))


class OfflineTillApi(Controller):
    path = "/api/till"
    opt = requires_role(Role.CASHIER, needs_tills=True)
    tags = ["till"]

    @post("/offline-sales", summary="A sale the till made offline, sent when the server is back (201 sold, 200 the "
          "same again, 202 held for a manager; idempotent by idempotency_key)", status_code=201)
    async def offline_sale(self, request: Request[StaffUser, dict, object], front: Front,
                           data: JSONBody[OfflineSaleIn]) -> Response[OfflineSoldOut | OfflineHeldOut]:
        till = await _till(front, data.till)
        result = await accept_offline_sale(
            shop_id=front.shop_id, till_id=till.id, till_code=till.code, cashier_id=request.user.id,
            offline_number=data.offline_number, made_at=data.made_at, idempotency_key=data.idempotency_key,
            lines=[ChargedLine(l.barcode, l.quantity, l.unit_price_fen) for l in data.lines],
            cash_given_fen=data.cash_given_fen, rules=front.till_rules, printed_number=data.printed_number,
            paper=front.paper.at_till(shop_id=front.shop_id, till=till, cashier=request.user.display_name))
        if result.sale is not None and not result.replayed:
            front.printing.wake()
        return _answer(result, locale_of(request))

    @get("/tills/{code:str}/offline", summary="The offline sales of the till's open session that reached the server: "
         "received, held, and to settle")
    async def till_offline(self, front: Front, code: FromPath[Text]) -> TillOfflineOut:
        till = await _till(front, code)
        session = await current_session(shop_id=front.shop_id, till_id=till.id)
        if session is None:
            raise DomainError(TillSessionError.TILL_CLOSED, till=till.code)
        found = await offline_of_session(session_id=session.id)
        last = await last_offline_number(shop_id=front.shop_id, till_id=till.id, till_code=till.code)
        return TillOfflineOut(received=found.received, held=found.held, to_settle=found.to_settle, last_number=last)

    @post("/offline-refusals", summary="A sale made offline that the server refused (a 4xx), reported for a manager: "
          "the sale as it was sent, with the refusal's code, detail and params (201 kept, 200 reported before; at "
          f"most {MAX_REPORT_BYTES} bytes, else 413)", status_code=201)
    async def offline_refusal(self, request: Request[StaffUser, dict, object],
                              front: Front) -> Response[RefusalOut]:
        raw = bytearray()
        async for chunk in request.stream():  # read no further than the most a report may be
            raw += chunk
            if len(raw) > MAX_REPORT_BYTES:
                break
        found = await report_refusal(shop_id=front.shop_id, cashier_id=request.user.id, report=read_report(bytes(raw)))
        return Response(_refusal_out(found, locale_of(request)), status_code=200 if found.replayed else 201)


class OfflineSettleApi(Controller):
    path = "/api/offline"
    opt = requires_role(Role.MANAGER)
    tags = ["offline sales"]

    @get("/to-settle", summary="Offline sales to settle, oldest first: held ones, and sold ones that differed")
    async def listed(self, request: Request, front: Front) -> list[ToSettleOut]:
        locale = locale_of(request)
        return [_to_settle_out(info, locale) for info in await to_settle(shop_id=front.shop_id)]

    @get("/refused", summary="Offline sales the server refused, reported by the tills, that no manager has settled "
         "yet, in the order they were reported")
    async def refused(self, request: Request, front: Front) -> list[RefusalOut]:
        locale = locale_of(request)
        return [_refusal_out(info, locale) for info in await refusals_to_settle(shop_id=front.shop_id)]

    @post("/refused/{refusal_id:int}/settle", summary="A refused offline sale settled by hand, with a note of what was "
          "done: off the list (nothing in the books changes)", status_code=201)
    async def settle_refused(self, request: Request[StaffUser, dict, object], front: Front,
                             refusal_id: FromPath[RowId], data: JSONBody[SettleRefusalIn]) -> RefusalOut:
        return _refusal_out(await settle_refusal(shop_id=front.shop_id, refusal_id=refusal_id,
                                                 manager_id=request.user.id, note=data.note), locale_of(request))

    @post("/held/{offline_id:int}/settle", summary="Make a held offline sale a sale, at its prices charged, once its "
          "goods are in the catalogue", status_code=201)
    async def settle(self, request: Request[StaffUser, dict, object], front: Front,
                     offline_id: FromPath[RowId]) -> SettledOut:
        return _settled_out(await settle_held(shop_id=front.shop_id, offline_id=offline_id,
                                              manager_id=request.user.id, rules=front.till_rules))

    @post("/held/{offline_id:int}/write-off", summary="Write a held offline sale off, with the reason: its cash "
          "booked to the offline settlement account", status_code=201)
    async def write_off(self, request: Request[StaffUser, dict, object], front: Front, offline_id: FromPath[RowId],
                        data: JSONBody[WriteOffIn]) -> SettledOut:
        return _settled_out(await write_off_held(shop_id=front.shop_id, offline_id=offline_id,
                                                 manager_id=request.user.id, reason=data.reason))

    @post("/sold/{offline_id:int}/checked", summary="A sold offline sale that differed, seen: off the list",
          status_code=201)
    async def checked(self, request: Request[StaffUser, dict, object], front: Front,
                      offline_id: FromPath[RowId]) -> SettledOut:
        return _settled_out(await check_sold(shop_id=front.shop_id, offline_id=offline_id,
                                             manager_id=request.user.id))


class OfflinePage(Controller):
    path = "/manager/offline"
    opt = requires_role(Role.MANAGER)
    include_in_schema = False

    @get("/")
    async def page(self, request: Request, front: Front) -> Template:
        locale = locale_of(request)
        listed = [_to_settle_out(info, locale) for info in await to_settle(shop_id=front.shop_id)]
        refused = [_refusal_out(info, locale) for info in await refusals_to_settle(shop_id=front.shop_id)]
        return _page(request, "offline_settle.html", listed=listed, refused=refused, zone=front.settings.zone,
                     status_words=STATUS_WORDS)

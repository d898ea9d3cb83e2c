"""The till's session (open with a float, X report, close with a count and the Z report), returns and voids, as
JSON: parse, one call, return."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from pos.errors import TillSessionError
from pos.numbers import return_id_of
from pos.returns import (
    ReturnableSale, ReturnRecord, ReturnRequestLine, commit_return, sale_for_return, void_sale,
)
from pos.sessions import (
    SessionFigures, SessionInfo, close_session, current_session, last_sessions, open_session, session_figures,
)
from pos.shifts import ShiftRule
from printing.till_report import TillReport
from shop.errors import DomainError, ShopError
from shop.staff import Role, approving_manager
from web.api import ReprintOut, _till, reprint_out
from web.auth import StaffUser, requires_role
from web.inputs import BodyRowId, In, Text
from web.shopfront import Front, Shopfront

class SessionOut(msgspec.Struct):
    number: str
    till: str
    till_name: str
    is_open: bool
    opened_by: str
    opened_at: datetime
    float_fen: int
    closed_by: str | None
    closed_at: datetime | None
    counted_fen: int | None
    expected_fen: int | None
    over_short_fen: int | None


class TillState(msgspec.Struct):
    till: str
    is_open: bool
    session: SessionOut | None


# The offline sales a till's browser says it still holds when it asks for an X report (only it knows them).
Unsent = Annotated[int, Parameter(ge=0, le=100_000)]


class ReportOut(msgspec.Struct):
    """An X report (the session open) or a Z report (closed, counted): the figures and the page as printed."""

    kind: str  # "X" | "Z"
    session: SessionOut
    sales_count: int
    gross_fen: int
    returns_count: int
    voids_count: int
    refunds_fen: int
    net_fen: int
    cash_sales_fen: int
    cash_refunds_fen: int
    points_pts: int
    points_fen: int
    points_refunded_pts: int
    points_refunded_fen: int
    float_fen: int
    expected_cash_fen: int
    counted_fen: int | None
    over_short_fen: int | None
    fund_fen: int
    maker_fen: int
    running_fen: int
    printed: list[str]  # the report as it prints, line by line
    job: int | None = None  # its print job, when it was sent to the printer
    offline_count: int = 0  # sales made while the till was offline that reached the server (sold or held)
    offline_held: int = 0  # of those, held for a manager


class OpenIn(In):
    float_fen: int


class CloseIn(In):
    counted_fen: int


def _session_out(s: SessionInfo) -> SessionOut:
    return SessionOut(number=s.number, till=s.till_code, till_name=s.till_name, is_open=s.is_open,
                      opened_by=s.opened_by, opened_at=s.opened_at, float_fen=s.float_fen, closed_by=s.closed_by,
                      closed_at=s.closed_at, counted_fen=s.counted_fen, expected_fen=s.expected_fen,
                      over_short_fen=s.over_short_fen)


def _report_out(figures: SessionFigures, report: TillReport, front: Shopfront, job: int | None) -> ReportOut:
    f = figures
    return ReportOut(
        kind="Z" if f.counted_fen is not None else "X", session=_session_out(f.session), sales_count=f.sales_count,
        gross_fen=f.gross_fen, returns_count=f.returns_count, voids_count=f.voids_count, refunds_fen=f.refunds_fen,
        net_fen=f.net_fen, cash_sales_fen=f.cash_sales_fen, cash_refunds_fen=f.cash_refunds_fen,
        points_pts=f.points_pts, points_fen=f.points_fen, points_refunded_pts=f.points_refunded_pts,
        points_refunded_fen=f.points_refunded_fen,
        float_fen=f.float_fen, expected_cash_fen=f.expected_cash_fen, counted_fen=f.counted_fen,
        over_short_fen=f.over_short_fen, fund_fen=f.fund_fen, maker_fen=f.maker_fen, running_fen=f.running_fen,
        printed=front.paper.till_report_preview(report), job=job, offline_count=f.offline_count,
        offline_held=f.offline_held)


class TillSessionApi(Controller):
    path = "/api/tills/{code:str}/session"
    opt = requires_role(Role.CASHIER, needs_tills=True)
    tags = ["till sessions"]

    @get("/", summary="Is the till open? Its session, if it is")
    async def state(self, front: Front, code: FromPath[Text]) -> TillState:
        till = await _till(front, code)
        session = await current_session(shop_id=front.shop_id, till_id=till.id)
        return TillState(till=till.code, is_open=session is not None,
                         session=_session_out(session) if session else None)

    @post("/", summary="Open the till with the float counted into its drawer", status_code=201)
    async def open(self, request: Request[StaffUser, dict, object], front: Front, code: FromPath[Text],
                   data: JSONBody[OpenIn]) -> SessionOut:
        till = await _till(front, code)
        return _session_out(await open_session(shop_id=front.shop_id, till_id=till.id, staff_id=request.user.id,
                                               float_fen=data.float_fen))

    @get("/x-report", summary="The X report: where the open till stands (nothing counted, nothing printed)")
    async def x_report(self, request: Request[StaffUser, dict, object], front: Front,
                       code: FromPath[Text], unsent: FromQuery[Unsent] = 0) -> ReportOut:
        return await self._x(request, front, code, print_it=False, unsent=unsent)

    @post("/x-report", summary="Print the X report on the till's printer", status_code=201)
    async def print_x_report(self, request: Request[StaffUser, dict, object], front: Front,
                             code: FromPath[Text], unsent: FromQuery[Unsent] = 0) -> ReportOut:
        return await self._x(request, front, code, print_it=True, unsent=unsent)

    async def _x(self, request: Request[StaffUser, dict, object], front: Shopfront, code: str, *,
                 print_it: bool, unsent: int) -> ReportOut:
        till = await _till(front, code)
        session = await current_session(shop_id=front.shop_id, till_id=till.id)
        if session is None:
            raise DomainError(TillSessionError.TILL_CLOSED, till=till.code)
        figures = await session_figures(shop_id=front.shop_id, session_id=session.id)
        report = front.paper.till_report(figures, cashier=request.user.display_name, unsent=unsent)
        job = None
        if print_it:
            job = await front.paper.at_till(shop_id=front.shop_id, till=till,
                                            cashier=request.user.display_name).print_till_report(figures,
                                                                                                 unsent=unsent)
            front.printing.wake()
        return _report_out(figures, report, front, job)

    @post("/close", summary="Close the till: the drawer counted, over/short recorded, the Z report printed",
          status_code=201)
    async def close(self, request: Request[StaffUser, dict, object], front: Front, code: FromPath[Text],
                    data: JSONBody[CloseIn]) -> ReportOut:
        till = await _till(front, code)
        paper = front.paper.at_till(shop_id=front.shop_id, till=till, cashier=request.user.display_name)
        figures = await close_session(shop_id=front.shop_id, till_id=till.id, staff_id=request.user.id,
                                      counted_fen=data.counted_fen, paper=paper, shift=ShiftRule.of(front.settings))
        front.printing.wake()
        report = front.paper.till_report(figures, cashier=request.user.display_name)
        return _report_out(figures, report, front, paper.reports[-1])


class TillSessionsApi(Controller):
    path = "/api/tills/{code:str}/sessions"
    opt = requires_role(Role.MANAGER, needs_tills=True)
    tags = ["till sessions"]

    @get("/", summary="The till's sessions, newest first: float, count, expected cash and over/short of each")
    async def sessions(self, front: Front, code: FromPath[Text]) -> list[SessionOut]:
        till = await _till(front, code)
        return [_session_out(s) for s in await last_sessions(shop_id=front.shop_id, till_id=till.id)]


# -- returns and voids ------------------------------------------------------------------------------


class ReturnableLineOut(msgspec.Struct):
    id: int
    barcode: str
    name: str
    unit_price_fen: int
    quantity: int
    returned: int
    returnable: int
    value_fen: int


class TenderOut(msgspec.Struct):
    kind: str
    amount_fen: int
    points: int
    member_number: str
    household_ref: str


class ReturnableSaleOut(msgspec.Struct):
    number: str
    created_at: datetime
    till: str
    total_fen: int
    returned_fen: int
    lines: list[ReturnableLineOut]
    tenders: list[TenderOut]


class ReturnLineIn(In):
    line: BodyRowId  # the sale line's id (from GET /api/returns/sales/{number})
    quantity: int
    restock: bool = True
    write_off_reason: str = ""  # damaged | expired | unsellable, when not restocked


class ReturnIn(In):
    till: str
    sale: str  # the sale number, as on the receipt's barcode
    idempotency_key: str
    lines: list[ReturnLineIn]
    reason: str = ""
    manager_pin: str = ""  # a manager's till PIN, for a cash refund past [till] refund_limit_fen


class VoidIn(In):
    till: str
    sale: str
    idempotency_key: str
    manager_pin: str = ""  # a manager's till PIN; not needed when a manager is logged in


class ReturnedLineOut(msgspec.Struct):
    barcode: str
    name: str
    quantity: int
    value_fen: int
    fund_fen: int
    maker_fen: int
    running_fen: int
    restock: bool
    write_off_reason: str


class RefundOut(msgspec.Struct):
    kind: str
    amount_fen: int
    points: int
    member_number: str


class ReturnOut(msgspec.Struct):
    number: str
    sale: str
    created_at: datetime
    reason: str
    total_fen: int
    cash_fen: int  # to hand back from the drawer
    points: int  # credited back to the payer's account
    fund_fen: int
    maker_fen: int
    running_fen: int
    lines: list[ReturnedLineOut]
    refunds: list[RefundOut]
    voided: bool
    replayed: bool
    owed_fen: int = 0  # still owed to the customer: under one point's worth, paid by the sale's last return


def _returnable_out(sale: ReturnableSale, front: Shopfront) -> ReturnableSaleOut:
    till = next((t.code for t in front.tills.values() if t.id == sale.till_id), "")
    return ReturnableSaleOut(
        number=sale.number, created_at=sale.created_at, till=till, total_fen=sale.total_fen,
        returned_fen=sale.returned_fen,
        lines=[ReturnableLineOut(id=l.id, barcode=l.barcode, name=l.name, unit_price_fen=l.unit_price_fen,
                                 quantity=l.quantity, returned=l.returned, returnable=l.returnable,
                                 value_fen=l.value_fen) for l in sale.lines],
        tenders=[TenderOut(kind=t.kind, amount_fen=t.amount_fen, points=t.points, member_number=t.member_number,
                           household_ref=t.household_ref) for t in sale.tenders])


def _return_out(r: ReturnRecord) -> ReturnOut:
    return ReturnOut(
        number=r.number, sale=r.sale_number, created_at=r.created_at, reason=r.reason, total_fen=r.total_fen,
        cash_fen=r.cash_fen, points=r.points, fund_fen=r.fund_fen, maker_fen=r.maker_fen, running_fen=r.running_fen,
        lines=[ReturnedLineOut(barcode=l.barcode, name=l.name, quantity=l.quantity, value_fen=l.value_fen,
                               fund_fen=l.fund_fen, maker_fen=l.maker_fen, running_fen=l.running_fen,
                               restock=l.restock, write_off_reason=l.write_off_reason) for l in r.lines],
        refunds=[RefundOut(kind=g.kind, amount_fen=g.amount_fen, points=g.points, member_number=g.member_number)
                 for g in r.refunds],
        voided=r.reason == "void", replayed=r.replayed, owed_fen=max(0, r.owed_fen))


async def _manager_of(request: Request[StaffUser, dict, object], front: Shopfront, pin: str) -> int | None:
    return await approving_manager(front.shop_id, role=Role(request.user.role), staff_id=request.user.id, pin=pin)


class ReturnsApi(Controller):
    path = "/api/returns"
    opt = requires_role(Role.CASHIER, needs_tills=True)
    tags = ["returns"]

    @get("/sales/{number:str}", summary="A sale to take back from: its lines, what is left to return, its tenders")
    async def sale(self, front: Front, number: FromPath[Text]) -> ReturnableSaleOut:
        return _returnable_out(await sale_for_return(shop_id=front.shop_id, number=number), front)

    @post("/", summary="Take back pieces of a sale, refunded to its tenders (idempotent by idempotency_key)",
          status_code=201)
    async def take_back(self, request: Request[StaffUser, dict, object], front: Front,
                        data: JSONBody[ReturnIn]) -> Response[ReturnOut]:
        till = await _till(front, data.till)
        manager = await _manager_of(request, front, data.manager_pin)
        record = await commit_return(
            shop_id=front.shop_id, till_id=till.id, cashier_id=request.user.id, sale=data.sale,
            lines=[ReturnRequestLine(l.line, l.quantity, l.restock, l.write_off_reason) for l in data.lines],
            idempotency_key=data.idempotency_key, reason=data.reason, approved_by=manager,
            refund_limit_fen=front.settings.till.refund_limit_fen,
            paper=front.paper.at_till(shop_id=front.shop_id, till=till, cashier=request.user.display_name))
        if not record.replayed:
            front.printing.wake()
        return Response(_return_out(record), status_code=200 if record.replayed else 201)

    @post("/void", summary="A manager voids a sale of the till's open session (a manager logged in, or their PIN)",
          status_code=201)
    async def void(self, request: Request[StaffUser, dict, object], front: Front,
                   data: JSONBody[VoidIn]) -> Response[ReturnOut]:
        till = await _till(front, data.till)
        manager = await _manager_of(request, front, data.manager_pin)
        record = await void_sale(shop_id=front.shop_id, till_id=till.id, cashier_id=request.user.id,
                                 manager_id=manager, sale=data.sale, idempotency_key=data.idempotency_key,
                                 paper=front.paper.at_till(shop_id=front.shop_id, till=till,
                                                           cashier=request.user.display_name))
        if not record.replayed:
            front.printing.wake()
        return Response(_return_out(record), status_code=200 if record.replayed else 201)

    @get("/{number:str}/slip", summary="The refund slip's text, as on paper (a copy: 重打 at its top)")
    async def slip(self, front: Front, number: FromPath[Text]) -> list[str]:
        slip, _ = await front.paper.refund_slip_of_return(_return_id(number), shop_id=front.shop_id)
        return front.paper.refund_slip_preview(slip)

    @post("/{number:str}/reprint", summary="Print a return's refund slip again (202: a copy, 重打, the drawer stays "
          "shut; 200: it is already waiting to print, and is not queued twice)", status_code=202)
    async def reprint_slip(self, front: Front, number: FromPath[Text]) -> Response[ReprintOut]:
        return await reprint_out(front, await front.paper.reprint_refund_slip(_return_id(number),
                                                                              shop_id=front.shop_id))


def _return_id(number: str) -> int:
    if (return_id := return_id_of(number)) is None:
        raise DomainError(ShopError.NOT_FOUND)
    return return_id


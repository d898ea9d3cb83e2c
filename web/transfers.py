"""Stock transfers between the district's shops over HTTP: the API under /api/transfers and the manager's page
/manager/transfers (what was sent and what is coming, a send form, receive and cancel buttons, labels for goods
received under a new code). Each shop's managers see the transfers their shop sent or receives, and no others.
"""

from __future__ import annotations

import uuid

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, URLEncodedBody
from litestar.response import Redirect, Template

from donations.transfers import receive_transfer
from inventory.catalogue import MAX_QUANTITY, items_for_labels
from inventory.errors import InventoryError
from inventory.transfers import LineIn, TransferError, TransferInfo, cancel_transfer, send_transfer, transfers_of
from shop.errors import DomainError
from shop.shops import ShopKind, list_shops
from shop.staff import Role
from web.auth import StaffUser, requires_role
from web.i18n import N_, domain_error_message
from web.inputs import Form, In, Text
from web.pages import _page
from web.shopfront import Front, Shopfront, locale_of

STATUS_WORDS = {"sent": N_("in transit"), "received": N_("received"), "cancelled": N_("cancelled")}


class TransferLineIn(In):
    barcode: str
    quantity: int = 1


class TransferIn(In):
    to_shop: str  # the receiving shop's code
    lines: list[TransferLineIn]
    idempotency_key: str


class TransfersApi(Controller):
    path = "/api/transfers"
    opt = requires_role(Role.MANAGER)
    tags = ["transfers"]

    @post("/", summary="Send goods to another shop of the district: they leave this shop's stock", status_code=201)
    async def send(self, request: Request[StaffUser, dict, object], front: Front,
                   data: JSONBody[TransferIn]) -> Response[TransferInfo]:
        sent = await send_transfer(shop_id=front.shop_id, to_shop=data.to_shop,
                                   lines=[LineIn(line.barcode, line.quantity) for line in data.lines],
                                   idempotency_key=data.idempotency_key, staff_id=request.user.id)
        return Response(sent, status_code=200 if sent.replayed else 201)

    @get("/", summary="The transfers this shop sent or receives, newest first (status: sent, received, cancelled)")
    async def list_transfers(self, front: Front, status: FromQuery[Text] = "") -> list[TransferInfo]:
        return await transfers_of(shop_id=front.shop_id, status=status)

    @post("/{number:str}/receive", summary="Take in a transfer sent to this shop: its goods join this shop's stock",
          status_code=200)
    async def receive(self, request: Request[StaffUser, dict, object], front: Front,
                      number: FromPath[Text]) -> TransferInfo:
        return await receive_transfer(shop_id=front.shop_id, number=number, staff_id=request.user.id)

    @post("/{number:str}/cancel", summary="Call back a transfer still in transit: its goods return to stock",
          status_code=200)
    async def cancel(self, request: Request[StaffUser, dict, object], front: Front,
                     number: FromPath[Text]) -> TransferInfo:
        return await cancel_transfer(shop_id=front.shop_id, number=number, staff_id=request.user.id)


class SendForm(Form):
    to_shop: str = ""
    lines: str = ""  # one item a line: its code, then how many (1 when left out)
    idempotency_key: str = ""


def _lines_of(text: str) -> list[LineIn]:
    """The send form's lines: "6901234500011 5" or just a scanned code (one piece)."""
    lines = []
    for row in text.splitlines():
        parts = row.replace(",", " ").replace("×", " ").replace("x", " ").split()
        if not parts:
            continue
        count = parts[1] if len(parts) > 1 else "1"
        if len(parts) > 2 or not count.isdigit():
            raise DomainError(InventoryError.BAD_QUANTITY, quantity=count[:10], maximum=MAX_QUANTITY)
        lines.append(LineIn(parts[0], int(count)))
    return lines


class TransferPages(Controller):
    path = "/manager/transfers"
    opt = requires_role(Role.MANAGER)
    include_in_schema = False

    @get("/")
    async def transfers(self, request: Request, front: Front) -> Template:
        return await self._transfers(request, front)

    async def _transfers(self, request: Request, front: Shopfront, error: str = "", form: SendForm | None = None,
                         labelled: tuple[str, int] | None = None) -> Template:
        shop_id = front.shop_id
        shops = [s for s in await list_shops() if s.kind is ShopKind.SHOP and s.id != shop_id]
        form = form or SendForm()
        key = form.idempotency_key if error and form.idempotency_key else uuid.uuid4().hex
        return _page(request, "transfers.html", transfers=await transfers_of(shop_id=shop_id), shops=shops,
                     here=front.shop.code if front.shop else "", error=error, labelled=labelled, form=form, key=key,
                     statuses=STATUS_WORDS, zone=front.settings.zone,
                     path="/manager/transfers")  # a form's answer is this page, whatever number it named

    async def _refused(self, request: Request, front: Shopfront, error: DomainError) -> Template:
        return await self._transfers(request, front, domain_error_message(locale_of(request), error))

    @post("/", status_code=200)
    async def send(self, request: Request[StaffUser, dict, object], front: Front,
                   data: URLEncodedBody[SendForm]) -> Template | Redirect:
        try:
            await send_transfer(shop_id=front.shop_id, to_shop=data.to_shop, lines=_lines_of(data.lines),
                                idempotency_key=data.idempotency_key, staff_id=request.user.id)
        except DomainError as error:
            return await self._transfers(request, front, domain_error_message(locale_of(request), error), data)
        return Redirect("/manager/transfers")

    @post("/{number:str}/receive", status_code=200)
    async def receive(self, request: Request[StaffUser, dict, object], front: Front,
                      number: FromPath[Text]) -> Template | Redirect:
        try:
            await receive_transfer(shop_id=front.shop_id, number=number, staff_id=request.user.id)
        except DomainError as error:
            return await self._refused(request, front, error)
        return Redirect("/manager/transfers")

    @post("/{number:str}/cancel", status_code=200)
    async def cancel(self, request: Request[StaffUser, dict, object], front: Front,
                     number: FromPath[Text]) -> Template | Redirect:
        try:
            await cancel_transfer(shop_id=front.shop_id, number=number, staff_id=request.user.id)
        except DomainError as error:
            return await self._refused(request, front, error)
        return Redirect("/manager/transfers")

    @post("/{number:str}/labels", status_code=200)
    async def labels(self, request: Request, front: Front, number: FromPath[Text]) -> Template:
        """Labels for the goods of a transfer received here that got this shop's new codes, on the label printer."""
        shop_id, here = front.shop_id, front.shop.code if front.shop else ""
        received = [t for t in await transfers_of(shop_id=shop_id, status="received")
                    if t.number == number and t.to_shop == here]
        if not received:
            return await self._refused(request, front, DomainError(TransferError.UNKNOWN_TRANSFER))
        codes = [line.received_barcode for line in received[0].lines
                 for _ in range(line.quantity) if line.new_code and line.received_barcode]
        if codes:
            items = await items_for_labels(shop_id=shop_id, barcodes=codes)
            await front.paper.queue_labels(items, shop_id=shop_id, ref=received[0].number)
        return await self._transfers(request, front, labelled=(received[0].number, len(codes)))

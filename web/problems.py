"""What a person is told when a request is refused or fails: a problem (application/problem+json) in their language,
or, for a page opened without logging in, the login page. create_app registers the three exception handlers.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException, ValidationException
from litestar.response import Redirect

from donations.errors import DonationError
from lovebank.errors import LoveBankError
from inventory.catalogue_csv import CatalogueCsvError
from inventory.errors import InventoryError
from inventory.stocktake import StockTakeError
from inventory.transfers import TransferError
from pos.errors import FundError, OfflineError, ReturnError, SaleError, TillSessionError
from printing.profiles import PrinterSetupError
from shop.database import is_disk_full
from shop.errors import DomainError, ShopError
from shop.staff import StaffError
from shop.throttle import AccessError
from web.i18n import domain_error_message, error_message
from web.shopfront import locale_of

log = logging.getLogger("aixin")

# The HTTP status of each refusal, chosen here once; a code not listed is 400 (the request itself is wrong).
STATUS: dict[str, int] = {
    ShopError.BAD_LOGIN: 401,
    **dict.fromkeys([  # allowed to someone else: a manager's PIN, another coordinator
        ShopError.BAD_PIN, SaleError.MANAGER_PIN_NEEDED, ReturnError.REFUND_NEEDS_MANAGER,
        ReturnError.VOID_NEEDS_MANAGER, LoveBankError.OWN_ENTRY, LoveBankError.OWN_SERVICE, LoveBankError.MEMBER_ELSEWHERE,
        TransferError.NOT_THE_RECEIVING_SHOP, TransferError.NOT_THE_SENDING_SHOP], 403),
    **dict.fromkeys([  # what the request names does not exist (in this shop)
        ShopError.NOT_FOUND, InventoryError.UNKNOWN_BARCODE, CatalogueCsvError.UNKNOWN_IMPORT,
        StockTakeError.UNKNOWN_STOCKTAKE, DonationError.UNKNOWN_DONATION, DonationError.UNKNOWN_DONOR,
        DonationError.UNKNOWN_MAKER, LoveBankError.UNKNOWN_GIFT, LoveBankError.UNKNOWN_MEMBER,
        LoveBankError.UNKNOWN_REVERSAL, LoveBankError.UNKNOWN_SERVICE, LoveBankError.UNKNOWN_OFFER,
        LoveBankError.UNKNOWN_VOUCHER, SaleError.UNKNOWN_SALE,
        SaleError.UNKNOWN_TILL, SaleError.PARKED_CART_GONE, TillSessionError.UNKNOWN_SESSION,
        ReturnError.UNKNOWN_RETURN, ReturnError.UNKNOWN_SALE_LINE, PrinterSetupError.UNKNOWN_PRINTER,
        OfflineError.UNKNOWN_OFFLINE_SALE, ShopError.UNKNOWN_SHOP, TransferError.UNKNOWN_TRANSFER], 404),
    **dict.fromkeys([  # well-formed, but the shop's state says no (or a key was used for something else)
        ShopError.USERNAME_TAKEN, ShopError.SHOP_CODE_TAKEN, ShopError.STATION_HAS_NO_TILLS, SaleError.TILL_CODE_TAKEN,
        ShopError.STATION_HOLDS_NO_STOCK, DonationError.STATION_FEEDS_NO_SHOP, ShopError.SHOP_SET_IN_CONFIG,
        ShopError.PIN_TAKEN, ShopError.BALANCE_BELOW_ZERO,
        StaffError.LAST_ADMIN, InventoryError.BARCODE_TAKEN, InventoryError.ITEM_WITHDRAWN,
        CatalogueCsvError.IMPORT_RUNNING, StockTakeError.ITEM_OUT_OF_SCOPE, StockTakeError.STOCKTAKE_ALREADY_OPEN,
        StockTakeError.STOCKTAKE_NOT_OPEN, DonationError.IDEMPOTENCY_KEY_REUSED, DonationError.BARCODE_OTHER_PRODUCT,
        DonationError.NOT_THEIR_GOODS, DonationError.PAYOUT_TOO_LARGE, DonationError.PRICE_DIFFERS,
        LoveBankError.ALREADY_DECIDED, LoveBankError.MEMBER_CLOSED, LoveBankError.MEMBER_HAS_POINTS,
        LoveBankError.NOT_ENOUGH_POINTS, LoveBankError.NOT_REVERSIBLE, LoveBankError.REQUEST_DECIDED,
        LoveBankError.REVERSAL_PENDING, LoveBankError.OFFER_WITHDRAWN, LoveBankError.OWN_OFFER,
        LoveBankError.VOUCHER_SETTLED, LoveBankError.VOUCHER_KEY_REUSED, SaleError.IDEMPOTENCY_KEY_REUSED,
        SaleError.NOT_ENOUGH_POINTS,
        SaleError.NO_POINTS_GOODS, SaleError.PRICE_CHANGED, SaleError.TOO_MANY_POINTS,
        TillSessionError.TILL_CLOSED, TillSessionError.TILL_ALREADY_OPEN, ReturnError.ALREADY_RETURNED,
        ReturnError.MORE_THAN_SOLD, ReturnError.RETURN_KEY_REUSED, ReturnError.VOID_NOT_THIS_SESSION,
        FundError.DISBURSEMENT_TOO_LARGE, PrinterSetupError.NAME_TAKEN, OfflineError.OFFLINE_KEY_REUSED,
        OfflineError.OFFLINE_NUMBER_TAKEN, OfflineError.NOT_TO_SETTLE, OfflineError.STILL_UNKNOWN,
        OfflineError.NO_SESSION_TO_SELL_IN, TransferError.TRANSFER_TO_STATION, TransferError.NOT_ENOUGH_ON_HAND,
        TransferError.TRANSFER_NOT_IN_TRANSIT, TransferError.TRANSFER_KEY_REUSED,
        LoveBankError.STAFF_LINKED, LoveBankError.MEMBER_LINKED, LoveBankError.NOT_LINKED, LoveBankError.CARD_REPLACED,
        LoveBankError.SERVICE_KEY_REUSED, DonationError.SHIFT_ALREADY_OPEN, DonationError.NO_OPEN_SHIFT], 409),
    LoveBankError.UNKNOWN_WISH: 404,
    **dict.fromkeys([  # the wish wall: the wish's status says no
        LoveBankError.WISH_CLAIMED, LoveBankError.WISH_NOT_POSTED, LoveBankError.WISH_NOT_CLAIMED,
        LoveBankError.WISH_FULFILLED, LoveBankError.WISH_NOT_FULFILLED, LoveBankError.WISH_WRONG_WAY,
        LoveBankError.WISH_OUT_OF_STOCK, LoveBankError.WISH_FUND_SHORT, LoveBankError.WISH_NOT_THEIR_DONATION], 409),
    CatalogueCsvError.TOO_LARGE: 413,
    OfflineError.REFUSAL_TOO_LARGE: 413,
    # the cashier switch at the till's lock screen (shop/staff.py switch_cashier)
    StaffError.UNKNOWN_CASHIER: 404, StaffError.WRONG_CASHIER_PIN: 403, StaffError.CASHIER_INACTIVE: 403,
    StaffError.NO_CASHIER_PIN: 409, StaffError.NOT_AT_THE_TILL: 409,
    AccessError.TOO_MANY_TRIES: 429,
    ShopError.LEDGER_UNBALANCED: 500,  # a bug, never the person's doing: the sale was not written
    PrinterSetupError.UNREACHABLE: 503,
}


def status_of(error: DomainError) -> int:
    return STATUS.get(error.code, 400)


def problem(request: Request, status: int, code: str, detail: str, **extra: Any) -> Response:
    body = {"type": f"urn:aixin:error:{code}", "title": code, "status": status, "detail": detail,
            "code": code, **extra}
    return Response(body, status_code=status, media_type="application/problem+json")


def _wants_page(request: Request) -> bool:
    return not request.url.path.startswith("/api") and request.method == "GET"


def on_domain_error(request: Request, error: DomainError) -> Response:
    params = {k: v for k, v in error.params.items() if isinstance(v, (str, int, bool))}
    return problem(request, status_of(error), str(error.code), domain_error_message(locale_of(request), error),
                   params=params)


def on_http_error(request: Request, error: HTTPException) -> Response:
    locale = locale_of(request)
    if isinstance(error, NotAuthorizedException):
        if _wants_page(request):
            return Redirect(f"/login?next={request.url.path}")
        return problem(request, 401, "not-logged-in", error_message(locale, "not-logged-in", {}))
    if isinstance(error, PermissionDeniedException):
        if error.detail == CSRF_FAILED:  # a page open since before a restart or a logout, or a forged form
            return problem(request, 403, "page-expired", error_message(locale, "page-expired", {}))
        return problem(request, 403, "forbidden", error_message(locale, "forbidden", {}))
    if isinstance(error, ValidationException):
        reasons = "; ".join(
            f"{e.get('key') or ''} {e.get('message', '')}".strip() for e in (error.extra or []) if isinstance(e, dict)
        ) or str(error.detail)
        return problem(request, 400, "malformed-request",
                       error_message(locale, "malformed-request", {"reason": reasons}))
    if error.status_code == 404:
        return problem(request, 404, "not-found", error_message(locale, "not-found", {}))
    return problem(request, error.status_code, "http-error", str(error.detail))


CSRF_FAILED = "CSRF token verification failed"  # what Litestar's CSRF middleware raises, word for word


def on_server_error(request: Request, error: Exception) -> Response:
    if is_disk_full(error):  # rolled back whole; the next write works once there is room again, with no restart
        log.error("the disk is full: %s %s was not saved (%s)", request.method, request.url.path, error)
        return problem(request, 507, "disk-full", error_message(locale_of(request), "disk-full", {}))
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return problem(request, 500, "server-error", error_message(locale_of(request), "server-error", {}))

"""The pages: login, the till, the manager's day, and receipt previews. Server-rendered Jinja2."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Response, Template

from donations.intake import goods_shop_of
from inventory.catalogue import categories_of
from pos.checkout import load_sale
from pos.numbers import sale_id_of
from pos.errors import SaleError
from pos.paper import CONDITION_WORDS
from pos.reports import FIRST_DAY, LAST_DAY, check_day, day_bounds, day_report
from printing.job_list import Shown, jobs_page
from printing.queue import health
from shop.errors import DomainError, ShopError
from shop.printouts import RECEIPT_PRINTER
from shop.staff import Role, authenticate
from web.api import OptionalRowId
from web.auth import StaffUser, log_in, log_out, requires_role
from web.health import health_of
from web.i18n import LOCALES, N_, ROUNDING_RULE, domain_error_message, translations
from web.inputs import Form, RowId, Text
from web.problems import status_of
from web.shopfront import Front, locale_of

_START_PAGE = {Role.CASHIER: "/till", Role.INTAKE: "/intake", Role.COORDINATOR: "/lovebank", Role.MANAGER: "/manager",
               Role.ADMIN: "/manager", Role.DISTRICT: "/district"}


def _page(request: Request, name: str, **context: Any) -> Template:
    locale = locale_of(request)
    words = translations(locale)
    return Template(template_name=name, context={  # and `shop`: a template global, set by create_app
        "_": words.gettext, "pgettext": words.pgettext, "locale": locale, "user": request.scope.get("user"),
        "other_locale": "en" if locale == "zh_CN" else "zh_CN", "path": request.url.path, **context,
    })


def _safe_next(target: str | None) -> str | None:
    return target if target and target.startswith("/") and not target.startswith("//") else None


@get("/", opt={"public": True}, include_in_schema=False)
async def home(request: Request) -> Redirect:
    return Redirect("/login")


@get("/lang/{locale:str}", opt={"public": True}, include_in_schema=False)
async def set_language(locale: FromPath[Text], next: FromQuery[Text | None] = None) -> Redirect:
    response = Redirect(_safe_next(next) or "/login")
    if locale in LOCALES:
        response.set_cookie("lang", locale, max_age=365 * 24 * 3600, samesite="lax")
    return response


class LoginForm(Form):
    username: str = ""
    password: str = ""
    next: str = ""


class LoginPage(Controller):
    path = "/login"
    opt = {"public": True}
    include_in_schema = False

    @get("/")
    async def form(self, request: Request, next: FromQuery[Text | None] = None) -> Template:
        return _page(request, "login.html", next=_safe_next(next) or "", error="", username="")

    @post("/", status_code=200)
    async def login(self, request: Request,
                    data: URLEncodedBody[LoginForm]) -> Template | Redirect:
        try:
            staff = await authenticate(username=data.username, password=data.password)
        except DomainError as error:
            page = _page(request, "login.html", next=_safe_next(data.next) or "", username=data.username,
                         error=domain_error_message(locale_of(request), error))
            page.status_code = 429 if status_of(error) == 429 else 200  # told to wait: say so to the client too
            return page
        user = StaffUser(id=staff.id, username=staff.username, display_name=staff.display_name,
                         role=staff.role, shop_id=staff.shop)
        return log_in(Redirect(_safe_next(data.next) or _START_PAGE.get(Role(staff.role), "/till")),
                      request.app.state.signer, user)

    @post("/out", status_code=200)
    async def logout(self, request: Request) -> Redirect:
        return log_out(Redirect("/login"))


class TillPage(Controller):
    path = "/till"
    opt = requires_role(Role.CASHIER, needs_tills=True)
    include_in_schema = False

    @get("/")
    async def till(self, request: Request, front: Front) -> Template:
        await front.refresh_tills()
        locale = locale_of(request)
        words = translations(locale)
        js_words = {key: words.gettext(text) for key, text in _TILL_WORDS.items()}
        return _page(request, "till.html", tills=list(front.tills.values()), words=js_words,
                     styles=_STYLES.read_text(),  # in the page: painted without waiting for a stylesheet
                     fen_per_point=front.settings.points.fen_per_point,
                     override_limit=front.settings.till.override_limit_percent,
                     idle_lock_minutes=front.settings.till.idle_lock_minutes)  # the lock screen (web/cashier.py)


# The shop's stylesheet, which the till's page carries in itself (till.html)
_STYLES = Path(__file__).parent / "static" / "aixin.css"


# The till's service worker, at the root so that its scope can be /till (a script's scope is at most its own folder,
# and /static/ would not cover the page). Public: it holds no one's data, and a browser fetches it again by itself.
_TILL_SW = Path(__file__).parent / "static" / "till_sw.js"


@get("/till-sw.js", opt={"public": True}, include_in_schema=False)
async def till_service_worker() -> Response[bytes]:
    return Response(_TILL_SW.read_bytes(), media_type="text/javascript",
                    headers={"cache-control": "no-cache"})


# The shop's heart in the browser's tab. /favicon.ico too: browsers ask for it whatever the page links, and a 404 in
# every log helps no one.
_FAVICON = Path(__file__).parent / "static" / "favicon.svg"


@get("/favicon.ico", opt={"public": True}, include_in_schema=False)
async def favicon() -> Response[bytes]:
    return Response(_FAVICON.read_bytes(), media_type="image/svg+xml", headers={"cache-control": "max-age=86400"})


_TILL_WORDS = {
    "added": N_("Added"),
    "removed": N_("Removed"),
    "complete": N_("Sale complete"),
    "change": N_("Change"),
    "offline": N_("The server did not answer. Check the network, then press Enter again: the sale will not be made twice."),
    "out_of_stock": N_("The books say none are left: sold anyway, flagged for the next stock take."),
    "marked_down": N_("Marked down {percent}% from {price}."),
    "expired": N_("Expired on {date}: check it before selling."),
    "removal_due": N_("Unsold for a long time: it should come off the shelf after this sale."),
    "nothing_found": N_("Nothing found for “{text}”: try fewer letters, or ask the manager."),
    "choose_found": N_("{count} items found: click one, or use ↓ and Enter."),
    "confirm_clear": N_("Clear the whole cart?"),
    "cart_empty": N_("The cart is empty: scan an item first."),
    "not_enough": N_("Not enough cash given."),
    "not_an_amount": N_("“{text}” is not an amount of money: type the cash received in yuan, like 50 or 50.00."),
    "pay_prompt": N_("Type the cash received and press Enter"),
    "printer_failing": N_("The printer is not printing ({error}). {waiting} receipt(s) wait in the queue and "
                          "will print by themselves when it works again: keep selling."),
    "reprint_queued": N_("The receipt will print again."),
    "reprint_waiting": N_("This receipt is already waiting to print: it will come out once, not twice."),
    "unprinted_receipt": N_("Receipt {number}"),
    "unprinted_slip": N_("Refund slip {number}"),
    "unprinted_again": N_("Printing again"),
    "unprinted_reprinted": N_("Printing them again: {queued} copy(ies) marked 重打; {waiting} already waiting to "
                              "print."),
    # points, discounts, parked carts
    "member_prompt": N_("Scan the member's card or type their number, then Enter"),
    "household_prompt": N_("The household's reference (like H-2026-017, no names), then Enter"),
    "member_balance": N_("{name}: {points} points; these goods can take at most {most}."),
    "fund": N_("Community fund"),
    "no_points_goods": N_("None of these goods can be paid with points: pay in cash."),
    "points_paying": N_("Points: {points} ({amount})"),
    "points_over_balance": N_("{name} has {points} points: type {points} or fewer."),
    "points_over_goods": N_("These goods can take at most {most} points: type {most} or fewer."),
    "member_not_found": N_("No member has the number or card “{member}”: check it against the card. A lost or "
                           "unreadable card is seen to at the love-bank desk; this sale can be paid in cash."),
    "points_used": N_("{points} points used, {left} left"),
    "pricing": N_("The discounts are being priced: press Enter again in a moment."),
    "price_changed_to": N_("charged {price}"),
    "discount_sale": N_("Discount on the whole sale"),
    "park_note": N_("Park this cart: a note to find it again (optional)"),
    "parked": N_("The cart is parked: serve the next customer."),
    "resumed": N_("The parked cart is back: carry on."),
    "finish_first": N_("Finish or park the current cart first."),
    "cash_only": N_("(cash only)"),
    "cash_only_goods": N_("Goods marked “cash only” are in categories that take no points: cash pays for them."),
    # the offline till (till_store.js, till_sw.js)
    "offline_banner": N_("Offline: the server does not answer. Keep selling: {count} sale(s) wait in this browser and "
                         "are sent by themselves when it is back."),
    "sending_banner": N_("The server is back: sending the sales made offline, {count} left."),
    "offline_counts": N_("Sales made offline this session: {received} reached the server ({held} held, {to_settle} "
                         "to settle); {waiting} still in this browser."),
    "offline_counts_here": N_("Sales made offline still in this browser: {waiting}."),
    "login_to_send": N_("The server is back, but this till's login has lapsed: log in again here to send the {count} "
                        "sale(s) made offline."),
    "needs_https": N_("Offline selling needs HTTPS: open the till at the shop's https:// address (README, “HTTPS on "
                      "the shop's LAN”)."),
    "offline_sale_done": N_("Offline sale {number} kept in this browser · Change {change}. It reaches the server, and "
                            "its receipt prints, when the server is back."),
    "offline_not_kept": N_("This browser could not keep the sale (its storage refused): nothing was sold. Press Enter "
                           "to try again."),
    "offline_no_points": N_("Points need the server, which does not answer: this sale can only be paid in cash."),
    "offline_no_discount": N_("Discounts need the server, which does not answer: remove them to sell at the marked "
                              "price."),
    "offline_no_search": N_("Finding an item by its name needs the server, which does not answer: scan or type its "
                            "barcode."),
    "offline_unknown_item": N_("{code} is not in this till's copy of the catalogue, and the server does not answer: "
                               "check the digits, or set the item aside."),
    "offline_receipt": N_("Offline sale"),
    "offline_sold_at": N_("sold at {time}"),
    "total": N_("Total"),
    "cash_given": N_("Cash"),
    "settle_held": N_("{number} · {time} · {total}: the server holds it for a manager to settle: {detail}"),
    "settle_refused": N_("{number} · {time} · {total}: the server refused it ({detail}). It is kept only in this "
                         "browser: show it to a manager."),
    "settle_refused_reported": N_("{number} · {time} · {total}: the server refused it ({detail}). It is kept in this "
                                  "browser, and on the manager's page of offline sales to settle."),
    "z_waiting": N_("{count} sale(s) made offline have not reached the server yet: the till can be closed once they "
                    "have. Check the network."),
    "z_refused": N_("{count} sale(s) made offline were refused by the server and are kept only in this browser "
                    "(listed above). Close the till anyway?"),
    "logout_waiting": N_("{count} sale(s) made offline have not reached the server yet. They stay in this browser "
                         "and are sent after the next login here. Log out anyway?"),
}


class IntakePage(Controller):
    path = "/intake"
    opt = requires_role(Role.INTAKE)
    include_in_schema = False

    @get("/")
    async def desk(self, request: Request, front: Front) -> Template:
        """The intake desk: find or register the donor, add items fast, save, print labels and the slip."""
        locale = locale_of(request)
        words = translations(locale)
        categories = [{
            "code": c.code, "name": c.name if locale == "zh_CN" or not c.name_en else c.name_en, "source": c.source,
            "perishable": c.perishable, "prices": c.default_prices,
        } for c in await categories_of(shop_id=await goods_shop_of(front.shop_id)) if c.source != "handicraft"]
        return _page(request, "intake.html", categories=categories,
                     conditions={code: words.gettext(text) for code, text in CONDITION_WORDS.items()},
                     words={key: words.gettext(text) for key, text in _INTAKE_WORDS.items()},
                     today=datetime.now(front.settings.zone).date().isoformat())


_INTAKE_WORDS = {
    "anonymous": N_("Anonymous"),
    "added": N_("Added"),
    "saved": N_("Donation {number} saved: {pieces} piece(s) in stock, {labels} label(s) printing."),
    "no_items": N_("Add at least one item first."),
    "offline": N_("The server did not answer. Check the network, then save again: the donation will not be "
                  "recorded twice."),
    "known_item": N_("Known product: {name}, sold at {price}."),
    "new_item": N_("New product: describe it and set its price."),
    "refused": N_("refused"),
    "confirm_clear": N_("Clear this donation's items?"),
    "slip_printing": N_("The donation slip is printing."),
    "no_donor_found": N_("No donor found: register them below, or give anonymously."),
}


class ManagerPage(Controller):
    path = "/manager"
    opt = requires_role(Role.MANAGER)
    include_in_schema = False

    @get("/")
    async def day(self, request: Request, front: Front, day: FromQuery[date | None] = None) -> Template:
        day = day or datetime.now(front.settings.zone).date()
        report = await day_report(shop_id=front.shop_id, day=day, zone=front.settings.zone)
        locale = locale_of(request)
        categories = {c.code: (c.name if locale == "zh_CN" or not c.name_en else c.name_en)
                      for c in await categories_of(shop_id=front.shop_id)}
        return _page(request, "manager.html", report=report, day=day, zone=front.settings.zone, categories=categories,
                     rounding_rule=ROUNDING_RULE, split=front.settings.split,
                     health=health_of(request, front))  # backups and disk space: what the manager should see to


class ReceiptPage(Controller):
    path = "/sales"
    opt = requires_role(Role.CASHIER, needs_tills=True)
    include_in_schema = False

    @get("/{number:str}/receipt")
    async def preview(self, request: Request, front: Front, number: FromPath[Text]) -> Template:
        sale_id = sale_id_of(number)
        if sale_id is None:
            raise DomainError(SaleError.UNKNOWN_SALE, number=number[:20])
        sale = await load_sale(sale_id, shop_id=front.shop_id)
        receipt = await front.paper.receipt_of_sale(sale)
        return _page(request, "receipt.html", number=sale.number, lines=front.paper.receipt_preview(receipt),
                     width=front.settings.printer.width, notice_url=receipt.notice.url if receipt.notice else "")


_SHOWN_WORDS = {Shown.ALL: N_("Every job"), Shown.FAILED: N_("Not printed (failed, or being tried again)"),
                Shown.WAITING: N_("Waiting to print"), Shown.PRINTED: N_("Printed")}


class QueueFilters(Form):
    """The print queue's filters, sent back with "print again" so the list stays as it was."""

    status: str = ""
    till: str = ""
    day: str = ""


def _day_of(text: str) -> date | None:
    """A day chosen on a page (2026-12-06), None when none is; anything else is refused (400)."""
    if not text:
        return None
    try:
        return check_day(date.fromisoformat(text))
    except ValueError:
        raise DomainError(SaleError.BAD_DAY, day=text[:20], first=FIRST_DAY.isoformat(),
                          last=LAST_DAY.isoformat()) from None


class PrintQueuePage(Controller):
    path = "/manager/printing"
    opt = requires_role(Role.MANAGER)
    include_in_schema = False

    @get("/")
    async def jobs(self, request: Request, front: Front, status: FromQuery[Shown] = Shown.ALL,
                   till: FromQuery[Text] = "", day: FromQuery[Text] = "", before_id: FromQuery[OptionalRowId] = None,
                   reprinted: FromQuery[OptionalRowId] = None, already_waiting: FromQuery[bool] = False) -> Template:
        """The queue a page at a time, newest first, by status, till and day (shop time); "older" pages on."""
        await front.refresh_tills()
        till = till.strip().upper()
        if till and till not in front.tills:
            raise DomainError(SaleError.UNKNOWN_TILL, till=till[:16])
        chosen_day = _day_of(day.strip())
        start, end = day_bounds(chosen_day, front.settings.zone) if chosen_day else (None, None)
        page = await jobs_page(shop_id=front.shop_id, shown=status, till=till or None, start=start, end=end,
                               before_id=before_id)
        filters = {key: value for key, value in (("status", status.value), ("till", till),
                                                 ("day", chosen_day.isoformat() if chosen_day else "")) if value}
        return _page(request, "print_queue.html", jobs=page.jobs, filters=filters, shown=_SHOWN_WORDS,
                     tills=list(front.tills.values()), paged=before_id is not None,
                     older=urlencode({**filters, "before_id": page.older}) if page.older else None,
                     reprinted=reprinted, already_waiting=already_waiting,
                     health=await health(shop_id=front.shop_id, printer=RECEIPT_PRINTER), zone=front.settings.zone)

    @post("/{job_id:int}/reprint", status_code=200)
    async def reprint(self, front: Front, job_id: FromPath[RowId],
                      data: URLEncodedBody[QueueFilters]) -> Redirect:
        """Print again, then back to the same list, saying whether a copy was queued or the job was waiting."""
        reprint = await front.paper.reprint_job(shop_id=front.shop_id, job_id=job_id)
        if reprint is None:
            raise DomainError(ShopError.NOT_FOUND)
        front.printing.wake()
        shown = {key: value for key, value in msgspec.structs.asdict(data).items() if value}
        said = {"reprinted": reprint.job_id, "already_waiting": "true" if reprint.already_waiting else "false"}
        return Redirect("/manager/printing?" + urlencode(shown | said))


class DocumentsPage(Controller):
    path = "/manager/printing/documents"
    opt = requires_role(Role.MANAGER)
    include_in_schema = False

    @get("/")
    async def samples(self, request: Request, front: Front, width: FromQuery[int | None] = None) -> Template:
        width = width if width in (32, 48) else front.settings.printer.width
        return _page(request, "documents.html", width=width,
                     documents=front.paper.sample_previews(locale_of(request), width=width))

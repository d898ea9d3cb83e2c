"""The fund's public notice (公示, issue 23): /notice for anyone, no login, when config.toml's [notice] public is true.

Thin: each handler parses the month (`?month=YYYY-MM`, this month in the shop's zone by default) and the shop
(`?shop=CODE`, config.toml's own by default), makes one call into pos/notice.py and renders it: the page (Chinese by
default; `?lang=en` or the language switch for English), the A4 page for the notice board (/notice/print), the JSON
(/api/notice), and the district's roll-up of every shop and station (/notice/district, /api/notice/district). A
manager prints the short version on the till printer (POST /api/notice/print).

The routes are outside the staff authentication (opt "public"); with [notice] public = false each handler asks for a
live staff session itself (a page answers with the login page, the API with 401). A logged-in person sees their menu.
"""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, Request, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromQuery
from litestar.response import Template

from pos.notice import Notice, district_notice, hours, month_notice, month_of, print_notice
from printing.queue import Job, find_job
from shop.shops import list_shops, shop_of_code
from shop.staff import Role
from web.auth import COOKIE, live_user, requires_role
from web.i18n import GOODS_SOURCES, LOCALES, N_, translations
from web.inputs import Text
from web.pages import _page
from web.shopfront import Front, Shopfront, locale_of

HOW_WORDS = {"points": N_("The fund's points, at the till"), "wish-stock": N_("A wish: goods from stock"),
             "wish-donation": N_("A wish: a donor's own goods"), "wish-service": N_("A wish: service")}
PUBLIC = {"public": True}  # past the staff sessions' middleware (web/auth.py); _reader decides
METHOD_WORDS = {"cash": N_("in cash"), "transfer": N_("by transfer")}


async def _reader(request: Request, front: Shopfront) -> None:
    """Lets the request through when the notice is public, or when a member of staff is logged in (whose menu the
    page then shows); else NotAuthorizedException (the login page for a page, 401 for the API)."""
    token = request.cookies.get(COOKIE)
    user = await live_user(request.app.state.signer, token) if token else None
    if user is not None:
        request.scope["user"] = user
    elif not front.settings.notice.public:
        raise NotAuthorizedException()


async def _notice(front: Shopfront, month: str | None, shop: str | None) -> Notice:
    chosen = month_of(month, today=datetime.now(front.settings.zone).date())
    if shop:
        place = await shop_of_code(shop)
        await front.serve(place.id)  # the page's heading is that shop's
        return await month_notice(shop_id=place.id, month=chosen, zone=front.settings.zone)
    return await month_notice(shop_id=front.home_shop_id, month=chosen, zone=front.settings.zone)


def _notice_page(request: Request, front: Shopfront, name: str, notice: Notice, lang: str | None,
                 district: bool, **extra) -> Template:
    locale = lang if lang in LOCALES else locale_of(request)
    words = translations(locale)
    return _page(request, name, notice=notice, district=district, sources=GOODS_SOURCES, how_words=HOW_WORDS,
                 method_words=METHOD_WORDS, hours=hours, lang=lang if lang in LOCALES else "",
                 _=words.gettext, pgettext=words.pgettext, locale=locale,
                 other_locale="en" if locale == "zh_CN" else "zh_CN",
                 today=datetime.now(front.settings.zone).date().isoformat(), **extra)


class NoticePages(Controller):
    path = "/notice"
    include_in_schema = False

    @get("/", opt=PUBLIC)
    async def notice(self, request: Request, front: Front, month: FromQuery[Text | None] = None,
                     shop: FromQuery[Text | None] = None, lang: FromQuery[Text | None] = None) -> Template:
        await _reader(request, front)
        got = await _notice(front, month, shop)
        return _notice_page(request, front, "notice.html", got, lang, district=False, places=await list_shops())

    @get("/print", opt=PUBLIC)
    async def printable(self, request: Request, front: Front, month: FromQuery[Text | None] = None,
                        shop: FromQuery[Text | None] = None, lang: FromQuery[Text | None] = None) -> Template:
        await _reader(request, front)
        return _notice_page(request, front, "notice_print.html", await _notice(front, month, shop), lang,
                            district=False)

    @get("/district", opt=PUBLIC)
    async def district(self, request: Request, front: Front, month: FromQuery[Text | None] = None,
                       lang: FromQuery[Text | None] = None) -> Template:
        await _reader(request, front)
        got = await district_notice(month=month_of(month, today=datetime.now(front.settings.zone).date()),
                                    zone=front.settings.zone)
        return _notice_page(request, front, "notice.html", got, lang, district=True, places=await list_shops())

    @get("/district/print", opt=PUBLIC)
    async def district_printable(self, request: Request, front: Front, month: FromQuery[Text | None] = None,
                                 lang: FromQuery[Text | None] = None) -> Template:
        await _reader(request, front)
        got = await district_notice(month=month_of(month, today=datetime.now(front.settings.zone).date()),
                                    zone=front.settings.zone)
        return _notice_page(request, front, "notice_print.html", got, lang, district=True)


class NoticeApi(Controller):
    path = "/api/notice"
    tags = ["notice"]

    @get("/", opt=PUBLIC, summary="The fund's public notice of a month (YYYY-MM, this month by default) and its year "
         "so far, for one shop (its code; config.toml's by default): nothing personal")
    async def notice(self, request: Request, front: Front, month: FromQuery[Text | None] = None,
                     shop: FromQuery[Text | None] = None) -> Notice:
        await _reader(request, front)
        return await _notice(front, month, shop)

    @get("/district", opt=PUBLIC,
         summary="The district's roll-up of the public notice: every shop's and station's summed")
    async def district(self, request: Request, front: Front, month: FromQuery[Text | None] = None) -> Notice:
        await _reader(request, front)
        return await district_notice(month=month_of(month, today=datetime.now(front.settings.zone).date()),
                                     zone=front.settings.zone)


class NoticePrintApi(Controller):
    path = "/api/notice/print"
    opt = requires_role(Role.MANAGER)
    tags = ["notice"]

    @post("/", summary="Print the short notice of a month for the notice board on config.toml's receipt printer",
          status_code=202)
    async def print_notice(self, front: Front, month: FromQuery[Text | None] = None) -> Job:
        got = await month_notice(shop_id=front.shop_id, zone=front.settings.zone,
                                 month=month_of(month, today=datetime.now(front.settings.zone).date()))
        job_id, _ = await print_notice(got, printouts=front.paper.printouts, shop_id=front.shop_id,
                                       width=front.settings.printer.width)
        front.printing.wake()
        return await find_job(shop_id=front.shop_id, job_id=job_id)

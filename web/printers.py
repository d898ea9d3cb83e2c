"""Setting up printers (manager): add one by its connection, print its test page, keep the profile
that reads right, try the drawer's pins, print a sample, and say which till and desk it serves.

The page is /manager/printers, its API /api/printers; both only translate HTTP to the calls of
printing/printer_setup.py and printing/test_page.py (the `aixin printer` command makes the same calls).
What a manager sets here is bounded (config.toml's [printing] and the data folder): the command, run by
whoever runs the server, is not.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import contextmanager
from dataclasses import asdict, replace

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.response import Template

from pos.errors import SaleError
from pos.tills import tills
from printing.printer_setup import (
    INTAKE, ConnectionBounds, StoredPrinter, add_printer, assign, assignments, change_printer, check_place, confine,
    find_printer, list_printers, remove_printer, till_place,
)
from printing.discovery import Found, find_printers
from printing.printers import PrintError, send
from printing.profiles import PrinterProfile, PrinterSetupError, SetupError, parse_connection, with_font
from printing.raster_text import find_font
from printing.test_page import CANDIDATES, SAMPLE, chosen_profile, render_drawer_kick, render_test_page
from shop.errors import DomainError
from shop.settings import Settings
from shop.staff import Role
from web.auth import requires_role
from web.i18n import N_, gettext
from web.inputs import BodyRowId, In, RowId
from web.pages import _page
from web.shopfront import Front, Shopfront, locale_of

log = logging.getLogger("aixin.printing")

INTAKE_DESK = N_("Intake desk")
TEST_PAGE_TITLE = "Aixin printer test"


@contextmanager
def _as_domain_errors():
    """printing's SetupError (it may not import shop's DomainError) as the DomainError the web words."""
    try:
        yield
    except SetupError as error:
        raise DomainError(error.code, **error.params) from error


def connection_bounds(settings: Settings) -> ConnectionBounds:
    """Where a manager's printer may be reached: the data folder and config.toml's spool folders, and the
    networks of [printing] allowed_networks."""
    spools = tuple(p.path for p in (settings.printer, settings.labels) if p.kind == "file")
    return ConnectionBounds(folders=(settings.server.data_dir, *spools),
                            networks=tuple(settings.printing.allowed_networks))


class ProfileIO(In):
    encoding: str = "gb18030"
    chinese_mode: bool = True
    columns: int = 48
    cut: bool = True
    drawer: bool = True
    drawer_pin: int = 2
    drawer_on_ms: int = 100
    drawer_off_ms: int = 100
    native_barcodes: bool = True
    raster_chinese: bool = False


class PrinterOut(msgspec.Struct):
    id: int
    name: str
    connection: str
    profile: ProfileIO
    tested: bool
    places: list[str]
    paper_mm: int


class PrinterIn(In):
    name: str
    connection: str
    profile: ProfileIO | None = None


class PrinterChange(In):
    name: str | None = None
    connection: str | None = None
    profile: ProfileIO | None = None


class ChoiceIn(In):
    line: int  # the test page's line that read right
    ruler: int  # the widest ruler that fitted on one line: 32 or 48


class DrawerIn(In):
    pin: int  # 2 or 5


class PlaceIn(In):
    place: str  # "till:T1" or "intake"
    printer_id: BodyRowId | None  # None: config.toml's printer serves it again


class PlaceOut(msgspec.Struct):
    place: str
    name: str
    printer_id: int | None


class SentOut(msgspec.Struct):
    printer_id: int
    printed: str  # test-page | drawer | sample
    bytes: int


class CandidateOut(msgspec.Struct):
    number: int
    code: str
    encoding: str
    chinese_mode: bool
    raster_chinese: bool


def _out(printer: StoredPrinter) -> PrinterOut:
    fields = printer.profile.fields()
    return PrinterOut(id=printer.id, name=printer.name, connection=printer.connection,
                      profile=ProfileIO(**fields), tested=printer.tested, places=list(printer.places),
                      paper_mm=printer.profile.paper_mm)


def _profile(front: Shopfront, data: ProfileIO) -> PrinterProfile:
    with _as_domain_errors():
        profile = PrinterProfile(**msgspec.structs.asdict(data))
        if profile.raster_chinese:
            find_font(front.settings.printer.raster_font)
    return profile


async def _send_now(front: Shopfront, printer: StoredPrinter, what: str, data: bytes) -> SentOut:
    """Straight to the printer, not through the queue: the volunteer is standing at it, waiting to see.
    Checked against the bounds again: a printer stored before them, or a host name that now points elsewhere."""
    with _as_domain_errors():
        await asyncio.to_thread(confine, printer.config, connection_bounds(front.settings))
    try:
        await asyncio.to_thread(send, printer.config, f"{what}-{printer.id}", data)
    except PrintError as error:
        raise DomainError(PrinterSetupError.UNREACHABLE, reason=str(error)) from error
    return SentOut(printer_id=printer.id, printed=what, bytes=len(data))


async def _places(front: Shopfront) -> list[PlaceOut]:
    await front.refresh_tills()
    assigned = await assignments(shop_id=front.shop_id)
    places = [PlaceOut(place=till_place(till.code), name=f"{till.code} {till.name}".strip(),
                       printer_id=assigned.get(till_place(till.code))) for till in front.tills.values()]
    return places + [PlaceOut(place=INTAKE, name="", printer_id=assigned.get(INTAKE))]


async def _known_place(front: Shopfront, place: str) -> str:
    if place.startswith("till:"):
        place = till_place(place.removeprefix("till:"))
        await front.refresh_tills()
        if place.removeprefix("till:") not in front.tills:
            raise DomainError(SaleError.UNKNOWN_TILL, till=place.removeprefix("till:"))
    return place


class UsbPrinterOut(msgspec.Struct):
    vendor: str  # "0416"
    product: str
    name: str
    says_printer: bool
    connection: str  # usb:0416:5011, what "Add a printer" takes


class SerialPortOut(msgspec.Struct):
    device: str
    description: str
    connection: str


class FoundOut(msgspec.Struct):
    usb: list[UsbPrinterOut]
    serial: list[SerialPortOut]
    problems: list[str]


def _found_out(found: Found) -> FoundOut:
    return FoundOut(usb=[UsbPrinterOut(vendor=f"{p.vendor:04x}", product=f"{p.product:04x}", name=p.name,
                                       says_printer=p.says_printer, connection=p.connection) for p in found.usb],
                    serial=[SerialPortOut(device=p.device, description=p.description, connection=p.connection)
                            for p in found.serial],
                    problems=list(found.problems))


async def _found() -> FoundOut:
    return _found_out(await asyncio.to_thread(find_printers))  # USB enumeration is blocking I/O


class PrintersApi(Controller):
    path = "/api/printers"
    opt = requires_role(Role.MANAGER)
    tags = ["printers"]

    @get("/", summary="The printers set up, with their profiles and the places they serve")
    async def printers(self, front: Front) -> list[PrinterOut]:
        return [_out(p) for p in await list_printers(shop_id=front.shop_id)]

    @post("/", summary="Add a printer by its connection (tcp://host:9100, usb:VID:PID, serial:/dev/…, file:/path)",
          status_code=201)
    async def add(self, front: Front, data: JSONBody[PrinterIn]) -> PrinterOut:
        profile = _profile(front, data.profile) if data.profile else None
        with _as_domain_errors():
            return _out(await add_printer(shop_id=front.shop_id, name=data.name, connection=data.connection,
                                          bounds=connection_bounds(front.settings), profile=profile))

    @get("/found", summary="The USB printers and serial ports plugged into the PC this server runs on, with the "
                           "connection each takes")
    async def found(self) -> FoundOut:
        return await _found()

    @get("/test-page/lines", summary="The test page's numbered lines: the code and profile each stands for")
    async def candidates(self) -> list[CandidateOut]:
        return [CandidateOut(**asdict(c)) for c in CANDIDATES]

    @get("/places", summary="Each till and the intake desk, and the printer assigned (null: config.toml's)")
    async def places(self, front: Front) -> list[PlaceOut]:
        return await _places(front)

    @put("/places", summary="Assign a till (till:T1) or the intake desk (intake) a printer, or none")
    async def assign_place(self, front: Front, data: JSONBody[PlaceIn]) -> list[PlaceOut]:
        with _as_domain_errors():
            await assign(shop_id=front.shop_id, place=await _known_place(front, data.place.strip()),
                         printer_id=data.printer_id)
        return await _places(front)

    @get("/{printer_id:int}", summary="One printer")
    async def show(self, front: Front, printer_id: FromPath[RowId]) -> PrinterOut:
        with _as_domain_errors():
            return _out(await find_printer(shop_id=front.shop_id, printer_id=printer_id))

    @put("/{printer_id:int}", summary="Rename a printer, change its connection or its profile")
    async def change(self, front: Front, printer_id: FromPath[RowId], data: JSONBody[PrinterChange]) -> PrinterOut:
        profile = _profile(front, data.profile) if data.profile else None
        with _as_domain_errors():
            return _out(await change_printer(shop_id=front.shop_id, printer_id=printer_id,
                                             bounds=connection_bounds(front.settings), name=data.name,
                                             connection=data.connection, profile=profile))

    @delete("/{printer_id:int}", summary="Remove a printer; its places print on config.toml's printers again",
            status_code=204)
    async def remove(self, front: Front, printer_id: FromPath[RowId]) -> None:
        with _as_domain_errors():
            await remove_printer(shop_id=front.shop_id, printer_id=printer_id)

    @post("/{printer_id:int}/test-page", summary="Print the test page on this printer now", status_code=200)
    async def test_page(self, front: Front, printer_id: FromPath[RowId]) -> SentOut:
        with _as_domain_errors():
            printer = await find_printer(shop_id=front.shop_id, printer_id=printer_id)
        return await _send_now(front, printer, "test-page",
                               render_test_page(title=TEST_PAGE_TITLE, connection=printer.connection))

    @post("/{printer_id:int}/choice", summary="Keep the profile of the test page's line that read right and its "
                                              "widest ruler", status_code=200)
    async def choose(self, front: Front, printer_id: FromPath[RowId], data: JSONBody[ChoiceIn]) -> PrinterOut:
        with _as_domain_errors():
            printer = await find_printer(shop_id=front.shop_id, printer_id=printer_id)
            profile = chosen_profile(data.line, data.ruler, base=printer.profile)
            if profile.raster_chinese:
                find_font(front.settings.printer.raster_font)
            return _out(await change_printer(shop_id=front.shop_id, printer_id=printer_id,
                                             bounds=connection_bounds(front.settings), profile=profile, tested=True))

    @post("/{printer_id:int}/drawer", summary="Kick the drawer on pin 2 or 5, with the profile's pulse times",
          status_code=200)
    async def drawer(self, front: Front, printer_id: FromPath[RowId], data: JSONBody[DrawerIn]) -> SentOut:
        with _as_domain_errors():
            printer = await find_printer(shop_id=front.shop_id, printer_id=printer_id)
            data_bytes = render_drawer_kick(printer.profile, pin=data.pin)
        return await _send_now(front, printer, "drawer", data_bytes)

    @post("/{printer_id:int}/sample", summary="Print a sample receipt and a sample label with the printer's profile",
          status_code=200)
    async def sample(self, front: Front, printer_id: FromPath[RowId]) -> SentOut:
        with _as_domain_errors():
            printer = await find_printer(shop_id=front.shop_id, printer_id=printer_id)
            profile = with_font(printer.profile, front.settings.printer.raster_font)
            data = front.paper.sample_print(profile)
        return await _send_now(front, printer, "sample", data)


class PrintersPage(Controller):
    path = "/manager/printers"
    opt = requires_role(Role.MANAGER)
    include_in_schema = False

    @get("/")
    async def page(self, request: Request, front: Front) -> Template:
        locale = locale_of(request)
        printers = [_out(p) for p in await list_printers(shop_id=front.shop_id)]
        places = await _places(front)
        for place in places:
            if place.place == INTAKE:
                place.name = gettext(locale, INTAKE_DESK)
        config = front.settings
        defaults = {"till": f"{config.printer.kind} {config.printer.host or config.printer.path}",
                    "intake": f"{config.labels.kind} {config.labels.host or config.labels.path}"}
        return _page(request, "printers.html", printers=printers, places=places, candidates=CANDIDATES,
                     sample=SAMPLE, defaults=defaults, place_names={p.place: p.name for p in places},
                     found=await _found())


def check_raster_font(settings, printers: list[StoredPrinter]) -> str | None:
    """At start-up: the problem, naming the key, when a printer prints Chinese as images and there is no font."""
    if not any(p.profile.raster_chinese for p in printers):
        return None
    try:
        find_font(settings.printer.raster_font)
    except SetupError as error:
        return (f"printer(s) {', '.join(p.name for p in printers if p.profile.raster_chinese)} print Chinese as "
                f"images but no CJK font was found: set {error.params['key']} in config.toml to a font file, "
                f"or install fonts-wqy-microhei")
    return None


# -- `aixin printer …`: the same steps from a terminal --------------------------------------------


def printer_command(settings, args, with_database) -> int:
    """aixin printer find|test|drawer|set|list. find, test and drawer need no database."""
    locale = settings.shop.locale
    if args.step == "find":
        print(_found_text(find_printers(), locale))
        return 0
    try:
        with _as_domain_errors():
            if args.step == "test":
                config = parse_connection(args.to)
                where = send(config, "test-page", render_test_page(title=TEST_PAGE_TITLE, connection=args.to))
                print(gettext(locale, CLI_TEST_SENT).format(where=where or args.to, to=args.to))
                return 0
            if args.step == "drawer":
                config = parse_connection(args.to)
                profile = PrinterProfile(drawer_on_ms=args.on_ms, drawer_off_ms=args.off_ms)
                send(config, "drawer", render_drawer_kick(profile, pin=args.pin))
                print(gettext(locale, CLI_DRAWER_SENT).format(pin=args.pin))
                return 0
    except PrintError as error:
        raise DomainError(PrinterSetupError.UNREACHABLE, reason=str(error)) from error

    async def stored(shop_id: int) -> int:
        with _as_domain_errors():
            if args.step == "list":
                for p in await list_printers(shop_id=shop_id):
                    print(_described(p))
                return 0
            return await _set_from_cli(settings, args, shop_id)

    return asyncio.run(with_database(settings, stored))


async def _set_from_cli(settings, args, shop_id: int) -> int:
    """Add the printer named args.name (or change it) with the profile of the test page's choice; assign it."""
    found = next((p for p in await list_printers(shop_id=shop_id) if p.name == " ".join(args.name.split())), None)
    base = found.profile if found else PrinterProfile()
    overrides = {key: value for key, value in (
        ("drawer_pin", args.drawer_pin), ("drawer_on_ms", args.on_ms), ("drawer_off_ms", args.off_ms),
        ("cut", False if args.no_cutter else None), ("drawer", False if args.no_drawer else None),
        ("native_barcodes", False if args.barcodes_as_images else None)) if value is not None}
    profile = chosen_profile(args.line, args.ruler, base=replace(base, **overrides))
    if profile.raster_chinese:
        find_font(settings.printer.raster_font)
    codes = {till.code for till in await tills(shop_id=shop_id)}
    places = []
    for place in args.place:  # all checked before anything is stored
        place = till_place(place.removeprefix("till:")) if place.startswith("till:") else check_place(place.strip())
        if place.startswith("till:") and place.removeprefix("till:") not in codes:
            raise DomainError(SaleError.UNKNOWN_TILL, till=place.removeprefix("till:"))
        places.append(place)
    if found is None:
        found = await add_printer(shop_id=shop_id, name=args.name, connection=args.to, bounds=None, profile=profile)
    found = await change_printer(shop_id=shop_id, printer_id=found.id, bounds=None, connection=args.to,
                                 profile=profile, tested=True)
    for place in places:
        await assign(shop_id=shop_id, place=place, printer_id=found.id)
    found = await find_printer(shop_id=shop_id, printer_id=found.id)
    print(_described(found))
    return 0


def _described(p: StoredPrinter) -> str:
    profile = p.profile
    mode = " + FS &" if profile.chinese_mode else ""
    images = ", Chinese as images" if profile.raster_chinese else ""
    drawer = f"drawer pin {profile.drawer_pin} {profile.drawer_on_ms}/{profile.drawer_off_ms} ms" if profile.drawer \
        else "no drawer"
    places = " ".join(p.places) or "-"
    return (f"{p.id}  {p.name}  {p.connection}  {profile.encoding}{mode}{images}, {profile.columns} columns "
            f"({profile.paper_mm} mm), {'cutter' if profile.cut else 'no cutter'}, {drawer}, "
            f"{'printer barcodes' if profile.native_barcodes else 'barcodes as images'}"
            f"{'' if p.tested else ', not tested'}; serves: {places}")


CLI_USB = N_("USB printers plugged in (add one with its connection):")
CLI_USB_MAYBE = N_("(a device of its maker's own kind: a receipt printer, or something else)")
CLI_NO_USB = N_("No USB printer is plugged in, or it is switched off.")
CLI_SERIAL = N_("Serial ports:")
CLI_NO_SERIAL = N_("No serial port.")
CLI_FOUND_NEXT = N_("Next: aixin printer test --to CONNECTION prints the test page.")


def _found_text(found: Found, locale: str) -> str:
    """What `aixin printer find` says: each printer with the connection to give `--to`."""
    said = [gettext(locale, CLI_USB) if found.usb else gettext(locale, CLI_NO_USB)]
    said += [f"  {p.connection}  {p.name or '?'}" + ("" if p.says_printer else "  " + gettext(locale, CLI_USB_MAYBE))
             for p in found.usb]
    said.append(gettext(locale, CLI_SERIAL) if found.serial else gettext(locale, CLI_NO_SERIAL))
    said += [f"  {p.connection}  {p.description}".rstrip() for p in found.serial]
    said += [f"! {problem}" for problem in found.problems]
    if found.usb or found.serial:
        said.append(gettext(locale, CLI_FOUND_NEXT))
    return "\n".join(said)


CLI_TEST_SENT = N_("The test page went to {where}. Find the line that reads 爱心超市 ￥12.50 谢谢惠顾 right and the "
                   "widest ruler on one line, then: aixin printer set NAME --to {to} --line N --ruler 32|48")
CLI_DRAWER_SENT = N_("The drawer was kicked on pin {pin}: if it opened, use --drawer-pin {pin}.")

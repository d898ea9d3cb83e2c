"""The `aixin` command: parse argv, call an operation."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from shop.database import DatabaseUnavailable, close_database, engine_for, migrate, open_database
from shop.errors import DomainError
from shop.settings import Settings, SettingsError, load_settings
from shop.shops import ShopInfo, ShopKind, add_shop, change_shop, ensure_shop, list_shops, shop_of_code
from lovebank.members import link_staff, unlink_staff
from pos.tills import add_till, tills
from shop.staff import Role, create_staff, list_staff, reset_password, set_active, set_pin, set_role
from shop.tables import Staff
from web.i18n import N_, gettext


STOP_SECONDS = 10  # a stop (SIGTERM) ends the process within this, whatever the clients do
SHUTDOWN_SECONDS = 3  # of which the app's own shutdown (the print worker, the database) may take this


async def _with_database(settings: Settings, work: Callable[[int], Awaitable[int]]) -> int:
    """Open the database, apply pending migrations, make sure the shop exists, run `work(shop_id)`."""
    engine = engine_for(settings.database.url)
    await open_database(engine)
    try:
        applied = await migrate(engine)
        if applied:
            print(f"applied {len(applied)} database migration(s)")
        shop_id = await ensure_shop(settings.shop)
        return await work(shop_id)
    finally:
        await close_database(engine)


def _address_for_tills(host: str) -> str:
    """The address a till on the shop's network opens: this PC's LAN address when the server listens on every one."""
    from web.tls import lan_address

    if host not in ("0.0.0.0", "::"):
        return host
    return lan_address() or host  # no network: the tills cannot reach it either


def _serving_tls(settings: Settings, host: str, port: int) -> tuple[dict[str, str], list[str]]:
    """The shop's CA and server certificate for HTTPS (web/tls.py): uvicorn's arguments, and what to say of them."""
    from web.tls import names_to_cover, server_certificate, shop_ca, tls_folder

    folder = tls_folder(settings)
    ca = shop_ca(folder, shop_name=settings.shop.name)
    served = server_certificate(folder, ca, names=names_to_cover(settings, host=host))
    said = []
    hosts = [name for name in served.names if name not in ("localhost", "127.0.0.1", "::1", _address_for_tills(host))]
    if hosts and host in ("0.0.0.0", "::"):  # listening on every address: the names the certificate covers too
        said.append("  also at " + ", ".join(f"https://{f'[{n}]' if ':' in n else n}:{port}/" for n in hosts))
    said.append(f"  {'made ' if ca.made else ''}the shop's certificate authority, which each till trusts once: "
                f"{ca.path}\n    SHA-256 {ca.fingerprint}")
    if served.issued_because:
        said.append(f"  server certificate issued ({served.issued_because}), valid until {served.expires:%Y-%m-%d}")
    return {"ssl_certfile": str(served.cert_path), "ssl_keyfile": str(served.key_path)}, said


def worker_app():
    """The app in each process of `aixin serve --workers N` (uvicorn's factory, imported by name in each).

    Settings are read again from config.toml and the environment the parent left. The parent did the start-up work
    once, before the workers started: migrations, the demo, the shop's row, and the print jobs the last stop left
    "printing" (recover_interrupted): a worker starting after another must not take back a job the other prints.
    """
    from web.app import create_app

    return create_app(load_settings(), recover_print_jobs=False)


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import msgspec
    import uvicorn

    from web.app import create_app
    from web.demo import DEMO_PASSWORD, DEMO_STAFF, demo_loaded
    from printing.queue import recover_interrupted
    from web.serving import SERVE_HTTPS, BoundedReads, workers_refused
    from web.tls import TlsError, tls_folder

    workers = args.workers
    if refused := workers_refused(settings.database.url, workers):
        print(f"aixin: {refused}", file=sys.stderr)
        return 2

    async def prepare(shop_id: int) -> int:
        if workers > 1:  # done here once, before the workers start (worker_app)
            if interrupted := await recover_interrupted():
                print(f"{interrupted} print job(s) interrupted by the last stop are queued again")
        return int(await demo_loaded())

    host, port = args.host or settings.server.host, args.port or settings.server.port
    tls = settings.server.tls if args.tls is None else args.tls
    served_over: dict[str, str] = {}
    said: list[str] = []
    if tls:
        try:
            served_over, said = _serving_tls(settings, host, port)
        except TlsError as error:
            print(f"aixin: {error}", file=sys.stderr)
            return 2
        except OSError as error:  # a folder that cannot be made or written
            print(f"aixin: the certificates cannot be kept in {tls_folder(settings)}: {error}", file=sys.stderr)
            return 2
        # the login and CSRF cookies are then sent over HTTPS alone (Secure), and browsers keep to HTTPS
        settings = msgspec.structs.replace(settings, server=msgspec.structs.replace(settings.server, https=True))
        os.environ[SERVE_HTTPS] = "true"  # and the workers', which read the settings again
    has_demo = asyncio.run(_with_database(settings, prepare))
    print(f"\n  爱心超市 Aixin is open at http{'s' if tls else ''}://{_address_for_tills(host)}:{port}/  "
          f"({settings.shop.name})")
    for line in said:
        print(line)
    print(f"  database: {settings.database.url}   printer: {settings.printer.kind} {settings.printer.path if settings.printer.kind == 'file' else settings.printer.host}")
    if has_demo:
        print(f"  demo logins (password {DEMO_PASSWORD}): " + ", ".join(f"{u} ({r.value})" for u, _, r in DEMO_STAFF))
    print(flush=True)
    # A stop (SIGTERM from a service manager, Ctrl-C) lets requests under way finish, but ends within 10 s: a till
    # that keeps a half-sent request open must not keep the shop from restarting. A client that sends its request
    # too slowly is cut off (web/serving.py).
    # Several workers share the port, each its own process, started by uvicorn from the app's import name.
    app = create_app(settings) if workers == 1 else "web.cli:worker_app"
    uvicorn.run(app, host=host, port=port, log_level="warning" if not args.verbose else "info",
                http=BoundedReads, timeout_graceful_shutdown=STOP_SECONDS - SHUTDOWN_SECONDS, timeout_keep_alive=5,
                **({"workers": workers, "factory": True} if workers > 1 else {}), **served_over)
    return 0


def _tls(settings: Settings, args: argparse.Namespace) -> int:
    """aixin tls ca [--export FILE]: the shop's certificate authority, to be trusted once on each till."""
    from web.tls import TlsError, export_ca, shop_ca, tls_folder

    try:
        ca = shop_ca(tls_folder(settings), shop_name=settings.shop.name)
        if ca.made:
            print("made the shop's certificate authority (once: keep its folder with the backups)")
        print(ca.path)
        print(f"SHA-256 {ca.fingerprint}")
        if args.export:
            print(f"copied the CA certificate (not its key) to {export_ca(ca, Path(args.export))}")
    except TlsError as error:
        print(f"aixin: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"aixin: the certificate authority cannot be kept in {tls_folder(settings)}: {error}", file=sys.stderr)
        return 1
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    async def done(shop_id: int) -> int:
        print("migrations applied")
        return 0
    return asyncio.run(_with_database(settings, done))


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from web.demo import DEMO_PASSWORD, DEMO_STAFF, load_demo

    async def load(shop_id: int) -> int:
        loaded = await load_demo(shop_id=shop_id, today=datetime.now(settings.zone).date(),
                                 service_types=settings.lovebank.service_types)
        print("demo shop loaded" if loaded else "the demo shop was already loaded")
        print(f"demo logins (password {DEMO_PASSWORD}): " + ", ".join(u for u, _, _ in DEMO_STAFF))
        return 0
    return asyncio.run(_with_database(settings, load))


NO_TERMINAL = N_("There is no terminal to type the {what} in: give it on standard input with {option}, e.g. "
                 "printf '%s\\n' \"$SECRET\" | aixin {command} {option}")


def _secret(settings: Settings, prompt: str, *, from_stdin: bool, what: str, option: str, command: str) -> str:
    """A password or PIN: from standard input when asked (scripts), else typed unseen at the terminal; without a
    terminal (a script that forgot the option, a service) a sentence saying how, not getpass's traceback."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise SystemExit("aixin: " + gettext(settings.shop.locale, NO_TERMINAL).format(
            what=gettext(settings.shop.locale, what), option=option, command=command))
    return getpass.getpass(prompt)


SECRET_WORDS = (N_("password"), N_("PIN"))


def _create_user(settings: Settings, args: argparse.Namespace) -> int:
    password = _secret(settings, "password: ", from_stdin=args.password_stdin, what="password",
                       option="--password-stdin", command=f"create-user {args.username} --role {args.role}")

    async def create(shop_id: int) -> int:
        shop = await shop_of_code(args.shop or settings.shop.code)
        staff = await create_staff(shop_id=shop.id, username=args.username, password=password,
                                   role=Role(args.role), display_name=args.name or args.username)
        print(f"created {staff.username} ({staff.role}) of {shop.code}")
        return 0
    return asyncio.run(_with_database(settings, create))


# What the shop and till commands say when they have done what was asked, in config.toml's [shop] locale as their
# refusals are (main): the admin of a Chinese shop reads Chinese whether the command did it or not.
SHOP_WORDS = {
    "shop": N_("shop"),
    "station": N_("station"),
    "added": N_("added {kind} {code} ({name})"),
    "changed": N_("changed {kind} {code} ({name})"),
    "feeding": N_(", feeding {shop}"),
    "feeding-nothing": N_(", feeding no shop"),
    "listed": N_("{code} {kind} {name}  {address}  tills: {tills}"),
    "listed-feeds": N_("  feeds: {shop}"),
    "added-till": N_("added till {till} ({name}) of {shop}"),
}


def _said(settings: Settings, words: str, **params: object) -> str:
    """SHOP_WORDS[words] in the shop's language, with its parameters (a shop's kind in words too)."""
    if "kind" in params:
        params["kind"] = gettext(settings.shop.locale, SHOP_WORDS[str(params["kind"])])
    return gettext(settings.shop.locale, SHOP_WORDS[words]).format(**params)


def _what_it_feeds(settings: Settings, shop: ShopInfo) -> str:
    """", feeding north" after a station; nothing after a shop."""
    if shop.kind is not ShopKind.STATION:
        return ""
    return _said(settings, "feeding", shop=shop.feeds) if shop.feeds else _said(settings, "feeding-nothing")


def _shop(settings: Settings, args: argparse.Namespace) -> int:
    """aixin shop add|set|list: the district's shops and stations."""

    async def run(shop_id: int) -> int:
        if args.step == "add":
            added = await add_shop(code=args.code, name=args.name, address=args.address or "",
                                   kind=ShopKind.STATION if args.station else ShopKind.SHOP, feeds=args.feeds)
            print(_said(settings, "added", kind=added.kind, code=added.code, name=added.name)
                  + (_what_it_feeds(settings, added) if added.feeds else ""))
            return 0
        if args.step == "set":
            changed = await change_shop(code=args.code, config=settings.shop, name=args.name, address=args.address,
                                        feeds=args.feeds, feeds_nothing=args.feeds_nothing)
            print(_said(settings, "changed", kind=changed.kind, code=changed.code, name=changed.name)
                  + _what_it_feeds(settings, changed))
            return 0
        for shop in await list_shops():
            till_codes = ",".join(t.code for t in await tills(shop_id=shop.id)) or "-"
            print(_said(settings, "listed", code=f"{shop.code:<16}", kind=shop.kind, name=shop.name,
                        address=shop.address or "-", tills=till_codes)
                  + (_said(settings, "listed-feeds", shop=shop.feeds) if shop.feeds else ""))
        return 0
    return asyncio.run(_with_database(settings, run))


def _till(settings: Settings, args: argparse.Namespace) -> int:
    """aixin till add CODE --shop SHOP --name NAME: a new till of a shop (a station has none)."""

    async def run(shop_id: int) -> int:
        shop = await shop_of_code(args.shop)
        await add_till(shop_id=shop.id, code=args.code, name=args.name)
        print(_said(settings, "added-till", till=args.code.strip().upper(), name=args.name.strip(), shop=shop.code))
        return 0
    return asyncio.run(_with_database(settings, run))


def _shop_commands(commands) -> None:
    shop = commands.add_parser("shop", help="the district's shops and stations: add one, change one, list them")
    steps = shop.add_subparsers(dest="step", required=True)
    add = steps.add_parser("add", help="add a shop (or, with --station, a station: no tills, no stock)")
    add.add_argument("code", help="letters, digits and dashes, as config.toml's [shop] code")
    add.add_argument("--name", required=True)
    add.add_argument("--address")
    add.add_argument("--station", action="store_true", help="a station, where service is recorded")
    add.add_argument("--feeds", metavar="SHOP", help="a station's shop (its code): where its intake goods go")
    change = steps.add_parser("set", help="change a shop's or station's name or address, or the shop a station feeds "
                                          "(config.toml's own shop: its name and address are set in config.toml)")
    change.add_argument("code", help="the shop's or station's code")
    change.add_argument("--name")
    change.add_argument("--address", help="the new address (\"\" clears it)")
    feeding = change.add_mutually_exclusive_group()
    feeding.add_argument("--feeds", metavar="SHOP", help="a station's shop (its code): where its intake goods go from "
                                                         "now on (goods taken in before stay where they went)")
    feeding.add_argument("--feeds-nothing", action="store_true",
                         help="the station feeds no shop: its intake desk takes nothing in")
    steps.add_parser("list", help="every shop and station: code, kind, name, address, tills")
    shop.set_defaults(run=_shop)
    till = commands.add_parser("till", help="add a till to a shop")
    till_add = till.add_subparsers(dest="step", required=True).add_parser("add", help="a new till of a shop")
    till_add.add_argument("code", help="up to 16 letters, digits and dashes, e.g. T2")
    till_add.add_argument("--shop", required=True, metavar="SHOP", help="the shop's code")
    till_add.add_argument("--name", required=True, help="the name the till page shows")
    till.set_defaults(run=_till)


def _set_pin(settings: Settings, args: argparse.Namespace) -> int:
    pin = _secret(settings, "PIN (4 to 12 digits): ", from_stdin=args.pin_stdin, what="PIN", option="--pin-stdin",
                  command=f"set-pin {args.username}")

    async def give(shop_id: int) -> int:
        staff = await set_pin(username=args.username, pin=pin)
        print(f"{staff.username} has a new till PIN")
        return 0
    return asyncio.run(_with_database(settings, give))


def _staff(settings: Settings, args: argparse.Namespace) -> int:
    """aixin staff list|deactivate|activate|role|password|pin|card|link: the admin's staff page, from a terminal."""
    secret = ""
    if args.step == "password":
        secret = _secret(settings, "new password: ", from_stdin=args.password_stdin, what="password",
                         option="--password-stdin", command=f"staff password {args.username}")
    elif args.step == "pin":
        secret = (getpass.getpass("PIN (4 to 12 digits): ") if sys.stdin.isatty()
                  else sys.stdin.readline().rstrip("\n"))

    async def change(shop_id: int) -> int:
        if args.step == "list":  # each person's shop (or station) by its code; of one shop with --shop
            of_shop = (await shop_of_code(args.shop)).id if args.shop else None
            codes = {s.id: s.code for s in await list_shops()}
            shops = {r["id"]: codes.get(r["shop"], "-") for r in await Staff.select(Staff.id, Staff.shop)}
            for s in await list_staff(shop_id=of_shop):
                print(f"{s.username:<20} {s.role:<12} {'active' if s.active else 'deactivated':<12} "
                      f"{'PIN' if s.has_pin else '-':<4} {shops[s.id]:<16} {s.display_name}")
            return 0
        if args.step in ("deactivate", "activate"):
            staff = await set_active(username=args.username, active=args.step == "activate")
            print(f"{staff.username} is {'active' if staff.active else 'deactivated: every session of theirs ended'}")
        elif args.step == "role":
            staff = await set_role(username=args.username, role=Role(args.role))
            print(f"{staff.username} is now {staff.role}: every session of theirs ended")
        elif args.step == "link":
            return await _link(args)
        elif args.step == "card":
            return await _staff_card(settings, args, shop_id)
        elif args.step == "password":
            staff = await reset_password(username=args.username, password=secret)
            print(f"{staff.username} has a new password: every session of theirs ended")
        else:
            staff = await set_pin(username=args.username, pin=secret)
            print(f"{staff.username} has a new till PIN")
        return 0
    return asyncio.run(_with_database(settings, change))


async def _staff_card(settings: Settings, args: argparse.Namespace, shop_id: int) -> int:
    """aixin staff card USER: a new staff card (a new badge: the old card no longer works), printed now on the receipt
    printer by one pass of the print queue (a server running prints it as well: each job prints once)."""
    from pos.paper import Paper
    from printing.printer_setup import stored_configs
    from printing.queue import PrintWorker
    from shop.printouts import Printouts

    printouts = Printouts(settings, translate=gettext)
    _, card = await Paper(printouts).print_staff_card(shop_id=shop_id, username=args.username)
    await PrintWorker(printouts.printers(), stored=stored_configs).print_due()
    print("\n".join(card))
    return 0


async def _link(args: argparse.Namespace) -> int:
    """aixin staff link USER --member NUMBER | --unlink: the love-bank member whose passbook their shifts go into."""
    if args.unlink:
        await unlink_staff(username=args.username)
        print(f"{args.username} is no longer linked to a member")
        return 0
    link = await link_staff(username=args.username, member=args.member, by=None)
    print(f"{link.username} is linked to member {link.member_number} {link.member_name}: their shifts go into that "
          "passbook")
    return 0


def _staff_commands(commands) -> None:
    staff = commands.add_parser("staff", help="list staff, deactivate them, change a role, a password or a PIN")
    steps = staff.add_subparsers(dest="step", required=True)
    listing = steps.add_parser("list", help="everyone: username, role, active, whether they have a till PIN, "
                                            "their shop's code")
    listing.add_argument("--shop", metavar="SHOP", help="only the staff of this shop or station (its code)")
    for step, words in (("deactivate", "end every session of theirs; they can no longer log in or approve"),
                        ("activate", "let a deactivated member of staff log in again")):
        steps.add_parser(step, help=words).add_argument("username")
    role = steps.add_parser("role", help="give a new role (every session of theirs ends)")
    role.add_argument("username")
    role.add_argument("role", choices=[r.value for r in Role])
    password = steps.add_parser("password", help="set a new password (every session of theirs ends)")
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    pin = steps.add_parser("pin", help="give a cashier, manager or admin their till PIN: the cashier switch (换人), and "
                                       "a manager's approves overrides (read from standard input, or asked for)")
    pin.add_argument("username")
    card = steps.add_parser("card", help="print a new staff card (its badge scanned at the till's lock screen, 换人); "
                                         "the card printed before no longer works")
    card.add_argument("username")
    link = steps.add_parser("link", help="link a login to a love-bank member, whose passbook their till and intake "
                                         "shifts go into (or --unlink)")
    link.add_argument("username")
    which = link.add_mutually_exclusive_group(required=True)
    which.add_argument("--member", metavar="NUMBER", help="the member's number (M000123) or card code")
    which.add_argument("--unlink", action="store_true", help="unlink the login's member")
    staff.set_defaults(run=_staff)


def _verify(settings: Settings, args: argparse.Namespace) -> int:
    from pos.verify import printed_report, verify_report

    async def check(shop_id: int) -> int:
        checked = await verify_report()
        print(printed_report(checked))
        return 1 if any(rule.problems for rule in checked) else 0
    return asyncio.run(_with_database(settings, check))


async def _books_at(url: str) -> int:
    """verify() on the database at `url` as it is (no migration, nothing written); its report printed."""
    from pos.verify import printed_report, verify_report
    from shop.database import bind

    engine = engine_for(url)
    await open_database(engine)
    try:
        bind(engine)
        checked = await verify_report()
        print(printed_report(checked))
        return 1 if any(rule.problems for rule in checked) else 0
    finally:
        await close_database(engine)


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    from shop.backup import BackupError, backup
    from shop.database import sqlite_path

    folder = Path(args.to) if args.to else settings.backup_folder
    try:
        copy = backup(settings.database.url, folder)
    except BackupError as error:
        print(f"aixin: backup not made: {error}", file=sys.stderr)
        return 1
    print(copy)
    # the copy is itself a shop's database: its books are checked as they are (a PostgreSQL dump is checked by
    # pg_restore --list, and the books it was taken from here)
    url = f"sqlite:///{copy}" if sqlite_path(settings.database.url) is not None else settings.database.url
    status = asyncio.run(_books_at(url))
    print(f"backup {'checked' if status == 0 else 'made, but the books it holds have problems'}: {copy}")
    return status


def _restore(settings: Settings, args: argparse.Namespace) -> int:
    from shop.backup import BackupError, restore

    try:
        restore(Path(args.file), settings.database.url)
    except BackupError as error:
        print(f"aixin: nothing restored: {error}", file=sys.stderr)
        return 1
    print(f"restored {args.file} into {settings.database.url}")
    return asyncio.run(_books_at(settings.database.url))


def _service_install(settings: Settings, args: argparse.Namespace) -> int:
    from web.systemd import UNIT_PATH, install_unit

    aixin = Path(sys.executable).parent / "aixin"
    try:
        written = install_unit(to=Path(args.to) if args.to else UNIT_PATH, aixin=aixin, folder=Path.cwd().resolve(),
                               user=args.user or getpass.getuser(), force=args.force)
    except FileExistsError as error:
        print(f"aixin: {error} exists already: --force writes it again", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"aixin: cannot write the unit: {error} (as root: sudo)", file=sys.stderr)
        return 1
    print(f"wrote {written}\nthen: systemctl daemon-reload && systemctl enable --now {written.stem}")
    return 0


def _printer(settings: Settings, args: argparse.Namespace) -> int:
    """aixin printer ...: the printers of config.toml's [shop], or with --shop of another shop or station."""
    from web.printers import printer_command

    async def with_shop(settings: Settings, work: Callable[[int], Awaitable[int]]) -> int:
        async def of_shop(shop_id: int) -> int:
            return await work((await shop_of_code(args.shop)).id if getattr(args, "shop", None) else shop_id)
        return await _with_database(settings, of_shop)

    return printer_command(settings, args, with_shop)


def _printer_commands(commands) -> None:
    """aixin printer find|test|drawer|set|list: the printers page's steps, from a terminal (web/printers.py)."""
    printer = commands.add_parser("printer", help="set up a printer: its test page, its drawer, its profile")
    steps = printer.add_subparsers(dest="step", required=True)
    connection = argparse.ArgumentParser(add_help=False)
    connection.add_argument("--to", required=True, metavar="CONNECTION",
                            help="tcp://host:9100, usb:VID:PID, serial:/dev/ttyUSB0[@baud] or file:/path")
    steps.add_parser("find", help="the USB printers and serial ports plugged into this PC, with their connections")
    steps.add_parser("test", parents=[connection], help="print the test page")
    drawer = steps.add_parser("drawer", parents=[connection], help="kick the cash drawer on pin 2 or 5")
    drawer.add_argument("--pin", type=int, choices=[2, 5], required=True)
    drawer.add_argument("--on-ms", type=int, default=100)
    drawer.add_argument("--off-ms", type=int, default=100)
    of_shop = argparse.ArgumentParser(add_help=False)
    of_shop.add_argument("--shop", metavar="SHOP", help="the shop's or station's code (default: config.toml's [shop])")
    chosen = steps.add_parser("set", parents=[connection, of_shop], help="store a printer's profile from its test page")
    chosen.add_argument("name", help="the printer's name, as the printers page shows it")
    chosen.add_argument("--line", type=int, required=True, help="the test page's line that reads right (1-5)")
    chosen.add_argument("--ruler", type=int, required=True, help="the widest ruler on one line: 32 or 48")
    chosen.add_argument("--drawer-pin", type=int, choices=[2, 5])
    chosen.add_argument("--on-ms", type=int)
    chosen.add_argument("--off-ms", type=int)
    chosen.add_argument("--no-cutter", action="store_true", help="the printer has no cutter")
    chosen.add_argument("--no-drawer", action="store_true", help="no cash drawer hangs on it")
    chosen.add_argument("--barcodes-as-images", action="store_true", help="the printer cannot draw barcodes")
    chosen.add_argument("--place", action="append", default=[], metavar="PLACE",
                        help="assign it: till:T1 (a till's receipts) or intake (labels and slips); repeatable")
    steps.add_parser("list", parents=[of_shop], help="the printers set up and the places they serve")
    printer.set_defaults(run=_printer)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aixin", description="Aixin (爱心): the charity supermarket's till and stock.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="apply migrations and start the shop's web server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--verbose", action="store_true")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="serve from N processes sharing the port (PostgreSQL only; default 1)")
    serve.add_argument("--tls", action=argparse.BooleanOptionalAction,
                       help="serve HTTPS with the shop's own certificate authority (default: [server] tls)")
    serve.set_defaults(run=_serve)
    tls = commands.add_parser("tls", help="the shop's certificate authority, for HTTPS on the shop's LAN")
    ca = tls.add_subparsers(dest="step", required=True).add_parser(
        "ca", help="its certificate's path and SHA-256 fingerprint (made the first time)")
    ca.add_argument("--export", metavar="FILE", help="copy the CA certificate (never its key) to FILE, or into a "
                                                     "folder as aixin-shop.crt, to give to the tills")
    ca.set_defaults(run=_tls)
    commands.add_parser("migrate", help="apply pending database migrations").set_defaults(run=_migrate)
    commands.add_parser("demo", help="load the demo shop (once)").set_defaults(run=_demo)
    user = commands.add_parser("create-user", help="add a member of staff")
    user.add_argument("username")
    user.add_argument("--role", required=True, choices=[r.value for r in Role])
    user.add_argument("--name", help="the name shown on screens and receipts")
    user.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    user.add_argument("--shop", metavar="SHOP", help="the shop's code (default: config.toml's [shop])")
    user.set_defaults(run=_create_user)
    _shop_commands(commands)
    pin = commands.add_parser("set-pin", help="give a cashier, manager or admin their till PIN (a manager's approves "
                                              "overrides)")
    pin.add_argument("username")
    pin.add_argument("--pin-stdin", action="store_true", help="read the PIN from standard input")
    pin.set_defaults(run=_set_pin)
    _staff_commands(commands)
    commands.add_parser("verify", help="check every rule of the books; non-zero exit on a problem").set_defaults(
        run=_verify)
    copy = commands.add_parser("backup", help="copy the shop's database while it is open, then check the copy")
    copy.add_argument("--to", metavar="DIR", help="the folder for the copy (default: [backup] folder, or the data "
                                                  "folder's backups/)")
    copy.set_defaults(run=_backup)
    back = commands.add_parser("restore", help="restore a backup into the configured database, which must be empty")
    back.add_argument("file")
    back.set_defaults(run=_restore)
    service = commands.add_parser("service", help="run the shop as a system service (systemd)")
    install = service.add_subparsers(dest="step", required=True).add_parser(
        "install", help="write a systemd unit that starts `aixin serve` at boot and again after a failure")
    install.add_argument("--to", metavar="PATH", help="the unit file (default /etc/systemd/system/aixin.service)")
    install.add_argument("--user", help="who runs the shop (default: whoever runs this)")
    install.add_argument("--force", action="store_true", help="write over an existing unit")
    install.set_defaults(run=_service_install)
    _printer_commands(commands)
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"aixin: {error}", file=sys.stderr)
        return 2
    try:
        return args.run(settings, args)
    except DatabaseUnavailable as error:  # exit at once, saying why: a service manager can restart or alert
        print(f"aixin: {error}", file=sys.stderr)
        return 2
    except DomainError as error:
        from web.i18n import domain_error_message
        print(f"aixin: {domain_error_message(settings.shop.locale, error)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""The `aixin` command: parse argv, call an operation."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime

from shop.database import close_database, engine_for, migrate, open_database
from shop.errors import DomainError
from shop.settings import Settings, SettingsError, load_settings
from shop.shops import ensure_shop
from shop.staff import Role, create_staff


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


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from web.app import create_app
    from web.demo import DEMO_PASSWORD, DEMO_STAFF, demo_loaded

    async def prepare(shop_id: int) -> int:
        return int(await demo_loaded())

    has_demo = asyncio.run(_with_database(settings, prepare))
    host, port = args.host or settings.server.host, args.port or settings.server.port
    print(f"\n  爱心超市 Aixin is open at http://{host}:{port}/  ({settings.shop.name})")
    print(f"  database: {settings.database.url}   printer: {settings.printer.kind} {settings.printer.path if settings.printer.kind == 'file' else settings.printer.host}")
    if has_demo:
        print(f"  demo logins (password {DEMO_PASSWORD}): " + ", ".join(f"{u} ({r.value})" for u, _, r in DEMO_STAFF))
    print()
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning" if not args.verbose else "info")
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    async def done(shop_id: int) -> int:
        print("migrations applied")
        return 0
    return asyncio.run(_with_database(settings, done))


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from web.demo import DEMO_PASSWORD, DEMO_STAFF, load_demo

    async def load(shop_id: int) -> int:
        loaded = await load_demo(shop_id=shop_id, today=datetime.now(settings.zone).date())
        print("demo shop loaded" if loaded else "the demo shop was already loaded")
        print(f"demo logins (password {DEMO_PASSWORD}): " + ", ".join(u for u, _, _ in DEMO_STAFF))
        return 0
    return asyncio.run(_with_database(settings, load))


def _create_user(settings: Settings, args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("password: ")

    async def create(shop_id: int) -> int:
        staff = await create_staff(shop_id=shop_id, username=args.username, password=password,
                                   role=Role(args.role), display_name=args.name or args.username)
        print(f"created {staff.username} ({staff.role})")
        return 0
    return asyncio.run(_with_database(settings, create))


def _verify(settings: Settings, args: argparse.Namespace) -> int:
    from pos.verify import verify

    async def check(shop_id: int) -> int:
        problems = await verify()
        for problem in problems:
            print("PROBLEM:", problem)
        print("the books are in order" if not problems else f"{len(problems)} problem(s) found")
        return 1 if problems else 0
    return asyncio.run(_with_database(settings, check))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aixin", description="Aixin (爱心): the charity supermarket's till and stock.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="apply migrations and start the shop's web server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--verbose", action="store_true")
    serve.set_defaults(run=_serve)
    commands.add_parser("migrate", help="apply pending database migrations").set_defaults(run=_migrate)
    commands.add_parser("demo", help="load the demo shop (once)").set_defaults(run=_demo)
    user = commands.add_parser("create-user", help="add a member of staff")
    user.add_argument("username")
    user.add_argument("--role", required=True, choices=[r.value for r in Role])
    user.add_argument("--name", help="the name shown on screens and receipts")
    user.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    user.set_defaults(run=_create_user)
    commands.add_parser("verify", help="check every rule of the books; non-zero exit on a problem").set_defaults(
        run=_verify)
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"aixin: {error}", file=sys.stderr)
        return 2
    try:
        return args.run(settings, args)
    except DomainError as error:
        from web.i18n import domain_error_message
        print(f"aixin: {domain_error_message(settings.shop.locale, error)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

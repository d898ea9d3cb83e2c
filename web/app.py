"""The app factory: create_app(settings) gives the Litestar app of one shop.

Tests build their own app with their own database engine; the `aixin serve` command
builds the app from config.toml.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException, ValidationException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from piccolo.engine.base import Engine

from inventory.rotation import Rotation, Step
from pos.checkout import source_rules
from pos.split import SplitRule
from pos.tills import TillInfo, tills
from printing.printer_setup import list_printers, stored_configs
from printing.queue import PrintWorker, recover_interrupted
from shop.database import bind, close_database, engine_for, is_disk_full, open_database
from shop.errors import DomainError
from shop.money import format_yuan
from shop.seal import Sealer
from shop.settings import Settings
from shop.shops import ensure_shop
from web.auth import SessionSigner, StaffAuthentication, access_origin
from web.documents import printers
from web.headers import security_headers
from web.i18n import LOCALES, domain_error_message, error_message
from web.inputs import ShopRequest

log = logging.getLogger("aixin")
WEB = Path(__file__).parent


@dataclass
class Shopfront:
    """What every handler needs to know about the shop it serves."""

    settings: Settings
    engine: Engine
    rules: dict[str, SplitRule]
    printing: PrintWorker
    rotation: Rotation
    shop_id: int = 0
    tills: dict[str, TillInfo] = field(default_factory=dict)

    async def refresh_tills(self) -> None:
        self.tills = {till.code: till for till in await tills(shop_id=self.shop_id)}


def rotation_of(settings: Settings) -> Rotation:
    r = settings.rotation
    return Rotation(steps=tuple(Step(s.weeks, s.percent) for s in r.steps), remove_after_weeks=r.remove_after_weeks,
                    sources=frozenset(r.sources))


def shopfront(request: Request) -> Shopfront:
    return request.app.state.shopfront


def locale_of(request: Request) -> str:
    """The person's language: their choice (cookie), else the shop's."""
    chosen = request.cookies.get("lang")
    return chosen if chosen in LOCALES else shopfront(request).settings.shop.locale


def _secret(data_dir: Path) -> bytes:
    """The key that signs sessions and CSRF tokens: made once, kept in the data folder."""
    path = data_dir / "secret.key"
    if not path.exists():
        path.write_bytes(secrets.token_bytes(32))
        path.chmod(0o600)
    return path.read_bytes()[:32]


def _problem(request: Request, status: int, code: str, detail: str, **extra: Any) -> Response:
    body = {"type": f"urn:aixin:error:{code}", "title": code, "status": status, "detail": detail,
            "code": code, **extra}
    return Response(body, status_code=status, media_type="application/problem+json")


def _wants_page(request: Request) -> bool:
    return not request.url.path.startswith("/api") and request.method == "GET"


def on_domain_error(request: Request, error: DomainError) -> Response:
    params = {k: v for k, v in error.params.items() if isinstance(v, (str, int, bool))}
    return _problem(request, error.status, str(error.code), domain_error_message(locale_of(request), error),
                    params=params)


def on_http_error(request: Request, error: HTTPException) -> Response:
    locale = locale_of(request)
    if isinstance(error, NotAuthorizedException):
        if _wants_page(request):
            return Redirect(f"/login?next={request.url.path}")
        return _problem(request, 401, "not-logged-in", error_message(locale, "not-logged-in", {}))
    if isinstance(error, PermissionDeniedException):
        if error.detail == CSRF_FAILED:  # a page open since before a restart or a logout, or a forged form
            return _problem(request, 403, "page-expired", error_message(locale, "page-expired", {}))
        return _problem(request, 403, "forbidden", error_message(locale, "forbidden", {}))
    if isinstance(error, ValidationException):
        reasons = "; ".join(
            f"{e.get('key') or ''} {e.get('message', '')}".strip() for e in (error.extra or []) if isinstance(e, dict)
        ) or str(error.detail)
        return _problem(request, 400, "malformed-request",
                        error_message(locale, "malformed-request", {"reason": reasons}))
    if error.status_code == 404:
        return _problem(request, 404, "not-found", error_message(locale, "not-found", {}))
    return _problem(request, error.status_code, "http-error", str(error.detail))


CSRF_FAILED = "CSRF token verification failed"  # what Litestar's CSRF middleware raises, word for word


def on_server_error(request: Request, error: Exception) -> Response:
    if is_disk_full(error):  # rolled back whole; the next write works once there is room again, with no restart
        log.error("the disk is full: %s %s was not saved (%s)", request.method, request.url.path, error)
        return _problem(request, 507, "disk-full", error_message(locale_of(request), "disk-full", {}))
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return _problem(request, 500, "server-error", error_message(locale_of(request), "server-error", {}))


def create_app(settings: Settings, *, engine: Engine | None = None) -> Litestar:
    from web.api import LabelsApi, ParkedApi, PrintingApi, ReportsApi, SalesApi, TillApi
    from web.reports import FundApi, PayoutRunsApi, ReportFiguresApi, ReportPages
    from web.intake import DonationsApi, DonorsApi, IntakeApi, MakersApi
    from web.intake_pages import DonationPages, DonorPages, MakerPages
    from web.stocktake import StockTakePages, StockTakesApi
    from web.tills import ReturnsApi, TillSessionApi, TillSessionsApi
    from web.lovebank import LoveBankApi, LoveBankPages
    from web.staff import SecurityApi, SecurityPage, StaffPage
    from web.printers import PrintersApi, PrintersPage, check_raster_font
    from web.catalogue_io import CatalogueCsvApi, CatalogueImportPage
    from web.catalogue import CataloguePages, CatalogueApi, CategoriesApi, ShelfApi, ShelfPage
    from web.pages import (
        DocumentsPage, IntakePage, LoginPage, ManagerPage, PrintQueuePage, ReceiptPage, TillPage, home, set_language,
    )
    from web.health import DailyBackups, HealthApi

    engine = engine or engine_for(settings.database.url)
    data_dir = Path(settings.server.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = _secret(data_dir)
    front = Shopfront(settings=settings, engine=engine, rules=source_rules(settings.split),
                      printing=PrintWorker(printers(settings), stored=stored_configs,
                                           keep=timedelta(days=settings.printing.keep_jobs_days)),
                      rotation=rotation_of(settings))
    backups = DailyBackups(settings, engine)
    sealer = Sealer()  # seals committed ledger transactions into each shop's hash chain, after the fact

    async def start(app: Litestar) -> None:
        await open_database(engine)
        bind(engine)
        front.shop_id = await ensure_shop(settings.shop)
        await front.refresh_tills()
        if font_problem := check_raster_font(settings, await list_printers(shop_id=front.shop_id)):
            log.error(font_problem)
        if interrupted := await recover_interrupted():
            log.warning("%d print job(s) interrupted by the last stop are queued again (marked 重打 / COPY where "
                        "some of it may have printed)", interrupted)
        front.printing.start()
        sealer.start()
        backups.start()

    async def stop(app: Litestar) -> None:
        await backups.stop()  # a backup under way is cut short: its .partial copy is never taken for a backup
        await sealer.stop(timeout=2.0)
        await front.printing.stop(timeout=2.0)  # a job cut off here prints again at start, marked 重打 / COPY
        if (imports := app.state.get("catalogue_imports")) is not None:
            await imports.stop()  # web.catalogue_io: an import's transaction rolls back, nothing half-written
        await close_database(engine)

    templates = TemplateConfig(directory=WEB / "templates", engine=JinjaTemplateEngine)
    templates.engine_instance.engine.globals.update(yuan=format_yuan)

    return Litestar(
        route_handlers=[
            home, set_language, LoginPage, TillPage, IntakePage, ManagerPage, ReceiptPage, PrintQueuePage,
            DocumentsPage, DonationPages, DonorPages, MakerPages,
            TillApi, SalesApi, ParkedApi, ReportsApi, PrintingApi, LabelsApi, IntakeApi, DonorsApi, DonationsApi, MakersApi,
            LoveBankApi, LoveBankPages,
            StockTakesApi, StockTakePages, TillSessionApi, TillSessionsApi, ReturnsApi, PrintersApi, PrintersPage, CatalogueCsvApi, CatalogueImportPage,
            CatalogueApi, CategoriesApi, ShelfApi, CataloguePages, ShelfPage,
            ReportFiguresApi, FundApi, PayoutRunsApi, ReportPages, StaffPage, SecurityPage, SecurityApi, HealthApi,
            create_static_files_router(path="/static", directories=[WEB / "static"], opt={"public": True}),
        ],
        on_startup=[start],
        on_shutdown=[stop],
        before_send=[security_headers(https=settings.server.https)],
        middleware=[access_origin,
                    DefineMiddleware(StaffAuthentication, exclude=["^/login", "^/lang", "^/static", "^/schema", "^/$"],
                                     exclude_from_auth_key="public")],
        csrf_config=CSRFConfig(secret=secret.hex(), cookie_name="csrftoken", header_name="x-csrftoken",
                               cookie_samesite="strict", cookie_secure=settings.server.https,
                               safe_methods={"GET", "HEAD", "OPTIONS"},
                               # the scanner's lookup is a read: no token to check, none to set
                               exclude_from_csrf_key="read_only_hot_path"),
        template_config=templates,
        openapi_config=OpenAPIConfig(title="Aixin", version="0.1.0", path="/schema",
                                     render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin()]),
        exception_handlers={DomainError: on_domain_error, HTTPException: on_http_error, Exception: on_server_error},
        request_class=ShopRequest,  # its JSON: 1.0 is not a whole number, and nesting too deep is a 400
        state=State({"shopfront": front, "signer": SessionSigner(secret, secure=settings.server.https),
                     "backups": backups, "sealer": sealer}),
    )

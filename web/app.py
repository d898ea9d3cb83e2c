"""The app factory: create_app(settings) gives the Litestar app of one shop.

Tests build their own app with their own database engine; the `aixin serve` command
builds the app from config.toml. The app's Shopfront reaches each handler that asks for it
(`front: Front`, web.shopfront); refusals and failures become problems (web.problems).
No controller imports this module.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from piccolo.engine.base import Engine

from pos.checkout import TillRules
from pos.paper import Paper
from pos.summaries import Folder
from printing.printable import PLACEHOLDER, unprintable
from printing.printer_setup import list_printers, stored_configs
from printing.queue import PrintWorker, recover_interrupted
from shop.database import bind, close_database, engine_for, open_database
from shop.errors import DomainError
from shop.money import format_yuan
from shop.printouts import Printouts
from shop.seal import Sealer
from shop.settings import Settings
from shop.shops import ensure_shop
from web.api import LabelsApi, ParkedApi, PrintingApi, ReportsApi, SalesApi, TillApi
from web.auth import SessionSigner, staff_sessions
from web.cashier import CashierApi
from web.catalogue import CatalogueApi, CataloguePages, CategoriesApi, ShelfApi, ShelfPage
from web.catalogue_io import CatalogueCsvApi, CatalogueImportPage
from web.catalogue_feed import CatalogueFeedApi
from web.district import DistrictApi, DistrictPage
from web.notice import NoticeApi, NoticePages, NoticePrintApi
from web.headers import security_headers
from web.i18n import gettext
from web.health import DailyBackups, HealthApi
from web.inputs import ShopRequest
from web.intake import DonationsApi, DonorsApi, IntakeApi, IntakeShiftApi, MakersApi
from web.intake_pages import DonationPages, DonorPages, MakerPages
from web.lovebank import LoveBankApi, LoveBankPages
from web.wishes import WishesApi, WishesPage
from web.vouchers import VoucherPages, VouchersApi
from web.offline import OfflinePage, OfflineSettleApi, OfflineTillApi
from web.pages import (
    DocumentsPage, IntakePage, LoginPage, ManagerPage, PrintQueuePage, ReceiptPage, TillPage, home, set_language,
    favicon, till_service_worker,
)
from web.printers import PrintersApi, PrintersPage, check_raster_font
from web.problems import on_domain_error, on_http_error, on_server_error
from web.reports import FundApi, PayoutRunsApi, ReportFiguresApi, ReportPages
from web.shopfront import ShopHeading, Shopfront, rotation_of
from web.staff import SecurityApi, SecurityPage, StaffPage
from web.stocktake import StockTakePages, StockTakesApi
from web.transfers import TransferPages, TransfersApi
from web.tills import ReturnsApi, TillSessionApi, TillSessionsApi

log = logging.getLogger("aixin")
WEB = Path(__file__).parent


def _secret(data_dir: Path) -> bytes:
    """The key that signs sessions and CSRF tokens: made once, kept in the data folder. Made whole beside it, then
    linked into place, so the processes of `aixin serve --workers N` starting at once all read the one key."""
    path = data_dir / "secret.key"
    if not path.exists():
        made = data_dir / f"secret.key.{os.getpid()}"
        made.write_bytes(secrets.token_bytes(32))
        made.chmod(0o600)
        try:
            os.link(made, path)
        except FileExistsError:  # another process made it first: theirs is the key
            pass
        finally:
            made.unlink()
    return path.read_bytes()[:32]


def create_app(settings: Settings, *, engine: Engine | None = None, recover_print_jobs: bool = True) -> Litestar:
    """The shop's app. recover_print_jobs=False: the process that started this one (`aixin serve --workers N`)
    already queued again the print jobs the last stop interrupted (web/serving.py: worker_app)."""
    engine = engine or engine_for(settings.database.url)
    data_dir = Path(settings.server.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = _secret(data_dir)
    printouts = Printouts(settings, translate=gettext)  # the shop's paper, in its language (web's catalogues)
    front = Shopfront(settings=settings, engine=engine,
                      till_rules=TillRules.of(settings, rotation=rotation_of(settings)),
                      printing=PrintWorker(printouts.printers(), stored=stored_configs,
                                           keep=timedelta(days=settings.printing.keep_jobs_days)),
                      paper=Paper(printouts))
    heading = ShopHeading(front)  # the request's shop: on every page, and on the paper it prints
    front.paper.heading = lambda: (heading.name, heading.address)
    front.paper.shop_code = lambda: heading.code
    signer = SessionSigner(secret, secure=settings.server.https)
    backups = DailyBackups(settings, engine)
    sealer = Sealer()  # seals committed ledger transactions into each shop's hash chain, after the fact
    folder = Folder()  # folds the reports' outbox into their hourly summaries, after the sales (pos/summaries.py)

    async def start(app: Litestar) -> None:
        await open_database(engine)
        bind(engine)
        front.shop_id = await ensure_shop(settings.shop)  # config.toml's: outside a request (web/shopfront.py)
        await front.read_shop(front.shop_id)
        if unprintable_name := unprintable(settings.shop.name):  # kept as written; the paper shows the placeholder
            log.warning("config.toml [shop] name %r holds characters the printers cannot print, each printed as %s: %s",
                        settings.shop.name, PLACEHOLDER, " ".join(unprintable_name))
        if font_problem := check_raster_font(settings, await list_printers(shop_id=front.shop_id)):
            log.error(font_problem)
        if recover_print_jobs and (interrupted := await recover_interrupted()):
            log.warning("%d print job(s) interrupted by the last stop are queued again (marked 重打 / COPY where "
                        "some of it may have printed)", interrupted)
        front.printing.start()
        sealer.start()
        folder.start()
        backups.start()

    async def stop(app: Litestar) -> None:
        await backups.stop()  # a backup under way is cut short: its .partial copy is never taken for a backup
        await sealer.stop(timeout=2.0)
        await folder.stop(timeout=2.0)
        await front.printing.stop(timeout=2.0)  # a job cut off here prints again at start, marked 重打 / COPY
        if (imports := app.state.get("catalogue_imports")) is not None:
            await imports.stop()  # web.catalogue_io: an import's transaction rolls back, nothing half-written
        await close_database(engine)

    templates = TemplateConfig(directory=WEB / "templates", engine=JinjaTemplateEngine)
    templates.engine_instance.engine.globals.update(yuan=format_yuan, shop=heading)  # on every page

    return Litestar(
        route_handlers=[
            home, set_language, LoginPage, TillPage, IntakePage, ManagerPage, ReceiptPage, PrintQueuePage,
            DocumentsPage, DonationPages, DonorPages, MakerPages, till_service_worker, favicon,
            TillApi, CashierApi, SalesApi, ParkedApi, ReportsApi, PrintingApi, LabelsApi,
            IntakeApi, IntakeShiftApi, DonorsApi, DonationsApi, MakersApi,
            LoveBankApi, LoveBankPages, VouchersApi, VoucherPages, OfflineTillApi, OfflineSettleApi, OfflinePage,
            StockTakesApi, StockTakePages, TransfersApi, TransferPages, TillSessionApi, TillSessionsApi, ReturnsApi,
            PrintersApi, PrintersPage, CatalogueCsvApi, CatalogueImportPage,
            CatalogueApi, CategoriesApi, ShelfApi, CataloguePages, ShelfPage, CatalogueFeedApi,
            ReportFiguresApi, FundApi, PayoutRunsApi, ReportPages, StaffPage, SecurityPage, SecurityApi, HealthApi,
            DistrictApi, DistrictPage, WishesApi, WishesPage,
            NoticePages, NoticeApi, NoticePrintApi,
            create_static_files_router(path="/static", directories=[WEB / "static"], opt={"public": True}),
        ],
        on_startup=[start],
        on_shutdown=[stop],
        before_send=[security_headers(https=settings.server.https)],
        middleware=[staff_sessions(signer, front)],  # who is logged in, their shop, where from (web/auth.py)
        csrf_config=CSRFConfig(secret=secret.hex(), cookie_name="csrftoken", header_name="x-csrftoken",
                               cookie_samesite="strict", cookie_secure=settings.server.https,
                               safe_methods={"GET", "HEAD", "OPTIONS"},
                               # the scanner's lookup is a read: no token to check, none to set
                               exclude_from_csrf_key="read_only_hot_path"),
        template_config=templates,
        openapi_config=OpenAPIConfig(title="Aixin", version="0.1.0", path="/schema",
                                     render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin()]),
        dependencies={"front": Provide(front.itself, sync_to_thread=False, use_cache=True)},  # `front: Front`
        exception_handlers={DomainError: on_domain_error, HTTPException: on_http_error, Exception: on_server_error},
        request_class=ShopRequest,  # its JSON: 1.0 is not a whole number, and nesting too deep is a 400
        state=State({"shopfront": front, "signer": signer,
                     "backups": backups, "sealer": sealer}),
    )

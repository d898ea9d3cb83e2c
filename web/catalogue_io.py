"""The catalogue as CSV over HTTP: export, and an import that checks every row first and shows its progress.

POST /api/catalogue/imports checks the whole file while the manager waits: every bad row comes back
at once (400, a `problems` list) and nothing is written. A good file is written in the background
(202 with the import's id); GET /api/catalogue/imports/{id} tells how far it has got.

An import, its progress and its outcome are a row of catalogue_import, so any process of the server
(`aixin serve --workers N`) answers for it; one runs at a time per shop, across processes. A process
that stops (or dies) while writing one leaves it failed. The catalogue itself never holds half an
import: it is written in one transaction, committed whole or not at all.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template

from inventory.catalogue import categories_of
from inventory.catalogue_csv import (
    CHINESE, COLUMNS, MAX_BYTES, MAX_ROWS, CatalogueCsvError, CatalogueRejected, ImportRow, ImportSummary,
    export_catalogue, import_catalogue, parse_catalogue,
)
from inventory.tables import CatalogueImport
from shop import sql
from shop.database import as_time, one_writer_per_shop, writing
from shop.errors import DomainError
from shop.staff import Role
from web.auth import StaffUser, requires_role
from web.i18n import ERROR_MESSAGES, N_, error_message, gettext
from web.inputs import RowId
from web.pages import _page
from web.problems import on_server_error, problem, status_of
from web.shopfront import Front, locale_of

log = logging.getLogger("aixin")


# What each column holds, for the page.
COLUMN_WORDS = {
    "barcode": N_("The maker's barcode, or empty: a new item gets the shop's own code."),
    "name": N_("1 to 200 characters."),
    "category": N_("A category's code."),
    "price": N_("Yuan, like 12.50."),
    "quantity": N_("Pieces coming in now (added to the stock); empty or 0: none."),
    "on_hand": N_("The stock when exported: for reading, the import ignores it."),
    "condition": N_("new, like-new, good or fair; for a new item."),
    "location": N_("Where it sits, up to 32 characters."),
    "low_stock_at": N_("On the low-stock list at or below this many; or empty."),
    "expires_on": N_("2026-12-31, or empty."),
    "active": N_("1: on sale, 0: withdrawn; empty: as it is."),
}


def on_csv_error(request: Request, error: DomainError) -> Response:
    """A refusal as a problem: every bad row of a rejected file in `problems` (line, column, code, detail)."""
    locale, code = locale_of(request), str(error.code)
    params = {k: v for k, v in error.params.items() if isinstance(v, (str, int, bool))}
    extra: dict[str, Any] = {"params": params}
    if isinstance(error, CatalogueRejected):
        extra["count"] = error.count
        extra["problems"] = [{"line": p.line, "column": p.column, "code": p.code, "params": p.params,
                              "detail": error_message(locale, p.code, p.params)} for p in error.problems]
    return problem(request, status_of(error), code, error_message(locale, code, error.params), **extra)


def on_undecodable_field(request: Request, error: UnicodeDecodeError | LookupError) -> Response:
    """A text field of the upload that is not UTF-8, or names a charset no one knows: Litestar decodes the form's
    text fields as it parses it and lets these errors through (litestar/_multipart.py) before the handler runs.
    A malformed request; any other LookupError (a KeyError) is ours, a server error."""
    if not isinstance(error, UnicodeDecodeError) and type(error) is not LookupError:
        return on_server_error(request, error)
    reason = "a field of the form is not UTF-8 text"
    return problem(request, 400, "malformed-request",
                   error_message(locale_of(request), "malformed-request", {"reason": reason}))


# -- imports under way ------------------------------------------------------------------------

BEAT_SECONDS = 1.0  # how often the process writing an import writes its progress (PostgreSQL)
STALE = timedelta(seconds=30)  # a running import not heard of for this long: its process is gone, it failed


@dataclass
class _Writing:
    """An import this process is writing: its progress as it goes, and its task."""

    id: int
    shop_id: int
    total: int
    done: int = 0
    task: asyncio.Task | None = None


@dataclass(frozen=True)
class ImportState:
    id: int
    shop_id: int
    status: str  # running | done | failed
    done: int
    total: int
    summary: ImportSummary | None
    error: DomainError | None  # failed: why, if a person can do something about it


class CatalogueImports:
    """The imports this server process writes. Each is a row of catalogue_import, so any process of the server
    (`aixin serve --workers N`) answers for it and refuses a second one of the same shop while it runs.

    On PostgreSQL the writing process writes its progress to the row every second (BEAT_SECONDS) from beside the
    import's transaction; a running import whose row has not been written for STALE is taken for failed (its
    process died: its transaction rolled back). SQLite is one process's database, whose one writer the import
    holds until it commits: that process answers from memory, and a running row it is not writing was left by a
    stop."""

    def __init__(self) -> None:
        self._here: dict[int, _Writing] = {}

    async def _running(self, shop_id: int) -> dict[str, Any] | None:
        """The shop's running import, if its process is still writing it; marked failed if that process is gone."""
        row = await CatalogueImport.select(CatalogueImport.id, CatalogueImport.done, CatalogueImport.total,
                                           CatalogueImport.beat_at).where(
            (CatalogueImport.shop == shop_id) & (CatalogueImport.status == "running")).first()
        if row is None or row["id"] in self._here:
            return row
        if sql.locks_rows(CatalogueImport._meta.db) and as_time(row["beat_at"]) >= datetime.now(UTC) - STALE:
            return row  # another process is writing it
        await CatalogueImport.update({CatalogueImport.status: "failed"}).where(
            (CatalogueImport.id == row["id"]) & (CatalogueImport.status == "running"))
        return None

    async def refuse_if_running(self, shop_id: int) -> None:
        if (running := await self._running(shop_id)) is not None:
            writing_here = self._here.get(running["id"])
            raise DomainError(CatalogueCsvError.IMPORT_RUNNING, total=running["total"],
                              done=writing_here.done if writing_here else running["done"])

    async def start(self, *, shop_id: int, rows: list[ImportRow], staff_id: int) -> _Writing:
        """Write the checked rows in the background; one import at a time per shop, across processes."""
        db = CatalogueImport._meta.db
        async with writing(db):
            await one_writer_per_shop(db, shop_id, "catalogue-import")
            await self.refuse_if_running(shop_id)
            created = await CatalogueImport.insert(CatalogueImport(
                shop=shop_id, staff=staff_id, status="running", total=len(rows), done=0)).returning(
                CatalogueImport.id)
        job = _Writing(id=created[0]["id"], shop_id=shop_id, total=len(rows))
        self._here[job.id] = job
        job.task = asyncio.create_task(self._run(job, rows, staff_id), name=f"catalogue-import-{job.id}")
        return job

    async def find(self, shop_id: int, import_id: int) -> ImportState:
        row = await CatalogueImport.select().where(
            (CatalogueImport.id == import_id) & (CatalogueImport.shop == shop_id)).first()
        if row is None:
            raise DomainError(CatalogueCsvError.UNKNOWN_IMPORT, id=import_id)
        if row["status"] == "running" and import_id not in self._here:
            await self._running(shop_id)  # its process may be gone
            row = await CatalogueImport.select().where(CatalogueImport.id == import_id).first()
        writing_here = self._here.get(import_id)
        done = writing_here.done if writing_here and row["status"] == "running" else row["done"]
        summary = msgspec.json.decode(row["summary"], type=ImportSummary) if row["summary"] else None
        error = (DomainError(row["error_code"], **(msgspec.json.decode(row["error_params"]) if row["error_params"]
                                                   else {})) if row["error_code"] else None)
        return ImportState(id=row["id"], shop_id=shop_id, status=row["status"], done=done, total=row["total"],
                           summary=summary, error=error)

    async def stop(self) -> None:
        """The server is stopping: cancel the imports under way (their transaction rolls back), wait, and mark them
        failed."""
        tasks = [job.task for job in self._here.values() if job.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._here:
            await CatalogueImport.update({CatalogueImport.status: "failed"}).where(
                CatalogueImport.id.is_in(list(self._here)) & (CatalogueImport.status == "running"))
            self._here.clear()

    async def _beat(self, job: _Writing) -> None:
        """Beside the import's transaction (this task never enters it): its progress, and that it is alive."""
        while True:
            await asyncio.sleep(BEAT_SECONDS)
            await CatalogueImport.update({CatalogueImport.done: job.done, CatalogueImport.beat_at: datetime.now(UTC)}
                                         ).where((CatalogueImport.id == job.id) & (CatalogueImport.status == "running"))

    async def _run(self, job: _Writing, rows: list[ImportRow], staff_id: int) -> None:
        def progress(done: int, total: int) -> None:
            job.done = done

        # made before the import opens its transaction, so its writes are outside it; SQLite: the import holds the
        # one writer, and this process answers from memory
        beat = asyncio.create_task(self._beat(job)) if sql.locks_rows(CatalogueImport._meta.db) else None
        outcome: dict[Any, Any] = {CatalogueImport.status: "failed"}
        try:
            summary = await import_catalogue(shop_id=job.shop_id, rows=rows, staff_id=staff_id, progress=progress)
            outcome = {CatalogueImport.status: "done", CatalogueImport.done: job.total,
                       CatalogueImport.summary: msgspec.json.encode(summary).decode()}
        except DomainError as error:
            params = {k: v for k, v in error.params.items() if isinstance(v, (str, int, bool))}
            outcome = {CatalogueImport.status: "failed", CatalogueImport.error_code: str(error.code),
                       CatalogueImport.error_params: msgspec.json.encode(params).decode()}
        except asyncio.CancelledError:  # the server is stopping: its transaction was rolled back; stop() marks it
            raise
        except Exception:
            log.exception("catalogue import %d failed; nothing of it was written", job.id)
        finally:
            if beat is not None:
                beat.cancel()
                await asyncio.gather(beat, return_exceptions=True)
        try:
            await CatalogueImport.update({**outcome, CatalogueImport.beat_at: datetime.now(UTC)}).where(
                CatalogueImport.id == job.id)
        finally:  # not written: the row, no longer beating, is taken for failed (_running)
            self._here.pop(job.id, None)


def catalogue_imports(request: Request) -> CatalogueImports:
    state = request.app.state
    if "catalogue_imports" not in state:
        state["catalogue_imports"] = CatalogueImports()
    return state["catalogue_imports"]


# -- the API ----------------------------------------------------------------------------------


@dataclass
class UploadForm:
    file: UploadFile | None = None


class ImportStarted(msgspec.Struct):
    id: int
    total: int  # rows to write


class ImportFailure(msgspec.Struct):
    code: str
    detail: str


class ImportStatus(msgspec.Struct):
    id: int
    status: str  # running | done | failed
    done: int  # rows written so far (committed only when status is done)
    total: int
    summary: ImportSummary | None = None
    error: ImportFailure | None = None


class CatalogueCsvApi(Controller):
    path = "/api/catalogue"
    opt = requires_role(Role.MANAGER, needs_stock=True)
    tags = ["catalogue"]
    exception_handlers = {DomainError: on_csv_error}

    @get("/export.csv", summary="The whole catalogue as CSV (UTF-8 with a BOM, for Excel)", media_type="text/csv")
    async def export(self, front: Front) -> Response[bytes]:
        day = datetime.now(front.settings.zone).date().isoformat()
        # Litestar adds "; charset=utf-8" to a text/* type
        return Response(await export_catalogue(shop_id=front.shop_id), media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="catalogue-{day}.csv"'})

    @post("/imports", status_code=202, request_max_body_size=MAX_BYTES + 256 * 1024,
          exception_handlers={UnicodeDecodeError: on_undecodable_field, LookupError: on_undecodable_field},
          summary="Check a CSV file (field `file`): every bad row, or the import starts in the background")
    async def start_import(self, request: Request[StaffUser, dict, object], front: Front,
                           data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)]
                           ) -> ImportStarted:
        imports = catalogue_imports(request)
        if not isinstance(data.file, UploadFile):
            raise DomainError(CatalogueCsvError.NO_FILE)
        await imports.refuse_if_running(front.shop_id)
        rows = await parse_catalogue(await data.file.read(), shop_id=front.shop_id)
        job = await imports.start(shop_id=front.shop_id, rows=rows, staff_id=request.user.id)
        return ImportStarted(id=job.id, total=job.total)

    @get("/imports/{import_id:int}", summary="How far an import has got; its summary when done")
    async def progress(self, request: Request, front: Front, import_id: FromPath[RowId]) -> ImportStatus:
        job = await catalogue_imports(request).find(front.shop_id, import_id)
        error = None
        if job.status == "failed":
            code, params = (str(job.error.code), job.error.params) if job.error else ("server-error", {})
            error = ImportFailure(code=code, detail=error_message(locale_of(request), code, params))
        return ImportStatus(id=job.id, status=job.status, done=job.done, total=job.total, summary=job.summary,
                            error=error)


class CatalogueImportPage(Controller):
    path = "/manager/catalogue/import"
    opt = requires_role(Role.MANAGER, needs_stock=True)
    include_in_schema = False

    @get("/")
    async def form(self, request: Request, front: Front) -> Template:
        locale = locale_of(request)
        chinese = {column: heading for heading, column in CHINESE.items()}
        return _page(request, "catalogue_import.html", max_bytes=MAX_BYTES, max_rows=MAX_ROWS,
                     columns=[(column, chinese[column], COLUMN_WORDS[column]) for column in COLUMNS],
                     categories=await categories_of(shop_id=front.shop_id),
                     errors={code: gettext(locale, ERROR_MESSAGES[code]) for code in ("csv-no-file", "csv-too-large")})

"""The printers a shop set up, their profiles, and which printer serves which place.

A place is a till ("till:T1": its receipts and drawer) or the intake desk ("intake": item
labels and donation slips); printing knows them only as these keys. A place with no
printer assigned prints on config.toml's [printer] (tills) or [labels] (intake), as a new
shop does. The profile follows the printer: whichever place it serves, its bytes are made
for it. Print jobs name a set-up printer "printer:<id>", which stays right when it is renamed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from printing.printers import PrinterConfig
from printing.profiles import (
    PrinterProfile, PrinterSetupError, SetupError, connection_text, parse_connection,
)
from printing.queue import _writing
from printing.tables import Printer, PrinterPlace

NAME_LENGTH = 40
INTAKE = "intake"
_PLACE = re.compile(r"^(intake|till:[A-Z0-9-]{1,16})$")


@dataclass(frozen=True)
class StoredPrinter:
    id: int
    name: str
    connection: str
    profile: PrinterProfile
    tested: bool  # the profile was chosen from its printed test page
    places: tuple[str, ...]

    @property
    def job_printer(self) -> str:
        return job_printer_name(self.id)

    @property
    def config(self) -> PrinterConfig:
        return replace(parse_connection(self.connection), width=self.profile.columns,
                       encoding=self.profile.encoding, drawer=self.profile.drawer)


def job_printer_name(printer_id: int) -> str:
    """The name print jobs for this printer carry (the queue's printer column)."""
    return f"printer:{printer_id}"


def till_place(code: str) -> str:
    return f"till:{code.strip().upper()}"


def check_place(place: str) -> str:
    if not _PLACE.match(place):
        raise SetupError(PrinterSetupError.BAD_PLACE, place=place[:40])
    return place


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= NAME_LENGTH:
        raise SetupError(PrinterSetupError.BAD_NAME, maximum=NAME_LENGTH)
    return name


def _profile_of(row: dict) -> PrinterProfile:
    return PrinterProfile(
        encoding=row["encoding"], chinese_mode=row["chinese_mode"], columns=row["paper_columns"], cut=row["cut"],
        drawer=row["drawer"], drawer_pin=row["drawer_pin"], drawer_on_ms=row["drawer_on_ms"],
        drawer_off_ms=row["drawer_off_ms"], native_barcodes=row["native_barcodes"],
        raster_chinese=row["raster_chinese"])


def _profile_columns(profile: PrinterProfile) -> dict:
    fields = profile.fields()
    fields["paper_columns"] = fields.pop("columns")
    return {getattr(Printer, name): value for name, value in fields.items()}


async def _stored(rows: list[dict], shop_id: int) -> list[StoredPrinter]:
    places: dict[int, list[str]] = {}
    if rows:
        for place in await PrinterPlace.select(PrinterPlace.place, PrinterPlace.printer).where(
                (PrinterPlace.shop_id == shop_id) & PrinterPlace.printer.is_in([row["id"] for row in rows])
        ).order_by(PrinterPlace.place):
            places.setdefault(place["printer"], []).append(place["place"])
    return [StoredPrinter(id=row["id"], name=row["name"], connection=row["connection"], profile=_profile_of(row),
                          tested=row["tested"], places=tuple(places.get(row["id"], ()))) for row in rows]


async def list_printers(*, shop_id: int) -> list[StoredPrinter]:
    rows = await Printer.select().where(Printer.shop_id == shop_id).order_by(Printer.id)
    return await _stored(rows, shop_id)


async def find_printer(*, shop_id: int, printer_id: int) -> StoredPrinter:
    """The printer, or SetupError UNKNOWN_PRINTER."""
    rows = await Printer.select().where((Printer.shop_id == shop_id) & (Printer.id == printer_id))
    if not rows:
        raise SetupError(PrinterSetupError.UNKNOWN_PRINTER, printer=printer_id)
    return (await _stored(rows, shop_id))[0]


async def _refuse_taken_name(shop_id: int, name: str, but: int | None = None) -> None:
    where = (Printer.shop_id == shop_id) & (Printer.name == name)
    if but is not None:
        where &= Printer.id != but
    if await Printer.exists().where(where):
        raise SetupError(PrinterSetupError.NAME_TAKEN, name=name)


async def add_printer(*, shop_id: int, name: str, connection: str,
                      profile: PrinterProfile | None = None) -> StoredPrinter:
    """A new printer, reached by connection (checked), with profile (by default the common Chinese 80 mm one)."""
    name = _check_name(name)
    connection = connection_text(parse_connection(connection))
    profile = profile or PrinterProfile()
    async with _writing(Printer._meta.db):
        await _refuse_taken_name(shop_id, name)
        rows = await Printer.insert(Printer(shop_id=shop_id, name=name, connection=connection,
                                            **{column._meta.name: value
                                               for column, value in _profile_columns(profile).items()})
                                    ).returning(Printer.id)
    return await find_printer(shop_id=shop_id, printer_id=rows[0]["id"])


async def change_printer(*, shop_id: int, printer_id: int, name: str | None = None, connection: str | None = None,
                         profile: PrinterProfile | None = None, tested: bool | None = None) -> StoredPrinter:
    """Rename it, move it to another connection, or give it a profile (tested: chosen from its test page)."""
    values: dict = {Printer.updated_at: datetime.now(UTC)}
    if name is not None:
        name = _check_name(name)
        values[Printer.name] = name
    if connection is not None:
        values[Printer.connection] = connection_text(parse_connection(connection))
    if profile is not None:
        values |= _profile_columns(profile)
    if tested is not None:
        values[Printer.tested] = tested
    async with _writing(Printer._meta.db):
        await find_printer(shop_id=shop_id, printer_id=printer_id)
        if name is not None:
            await _refuse_taken_name(shop_id, name, but=printer_id)
        await Printer.update(values).where((Printer.id == printer_id) & (Printer.shop_id == shop_id))
    return await find_printer(shop_id=shop_id, printer_id=printer_id)


async def remove_printer(*, shop_id: int, printer_id: int) -> None:
    """The printer and its places go; the places print on config.toml's printers again."""
    async with _writing(Printer._meta.db):
        await find_printer(shop_id=shop_id, printer_id=printer_id)
        await PrinterPlace.delete().where(PrinterPlace.printer == printer_id)
        await Printer.delete().where((Printer.id == printer_id) & (Printer.shop_id == shop_id))


async def assign(*, shop_id: int, place: str, printer_id: int | None) -> None:
    """place ("till:T1", "intake") prints on printer_id from now on; None: on config.toml's printer again."""
    check_place(place)
    async with _writing(Printer._meta.db):
        if printer_id is not None:
            await find_printer(shop_id=shop_id, printer_id=printer_id)
        await PrinterPlace.delete().where((PrinterPlace.shop_id == shop_id) & (PrinterPlace.place == place))
        if printer_id is not None:
            await PrinterPlace.insert(PrinterPlace(shop_id=shop_id, place=place, printer=printer_id))


async def assignments(*, shop_id: int) -> dict[str, int]:
    """Every assigned place and its printer's id."""
    rows = await PrinterPlace.select(PrinterPlace.place, PrinterPlace.printer).where(PrinterPlace.shop_id == shop_id)
    return {row["place"]: row["printer"] for row in rows}


async def printer_for(*, shop_id: int, place: str) -> StoredPrinter | None:
    """The printer assigned to place, or None (config.toml's printer serves it)."""
    row = await PrinterPlace.select(PrinterPlace.printer).where(
        (PrinterPlace.shop_id == shop_id) & (PrinterPlace.place == place)).first()
    return None if row is None else await find_printer(shop_id=shop_id, printer_id=row["printer"])


async def stored_configs() -> dict[str, PrinterConfig]:
    """Every set-up printer's connection, by the name its jobs carry: what the print worker reads each pass,
    so a printer added or moved while the shop is open prints without a restart."""
    rows = await Printer.select(Printer.id, Printer.connection, Printer.paper_columns, Printer.encoding,
                                Printer.drawer)
    configs = {}
    for row in rows:
        try:
            config = parse_connection(row["connection"])
        except SetupError:  # stored checked; a bad row must not stop every other printer
            continue
        configs[job_printer_name(row["id"])] = replace(config, width=row["paper_columns"], encoding=row["encoding"],
                                                       drawer=row["drawer"])
    return configs

"""The printers a shop set up, their profiles, and which printer serves which place.

A place is a till ("till:T1": its receipts and drawer) or the intake desk ("intake": item
labels and donation slips); printing knows them only as these keys. A place with no
printer assigned prints on config.toml's [printer] (tills) or [labels] (intake), as a new
shop does. The profile follows the printer: whichever place it serves, its bytes are made
for it. Print jobs name a set-up printer "printer:<id>", which stays right when it is renamed.

A connection set here (by a manager, on the printers page) is bounded (ConnectionBounds): file:
only into the shop's print area, tcp:// only to the shop's own networks; the refusal says the same
whether or not the file or host exists. config.toml's printers and the `aixin printer` command,
set by whoever runs the server, are not bounded.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import stat
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from printing.printers import PrinterConfig
from printing.profiles import (
    PrinterProfile, PrinterSetupError, SetupError, connection_text, parse_connection,
)
from printing.queue import _writing
from printing.tables import Printer, PrinterPlace

NAME_LENGTH = 40
_SYSTEM_FOLDERS = (Path("/dev"), Path("/proc"), Path("/sys"))


class ConnectionRefused(StrEnum):
    """A connection outside the bounds; one sentence each, the same whatever is or is not there."""

    FILE_OUTSIDE = "printer-file-outside"  # area
    HOST_OUTSIDE = "printer-host-outside"  # networks


@dataclass(frozen=True)
class ConnectionBounds:
    """Where a printer set up here may be reached: file: into one of `folders` (the server's data folder and
    config.toml's spool folders; a folder under /dev, /proc or /sys never counts), tcp:// to an address in one
    of `networks` (CIDR; a loopback or link-local address needs a loopback or link-local network listed)."""

    folders: tuple[str, ...]
    networks: tuple[str, ...]

    def area(self) -> tuple[Path, ...]:
        roots = []
        for folder in self.folders:
            if not folder:
                continue
            root = Path(folder).resolve()
            if not any(root.is_relative_to(system) for system in _SYSTEM_FOLDERS):
                roots.append(root)
        return tuple(roots)


Resolver = Callable[[str, int], Sequence[str]]


def _addresses(host: str, port: int) -> list[str]:
    """Every address host has (a name is looked up; an address is itself)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def confine(config: PrinterConfig, bounds: ConnectionBounds, *, resolve: Resolver = _addresses) -> PrinterConfig:
    """config, when its connection is inside bounds; SetupError FILE_OUTSIDE or HOST_OUTSIDE otherwise.
    USB and serial printers are as they were. Looks a host name up: may block for the resolver's timeout."""
    if config.kind == "file" and not _in_print_area(config.path, bounds.area()):
        raise SetupError(ConnectionRefused.FILE_OUTSIDE, area=", ".join(str(root) for root in bounds.area()))
    if config.kind == "network" and not _on_allowed_network(config.host, config.port, bounds.networks, resolve):
        raise SetupError(ConnectionRefused.HOST_OUTSIDE, networks=", ".join(bounds.networks))
    return config


def _in_print_area(path: str, area: Sequence[Path]) -> bool:
    """path, its symlinks and .. resolved, is a folder (or will be one) inside the area, and not a device."""
    try:
        real = Path(path).resolve()
    except (OSError, RuntimeError, ValueError):
        return False
    if any(real.is_relative_to(system) for system in _SYSTEM_FOLDERS):
        return False
    if not any(real.is_relative_to(root) for root in area):
        return False
    try:
        mode = real.stat().st_mode
    except FileNotFoundError:
        return True  # the spool folder is made by the first job
    except OSError:
        return False
    return stat.S_ISDIR(mode)


def _on_allowed_network(host: str, port: int, networks: Sequence[str], resolve: Resolver) -> bool:
    allowed = [ipaddress.ip_network(network, strict=False) for network in networks]
    try:
        addresses = [ipaddress.ip_address(address.split("%")[0]) for address in resolve(host, port)]
    except (OSError, UnicodeError, ValueError):
        return False
    return bool(addresses) and all(_address_allowed(address, allowed) for address in addresses)


def _address_allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address,
                     allowed: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified or address.is_multicast:
        return False
    special = address.is_loopback or address.is_link_local
    return any(address.version == network.version and address in network
               and (not special or network.is_loopback or network.is_link_local) for network in allowed)
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


async def _checked_connection(connection: str, bounds: ConnectionBounds | None) -> str:
    config = parse_connection(connection)
    if bounds is not None:
        await asyncio.to_thread(confine, config, bounds)  # a host name is looked up
    return connection_text(config)


async def add_printer(*, shop_id: int, name: str, connection: str, bounds: ConnectionBounds | None,
                      profile: PrinterProfile | None = None) -> StoredPrinter:
    """A new printer, reached by connection (checked; inside bounds unless None), with profile (by default the
    common Chinese 80 mm one)."""
    name = _check_name(name)
    connection = await _checked_connection(connection, bounds)
    profile = profile or PrinterProfile()
    async with _writing(Printer._meta.db):
        await _refuse_taken_name(shop_id, name)
        rows = await Printer.insert(Printer(shop_id=shop_id, name=name, connection=connection,
                                            **{column._meta.name: value
                                               for column, value in _profile_columns(profile).items()})
                                    ).returning(Printer.id)
    return await find_printer(shop_id=shop_id, printer_id=rows[0]["id"])


async def change_printer(*, shop_id: int, printer_id: int, bounds: ConnectionBounds | None, name: str | None = None,
                         connection: str | None = None, profile: PrinterProfile | None = None,
                         tested: bool | None = None) -> StoredPrinter:
    """Rename it, move it to another connection (inside bounds unless None), or give it a profile (tested: chosen
    from its test page)."""
    values: dict = {Printer.updated_at: datetime.now(UTC)}
    if name is not None:
        name = _check_name(name)
        values[Printer.name] = name
    if connection is not None:
        values[Printer.connection] = await _checked_connection(connection, bounds)
    if profile is not None:
        values |= _profile_columns(profile)
    if tested is not None:
        values[Printer.tested] = tested
    async with _writing(Printer._meta.db):
        await find_printer(shop_id=shop_id, printer_id=printer_id)
        if name is not None:
            await _refuse_taken_name(shop_id, name, but=printer_id)
        await Printer.update(values).where((Printer.id == printer_id) & (Printer.shop_id == shop_id))
    _forget_places()  # once committed: what a receipt asked before is asked again
    return await find_printer(shop_id=shop_id, printer_id=printer_id)


async def remove_printer(*, shop_id: int, printer_id: int) -> None:
    """The printer and its places go; the places print on config.toml's printers again."""
    async with _writing(Printer._meta.db):
        await find_printer(shop_id=shop_id, printer_id=printer_id)
        await PrinterPlace.delete().where(PrinterPlace.printer == printer_id)
        await Printer.delete().where((Printer.id == printer_id) & (Printer.shop_id == shop_id))
    _forget_places()  # once committed: what a receipt asked before is asked again


async def assign(*, shop_id: int, place: str, printer_id: int | None) -> None:
    """place ("till:T1", "intake") prints on printer_id from now on; None: on config.toml's printer again."""
    check_place(place)
    async with _writing(Printer._meta.db):
        if printer_id is not None:
            await find_printer(shop_id=shop_id, printer_id=printer_id)
        await PrinterPlace.delete().where((PrinterPlace.shop_id == shop_id) & (PrinterPlace.place == place))
        if printer_id is not None:
            await PrinterPlace.insert(PrinterPlace(shop_id=shop_id, place=place, printer=printer_id))
    _forget_places()  # once committed: what a receipt asked before is asked again


async def assignments(*, shop_id: int) -> dict[str, int]:
    """Every assigned place and its printer's id."""
    rows = await PrinterPlace.select(PrinterPlace.place, PrinterPlace.printer).where(PrinterPlace.shop_id == shop_id)
    return {row["place"]: row["printer"] for row in rows}


# Every receipt asks which printer serves its till: the answer is kept for a while (a sale is a few milliseconds, and
# that question was a tenth of one). A change made here forgets it at once; one made by another process of the shop
# (`aixin serve --workers N`, `aixin printer set`) is seen within PLACES_FRESH_SECONDS.
PLACES_FRESH_SECONDS = 2.0
# shop id and place → (when read, the printer), of the database the tables are bound to (each test binds its own)
_places: tuple[object, dict[tuple[int, str], tuple[float, StoredPrinter | None]]] = (None, {})


def _places_known() -> dict[tuple[int, str], tuple[float, StoredPrinter | None]]:
    global _places
    if _places[0] is not PrinterPlace._meta.db:
        _places = (PrinterPlace._meta.db, {})
    return _places[1]


def _forget_places() -> None:
    _places_known().clear()


async def printer_for(*, shop_id: int, place: str) -> StoredPrinter | None:
    """The printer assigned to place, or None (config.toml's printer serves it)."""
    known = _places_known()
    now = time.monotonic()
    if (hit := known.get((shop_id, place))) is not None and now - hit[0] < PLACES_FRESH_SECONDS:
        return hit[1]
    row = await PrinterPlace.select(PrinterPlace.printer).where(
        (PrinterPlace.shop_id == shop_id) & (PrinterPlace.place == place)).first()
    printer = None if row is None else await find_printer(shop_id=shop_id, printer_id=row["printer"])
    known[(shop_id, place)] = (now, printer)
    return printer


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

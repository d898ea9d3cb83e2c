"""The shop's settings: config.toml, overridden by AIXIN_<SECTION>_<KEY> variables.

Loaded once into frozen msgspec Structs, so a bad value stops start-up with a message
that names its key.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

Percent = Annotated[int, msgspec.Meta(ge=0, le=100)]
Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]


class SettingsError(Exception):
    """A setting is missing or wrong; the message names the key."""


class ShopSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9-]{1,32}$")] = "demo"
    name: str = "爱心超市"
    address: str = ""
    locale: Literal["zh_CN", "en"] = "zh_CN"
    timezone: str = "Asia/Shanghai"


class DatabaseSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    url: Annotated[str, msgspec.Meta(pattern=r"^(sqlite|postgres|postgresql)://")] = (
        "sqlite:///var/aixin.sqlite"
    )


class ServerSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    host: str = "127.0.0.1"
    port: Port = 8000
    data_dir: str = "var"
    https: bool = False  # the shop is reached over HTTPS: cookies are Secure, browsers are told to keep to HTTPS
    tls: bool = False  # `aixin serve` serves HTTPS itself, signed by the shop's own CA (web/tls.py); implies https
    tls_names: tuple[str, ...] = ()  # names and addresses the tills reach the server by, besides those it finds
    tls_dir: str = ""  # the CA and the server certificate; empty: tls/ in data_dir


class PointsSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    fen_per_point: Annotated[int, msgspec.Meta(ge=1)] = 100


class SplitShares(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Whole percents of a line's value; running costs get the rest."""

    fund: Percent = 0
    maker: Percent = 0

    def __post_init__(self) -> None:
        if self.fund + self.maker > 100:
            raise ValueError("fund + maker must not exceed 100")


class SplitSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    donated: SplitShares = SplitShares(fund=70)
    handicraft: SplitShares = SplitShares(fund=10, maker=80)
    purchased: SplitShares = SplitShares(fund=5)


class PrinterSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    kind: Literal["file", "network", "usb", "serial", "none"] = "file"
    path: str = "var/print"
    host: str = ""
    port: Port = 9100
    timeout: Annotated[int, msgspec.Meta(ge=1, le=120)] = 5
    usb_vendor: int = 0
    usb_product: int = 0
    serial_device: str = ""
    baudrate: int = 9600
    width: Literal[32, 48] = 48
    encoding: str = "gb18030"
    drawer: bool = True
    ask_status: bool = True
    barcode: Literal["native", "raster"] = "native"  # labels: the printer's own EAN-13, or an image
    raster_font: str = ""  # [printer]: the CJK font for printers that print Chinese as images; "" looks for one


class PrintingSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Where a printer set up on the printers page (by a manager) may be reached: tcp:// only inside these
    networks (loopback and link-local only when listed themselves); file: only inside the data folder and
    [printer]/[labels]' spool folders. config.toml's own printers are not bounded."""

    allowed_networks: list[str] = msgspec.field(default_factory=lambda: [
        "192.168.0.0/16", "10.0.0.0/8", "172.16.0.0/12"])
    keep_jobs_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] = 90  # printed/failed jobs' bytes kept this long

    def __post_init__(self) -> None:
        for network in self.allowed_networks:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError as error:
                raise ValueError(f"allowed_networks: {network!r} is not a network like 192.168.1.0/24") from error


class ReceiptSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    footer: str = ""
    logo: str = ""  # a PNG or JPEG file, printed at the top


class NoticeSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The fund's public notice (公示): /notice without a login, and its address in a QR code on every receipt."""

    public: bool = True  # /notice and /api/notice answer without a login; False: staff only
    address: str = ""  # the notice page's public address, e.g. https://aixin.example.org/notice; "": no QR code
    receipt_line: str = "本次购物为社区慈善基金贡献 ¥{fund}"  # over the QR code; {fund}: the sale's fund share in yuan

    def __post_init__(self) -> None:
        # Checked here, not at the till: a receipt that cannot be printed would stop every sale.
        if self.address and not re.fullmatch(r"https?://[!-~]{1,200}", self.address) or "#" in self.address:
            raise ValueError(f"address: {self.address[:80]!r} is not a web address like "
                             "https://aixin.example.org/notice (printable ASCII, no #, at most 200 characters)")


class MarkdownStep(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    weeks: Annotated[int, msgspec.Meta(ge=1, le=520)]
    percent: Annotated[int, msgspec.Meta(ge=1, le=99)]


class RotationSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Ageing donated stock: marked down step by step at the till, then flagged for removal."""

    steps: list[MarkdownStep] = msgspec.field(default_factory=lambda: [
        MarkdownStep(weeks=4, percent=30), MarkdownStep(weeks=8, percent=50)])
    remove_after_weeks: Annotated[int, msgspec.Meta(ge=0, le=520)] = 12  # 0: never flagged
    sources: list[Literal["donated", "handicraft", "purchased"]] = msgspec.field(default_factory=lambda: ["donated"])

    def __post_init__(self) -> None:
        weeks = [step.weeks for step in self.steps]
        if weeks != sorted(set(weeks)) or [s.percent for s in self.steps] != sorted({s.percent for s in self.steps}):
            raise ValueError("steps must come later and go deeper, one after the other")


class InventorySettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    expiry_warning_days: Annotated[int, msgspec.Meta(ge=0, le=365)] = 7
    low_stock_default: Annotated[int, msgspec.Meta(ge=0, le=9999)] = 5  # packaged goods with no level of their own


class DonationSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    thank_you: str = "感谢您的爱心捐赠！\n您的善意将帮助社区里需要帮助的人。"  # the donation slip's foot; a line a paragraph


class ServiceType(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A kind of volunteer service and the whole points one hour of it earns."""

    code: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9-]{1,32}$")]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    points_per_hour: Annotated[int, msgspec.Meta(ge=0, le=1000)]


class LoveBankSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The love bank: service earns points_per_hour × half-hours ÷ 2, rounded down to a whole point."""

    service_types: list[ServiceType] = msgspec.field(default_factory=lambda: [
        ServiceType("elder-care", "助老", 10), ServiceType("environment", "环保", 8),
        ServiceType("community", "社区服务", 8), ServiceType("tutoring", "助学", 10),
        ServiceType("shop-duty", "店内值班", 12)])
    max_hours: Annotated[int, msgspec.Meta(ge=1, le=24)] = 12  # one service record at most

    def __post_init__(self) -> None:
        if not self.service_types:
            raise ValueError("at least one service type is needed")
        codes = [t.code for t in self.service_types]
        if len(set(codes)) != len(codes):
            raise ValueError("each service type needs its own code")


class TillSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    # A price override or discount taking more than this percent off needs a manager's PIN at the till.
    override_limit_percent: Percent = 10
    # A return giving back more cash than this (fen) needs a manager: logged in, or their PIN at the till.
    refund_limit_fen: Annotated[int, msgspec.Meta(ge=0, le=100_000_000)] = 10_000
    # The till locks itself (the cashier switch's lock screen) after this many minutes without input; 0: never.
    idle_lock_minutes: Annotated[int, msgspec.Meta(ge=0, le=24 * 60)] = 10


class BackupSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Where backups go, and the automatic one a day while `aixin serve` runs."""

    automatic: bool = True  # a backup at start when the newest is a day old, then one a day
    folder: str = ""  # "": the data folder's backups/
    keep_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] = 14  # older backups are deleted; the newest never is


class Settings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    shop: ShopSettings = ShopSettings()
    database: DatabaseSettings = DatabaseSettings()
    server: ServerSettings = ServerSettings()
    points: PointsSettings = PointsSettings()
    split: SplitSettings = SplitSettings()
    printer: PrinterSettings = PrinterSettings()
    labels: PrinterSettings = PrinterSettings(path="var/labels", drawer=False)
    printing: PrintingSettings = PrintingSettings()
    receipt: ReceiptSettings = ReceiptSettings()
    notice: NoticeSettings = NoticeSettings()
    donations: DonationSettings = DonationSettings()
    inventory: InventorySettings = InventorySettings()
    rotation: RotationSettings = RotationSettings()
    till: TillSettings = TillSettings()
    lovebank: LoveBankSettings = LoveBankSettings()
    backup: BackupSettings = BackupSettings()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.shop.timezone)

    @property
    def backup_folder(self) -> Path:
        return Path(self.backup.folder or Path(self.server.data_dir) / "backups")


_SECTIONS = tuple(Settings.__struct_fields__)
_NESTED = {"split": tuple(SplitSettings.__struct_fields__)}


def _env_overrides(environ: dict[str, str]) -> dict[str, dict[str, str]]:
    overrides: dict[str, dict[str, str]] = {}
    for name, value in environ.items():
        match = re.fullmatch(r"AIXIN_([A-Z]+)_([A-Z0-9_]+)", name)
        if not match or match.group(1).lower() not in _SECTIONS:
            continue
        section, key = match.group(1).lower(), match.group(2).lower()
        target = overrides.setdefault(section, {})
        # A nested table: AIXIN_SPLIT_DONATED_FUND -> [split.donated] fund.
        for table in _NESTED.get(section, ()):
            if key.startswith(table + "_"):
                target = target.setdefault(table, {})
                key = key[len(table) + 1:]
                break
        target[key] = value
    return overrides


def _merge(target: object, values: dict, where: str) -> None:
    if not isinstance(target, dict):
        raise SettingsError(f"setting {where} must be a table")
    for key, value in values.items():
        if isinstance(value, dict):
            _merge(target.setdefault(key, {}), value, f"{where}.{key}")
        else:
            target[key] = value


def _key_of(message: str) -> str:
    """'... - at `$.server.port`' -> 'server.port'."""
    match = re.search(r"at `\$\.?([^`]*)`", message)
    return match.group(1) if match else ""


def load_settings(path: str | os.PathLike[str] | None = None,
                  environ: dict[str, str] | None = None) -> Settings:
    """Read the config file (AIXIN_CONFIG, or ./config.toml) and apply AIXIN_* variables."""
    environ = dict(os.environ if environ is None else environ)
    path = Path(path or environ.get("AIXIN_CONFIG") or "config.toml")
    data: dict = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"{path}: {error}") from error
    elif "AIXIN_CONFIG" in environ:
        raise SettingsError(f"AIXIN_CONFIG names {path}, which does not exist")
    for section, values in _env_overrides(environ).items():
        _merge(data.setdefault(section, {}), values, section)
    try:
        # strict=False: environment variables are strings ("8000", "true").
        settings = msgspec.convert(data, Settings, strict=False)
    except msgspec.ValidationError as error:
        key = _key_of(str(error))
        unknown = re.search(r"unknown field `([^`]*)`", str(error))
        if unknown:
            key = f"{key}.{unknown.group(1)}" if key else unknown.group(1)
            raise SettingsError(f"setting {key} is not a setting Aixin knows (in {path}): check its spelling") from error
        env = "AIXIN_" + key.replace(".", "_").upper() if key else ""
        raise SettingsError(
            f"setting {key or '?'} is wrong: {str(error).split(' - at ')[0]}"
            + (f" (in {path} or {env})" if key else "")
        ) from error
    for section in ("printer", "labels"):
        font = getattr(settings, section).raster_font
        if font and not Path(font).is_file():
            raise SettingsError(f"setting {section}.raster_font is wrong: there is no font file {font!r}")
    if settings.receipt.logo and not Path(settings.receipt.logo).is_file():
        raise SettingsError(f"setting receipt.logo is wrong: there is no file {settings.receipt.logo!r}")
    if settings.backup_folder.exists() and not settings.backup_folder.is_dir():
        raise SettingsError(f"setting backup.folder is wrong: {str(settings.backup_folder)!r} is a file, not a folder")
    try:
        settings.zone
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise SettingsError(f"setting shop.timezone is wrong: unknown time zone {settings.shop.timezone!r}") from error
    return settings

"""Where the shop's paper goes: the printer of a place and its profile, the shop's words, and the print queue.

Every printed document goes one way (pos/paper.py builds them from the shop's records): its place → the
printer assigned there on the printers page (printing/printer_setup.py), else config.toml's ([printer] for a
till, [labels] for the intake desk) → rendered for that printer's profile → the print queue. Printouts.queue
enqueues in the caller's transaction, so a document commits with its sale, return or donation, or not at all;
a printer that is off never blocks or undoes anything: the bytes wait in the queue until it takes them.

The words printed are the shop's language ([shop] locale). The web layer owns the message catalogues and
gives Printouts its `translate(locale, msgid)`; the texts are marked with N_ where they are listed, for the
catalogue (pybabel extract -k N_).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace

from printing.printer_setup import INTAKE, printer_for
from printing.printers import PrinterConfig
from printing.profiles import PrinterProfile, SetupError, with_font
from printing.queue import enqueue
from printing.raster_text import find_font
from shop.settings import PrinterSettings, Settings

log = logging.getLogger("aixin.printing")

RECEIPT_PRINTER = "receipt"  # config.toml's [printer], by the name its print jobs carry
LABEL_PRINTER = "label"  # config.toml's [labels]

Translate = Callable[[str, str], str]  # (locale, English text) -> the text in that language


def N_(text: str) -> str:
    """Marks a text for the message catalogue where it is listed; it is translated when printed."""
    return text


def printer_config(p: PrinterSettings) -> PrinterConfig:
    """A config.toml printer ([printer] or [labels]) as the print worker reaches it."""
    return PrinterConfig(kind=p.kind, path=p.path, host=p.host, port=p.port, timeout=float(p.timeout),
                         usb_vendor=p.usb_vendor, usb_product=p.usb_product, serial_device=p.serial_device,
                         baudrate=p.baudrate, width=p.width, encoding=p.encoding, drawer=p.drawer,
                         ask_status=p.ask_status)


def config_profile(p: PrinterSettings, settings: Settings) -> PrinterProfile:
    """The profile of a config.toml printer: its width and encoding (Chinese mode for gb18030), drawer, barcodes."""
    profile = PrinterProfile.plain(encoding=p.encoding, width=p.width)
    return PrinterProfile(encoding=profile.encoding, chinese_mode=profile.chinese_mode, columns=p.width,
                          drawer=p.drawer, native_barcodes=p.barcode == "native",
                          font=settings.printer.raster_font)


def _drawable(profile: PrinterProfile) -> PrinterProfile:
    """The profile, or, when it prints Chinese as images and the font is gone, the same without images:
    a missing font must never hold a sale (its Chinese prints as "?" until the font is back)."""
    if profile.raster_chinese:
        try:
            find_font(profile.font)
        except SetupError as error:
            log.error("no CJK font to print Chinese as images: set %s in config.toml or install fonts-wqy-microhei",
                      error.params["key"])
            return replace(profile, raster_chinese=False)
    return profile


class Printouts:
    """The shop's printers by place, its words, and its print queue: made once, with the shop's settings and
    the translation of its words (the web layer's catalogues)."""

    def __init__(self, settings: Settings, *, translate: Translate) -> None:
        self.settings = settings
        self._translate = translate

    def printers(self) -> dict[str, PrinterConfig]:
        """config.toml's printers by the name print jobs use (those set up on the printers page: stored_configs)."""
        return {RECEIPT_PRINTER: printer_config(self.settings.printer),
                LABEL_PRINTER: printer_config(self.settings.labels)}

    async def printer_of(self, *, shop_id: int, place: str | None) -> tuple[str, PrinterProfile]:
        """Where a place's documents go and the profile they are made for: the printer assigned to it on the
        printers page, else config.toml's ([printer] for a till, [labels] for the intake desk). No place (a
        document asked for where no till is known): config.toml's [printer]."""
        settings = self.settings
        if place is None:
            return RECEIPT_PRINTER, config_profile(settings.printer, settings)
        if (assigned := await printer_for(shop_id=shop_id, place=place)) is not None:
            return assigned.job_printer, _drawable(with_font(assigned.profile, settings.printer.raster_font))
        if place == INTAKE:
            return LABEL_PRINTER, config_profile(settings.labels, settings)
        return RECEIPT_PRINTER, config_profile(settings.printer, settings)

    def say(self, text: str, locale: str | None = None) -> str:
        """One N_-marked text in the shop's language (or in `locale`)."""
        return self._translate(locale or self.settings.shop.locale, text)

    def words(self, form: Mapping[str, str], locale: str | None = None) -> dict[str, str]:
        """A document's words (N_-marked English texts by key) in the shop's language (or in `locale`)."""
        locale = locale or self.settings.shop.locale
        return {key: self._translate(locale, text) for key, text in form.items()}

    async def queue(self, *, shop_id: int, place: str | None, document: str, ref: str,
                    render: Callable[[PrinterProfile], bytes], till: str = "") -> int:
        """The document into the print queue for its place's printer, rendered for that printer's profile; in
        the caller's transaction if there is one (it commits with the caller's record or not at all). Returns
        the print job's id; the print worker sends it (wake it after the commit)."""
        printer, profile = await self.printer_of(shop_id=shop_id, place=place)
        return await enqueue(shop_id=shop_id, printer=printer, document=document, ref=ref, data=render(profile),
                             till=till)

"""The receipt of a sale: words from the catalogue, bytes from `printing`, sent after the sale is committed.

A printer that is off never blocks or undoes a sale: printing runs after the response,
in a thread, and a failure is logged (the durable print queue is the next step).
"""

from __future__ import annotations

import asyncio
import logging

from printing.documents import Receipt, ReceiptLine, preview_lines, render_receipt
from printing.printers import PrinterConfig, PrintError, send

from pos.checkout import SaleRecord
from shop.settings import Settings
from web.i18n import N_, gettext

log = logging.getLogger("aixin.printing")

_LABELS = {
    "sale_number": N_("Sale No."),
    "time": N_("Time"),
    "cashier": N_("Cashier"),
    "items": N_("Items"),
    "total": N_("Total"),
    "cash": N_("Cash"),
    "change": N_("Change"),
    "fund_share": N_("This purchase gave {amount} to the community charity fund"),
}


def receipt_for(sale: SaleRecord, *, settings: Settings, cashier: str) -> Receipt:
    locale = settings.shop.locale
    return Receipt(
        shop_name=settings.shop.name,
        shop_address=settings.shop.address,
        sale_number=sale.number,
        time=sale.created_at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M"),
        cashier=cashier,
        lines=tuple(ReceiptLine(name=l.name, quantity=l.quantity, unit_price_fen=l.unit_price_fen,
                                amount_fen=l.value_fen) for l in sale.lines),
        total_fen=sale.total_fen,
        cash_given_fen=sale.cash_given_fen,
        change_fen=sale.change_fen,
        fund_fen=sale.fund_fen,
        labels={key: gettext(locale, text) for key, text in _LABELS.items()},
        footer=settings.receipt.footer,
        open_drawer=settings.printer.drawer,
    )


def printer_config(settings: Settings) -> PrinterConfig:
    p = settings.printer
    return PrinterConfig(kind=p.kind, path=p.path, host=p.host, port=p.port, timeout=float(p.timeout),
                         usb_vendor=p.usb_vendor, usb_product=p.usb_product, serial_device=p.serial_device,
                         baudrate=p.baudrate, width=p.width, encoding=p.encoding, drawer=p.drawer)


def receipt_bytes(receipt: Receipt, settings: Settings) -> bytes:
    return render_receipt(receipt, width=settings.printer.width, encoding=settings.printer.encoding)


def receipt_preview(receipt: Receipt, settings: Settings) -> list[str]:
    return preview_lines(receipt, width=settings.printer.width)


async def print_receipt(receipt: Receipt, settings: Settings) -> None:
    data = receipt_bytes(receipt, settings)
    try:
        where = await asyncio.to_thread(send, printer_config(settings), f"receipt-{receipt.sale_number}", data)
        log.info("receipt %s printed to %s", receipt.sale_number, where or settings.printer.kind)
    except PrintError as error:
        log.warning("receipt %s not printed: %s", receipt.sale_number, error)

"""The receipt of a sale: words from the catalogue, bytes from `printing`, into the print queue.

A printer that is off never blocks or undoes a sale: the receipt's bytes wait in the
queue (printing/queue.py) until the printer takes them.
"""

from __future__ import annotations

from printing.documents import Receipt, ReceiptLine, preview_lines, render_receipt
from printing.printers import PrinterConfig
from printing.queue import enqueue

from pos.checkout import SaleRecord
from shop.settings import Settings
from shop.tables import Staff
from web.i18n import N_, gettext

RECEIPT_PRINTER = "receipt"

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


async def receipt_of_sale(sale: SaleRecord, settings: Settings) -> Receipt:
    """The receipt of a stored sale, for a preview or a reprint."""
    cashier = await Staff.select(Staff.display_name).where(Staff.id == sale.cashier_id).first()
    return receipt_for(sale, settings=settings, cashier=cashier["display_name"] if cashier else "")


def printer_config(settings: Settings) -> PrinterConfig:
    p = settings.printer
    return PrinterConfig(kind=p.kind, path=p.path, host=p.host, port=p.port, timeout=float(p.timeout),
                         usb_vendor=p.usb_vendor, usb_product=p.usb_product, serial_device=p.serial_device,
                         baudrate=p.baudrate, width=p.width, encoding=p.encoding, drawer=p.drawer)


def receipt_bytes(receipt: Receipt, settings: Settings) -> bytes:
    return render_receipt(receipt, width=settings.printer.width, encoding=settings.printer.encoding)


def receipt_preview(receipt: Receipt, settings: Settings) -> list[str]:
    return preview_lines(receipt, width=settings.printer.width)


async def queue_receipt(receipt: Receipt, settings: Settings, *, shop_id: int) -> int:
    """Put the receipt's bytes in the print queue; the print worker sends them."""
    return await enqueue(shop_id=shop_id, printer=RECEIPT_PRINTER, document="receipt", ref=receipt.sale_number,
                         data=receipt_bytes(receipt, settings))

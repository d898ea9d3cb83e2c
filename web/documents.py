"""The shop's printed documents: the shop's data and the catalogue's words in, `printing` documents out.

A printer that is off never blocks or undoes a sale: a document's bytes wait in the
print queue (printing/queue.py) until its printer takes them. Every document also
previews in the browser from the same layout as on paper.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from donations.intake import DonationRecord
from inventory.catalogue import LabelItem, items_for_labels
from pos.checkout import SaleRecord, load_sale
from pos.numbers import return_id_of, sale_id_of
from pos.donor_impact import donor_impact
from pos.returns import VOID, ReturnRecord, load_return
from pos.tables import SaleReturn
from pos.tills import tills
from printing.documents import Receipt, ReceiptLine, preview_lines, render_receipt
from printing.donation_slip import DonationItem, DonationSlip, preview_donation_slip, render_donation_slip
from printing.item_labels import Label, label_png, label_svg, preview_label, render_labels
from printing.job_list import JobInfo, unprinted, waiting_job
from printing.layout import yuan as printed_yuan
from printing.printer_setup import INTAKE, printer_for, till_place
from printing.printers import PrinterConfig
from printing.profiles import PrinterProfile, SetupError, with_font
from printing.raster_text import find_font
from printing.queue import DONATION_SLIP, enqueue, find_job, reprint
from printing.refund_slip import RefundSlip, RefundSlipLine, RefundTender, preview_refund_slip, render_refund_slip
from printing.statement import PassbookStatement, StatementRow, preview_statement
from printing.tables import PrintJob
from printing.till_report import TillReport, preview_till_report, render_till_report
from shop.database import one_writer_per_shop, writing
from shop.settings import PrinterSettings, Settings
from shop.tables import Staff
from web.i18n import N_, gettext

log = logging.getLogger("aixin.printing")

RECEIPT_PRINTER = "receipt"
LABEL_PRINTER = "label"
RECEIPT, REFUND_SLIP = "receipt", "refund slip"
TILL_DOCUMENTS = (RECEIPT, REFUND_SLIP)  # what a till prints for a customer, listed at the till when not printed

RECEIPT_WORDS = {
    "sale_number": N_("Sale No."),
    "time": N_("Time"),
    "cashier": N_("Cashier"),
    "items": N_("Items"),
    "total": N_("Total"),
    "cash": N_("Cash"),
    "change": N_("Change"),
    "fund_share": N_("This purchase gave {amount} to the community charity fund"),
    "markdown": N_("Marked down {percent}% from {price}"),
    "discount": N_("Discount"),
    "discounts": N_("Discounts"),
    "points_paid": N_("Points ({points})"),
    "points_left": N_("Points left"),
    "member": N_("Member No."),
    "household": N_("Community fund, household"),
    "copy": N_("COPY"),
}
REFUND_SLIP_WORDS = {
    "title": N_("Refund slip"), "void": N_("Refund slip (VOID)"), "return_number": N_("Return No."),
    "sale_number": N_("Original sale No."), "time": N_("Time"), "till": N_("Till"), "cashier": N_("Cashier"),
    "total": N_("Return total"), "cash": N_("Cash refunded"), "points": N_("Points refunded ({points})"),
    "member": N_("Member No."), "fund_share": N_("Taken back from the community charity fund: {amount}"),
    "copy": N_("COPY"), "owed": N_("Still owed to you: {amount}, given back when the rest of this sale comes back"),
}
LABEL_WORDS = {"price": N_("Price"), "date_code": N_("In")}
CONDITION_WORDS = {"new": N_("new"), "like-new": N_("like new"), "good": N_("good"), "fair": N_("fair")}
ANONYMOUS = N_("Anonymous")
IMPACT = N_("Goods you gave have sold {pieces} piece(s) and raised {amount} for the community charity fund")
DONATION_SLIP_WORDS = {
    "title": N_("Donation receipt"), "reference": N_("Reference"), "date": N_("Date"), "donor": N_("Donor"),
    "pieces": N_("Pieces"), "not_priced": N_("to be priced"),
}
STATEMENT_WORDS = {
    "title": N_("Love-bank passbook"), "member_number": N_("Member No."), "member_name": N_("Name"),
    "period": N_("Period"), "date": N_("Date"), "description": N_("Service or use"), "hours": N_("Hours"),
    "points": N_("Points"), "balance": N_("Balance"), "cumulative_hours": N_("Total hours"),
    "closing_balance": N_("Closing balance"),
}
TILL_REPORT_WORDS = {
    "till": N_("Till"), "cashier": N_("Cashier"), "opened": N_("Opened"), "closed": N_("Closed"),
    "sales_count": N_("Sales"), "gross": N_("Gross sales"), "refunds": N_("Refunds"), "net": N_("Net sales"),
    "cash_sales": N_("Cash sales"), "points": N_("Points ({points})"), "float": N_("Float"),
    "expected_cash": N_("Expected cash"), "counted_cash": N_("Counted cash"), "over_short": N_("Over / short"),
    "fund_share": N_("Community fund"), "makers_share": N_("Makers"), "running_costs": N_("Running costs"),
    "session": N_("Session"), "returns_count": N_("Returns (voids {voids})"), "cash_refunds": N_("Cash refunds"),
    "points_refunded": N_("Points refunded ({points})"),
}


def words(locale: str, form: Mapping[str, str]) -> dict[str, str]:
    return {key: gettext(locale, text) for key, text in form.items()}


def printer_config(p: PrinterSettings) -> PrinterConfig:
    return PrinterConfig(kind=p.kind, path=p.path, host=p.host, port=p.port, timeout=float(p.timeout),
                         usb_vendor=p.usb_vendor, usb_product=p.usb_product, serial_device=p.serial_device,
                         baudrate=p.baudrate, width=p.width, encoding=p.encoding, drawer=p.drawer,
                         ask_status=p.ask_status)


def printers(settings: Settings) -> dict[str, PrinterConfig]:
    """config.toml's printers by the name print jobs use (those set up on the printers page: stored_configs)."""
    return {RECEIPT_PRINTER: printer_config(settings.printer), LABEL_PRINTER: printer_config(settings.labels)}


def config_profile(p: PrinterSettings, settings: Settings) -> PrinterProfile:
    """The profile of a config.toml printer: its width and encoding (Chinese mode for gb18030), drawer, barcodes."""
    profile = PrinterProfile.plain(encoding=p.encoding, width=p.width)
    return PrinterProfile(encoding=profile.encoding, chinese_mode=profile.chinese_mode, columns=p.width,
                          drawer=p.drawer, native_barcodes=p.barcode == "native",
                          font=settings.printer.raster_font)


async def printer_of_place(settings: Settings, *, shop_id: int, place: str) -> tuple[str, PrinterProfile]:
    """Where a place's documents go and the profile they are made for: the printer assigned to it on
    the printers page, else config.toml's ([printer] for a till, [labels] for the intake desk)."""
    if (assigned := await printer_for(shop_id=shop_id, place=place)) is not None:
        return assigned.job_printer, _drawable(with_font(assigned.profile, settings.printer.raster_font))
    if place == INTAKE:
        return LABEL_PRINTER, config_profile(settings.labels, settings)
    return RECEIPT_PRINTER, config_profile(settings.printer, settings)


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


async def _receipt_printer(settings: Settings, shop_id: int, till: str | None) -> tuple[str, PrinterProfile]:
    if till is None:
        return RECEIPT_PRINTER, config_profile(settings.printer, settings)
    return await printer_of_place(settings, shop_id=shop_id, place=till_place(till))


# -- receipts ----------------------------------------------------------------------------


@cache
def logo(path: str) -> bytes | None:
    """The receipt's logo file, read once (config is read once too; load_settings checked it exists)."""
    return Path(path).read_bytes() if path else None


def receipt_for(sale: SaleRecord, *, settings: Settings, cashier: str, copy: bool = False) -> Receipt:
    """The sale's receipt. It opens the drawer (where the printer has one) only when cash was tendered:
    never for a sale paid in points alone, and never on a copy (a reprint, marked 重打)."""
    return Receipt(
        shop_name=settings.shop.name,
        shop_address=settings.shop.address,
        sale_number=sale.number,
        time=sale.created_at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M"),
        cashier=cashier,
        lines=tuple(ReceiptLine(name=l.name, quantity=l.quantity, unit_price_fen=l.unit_price_fen,
                                amount_fen=l.value_fen, list_price_fen=l.list_price_fen,
                                markdown_percent=l.markdown_percent, discount_fen=l.discount_fen)
                    for l in sale.lines),
        total_fen=sale.total_fen,
        cash_given_fen=sale.cash_given_fen,
        change_fen=sale.change_fen,
        fund_fen=sale.fund_fen,
        labels=words(settings.shop.locale, RECEIPT_WORDS),
        footer=settings.receipt.footer,
        open_drawer=sale.cash_given_fen > 0 or sale.cash_fen > 0,
        copy=copy,
        logo=logo(settings.receipt.logo),
        points=sale.points, points_fen=sale.points_fen, points_left=sale.points_left,
        member_number=sale.member_number, household_ref=sale.household_ref,
    )


async def receipt_of_sale(sale: SaleRecord, settings: Settings, *, copy: bool = True) -> Receipt:
    """The receipt of a stored sale, for a preview or a reprint: a copy (重打, no drawer kick) unless
    told otherwise, since the original printed with the sale."""
    return receipt_for(sale, settings=settings, cashier=await _staff_name(sale.cashier_id), copy=copy)


async def _staff_name(staff_id: int | None) -> str:
    row = await Staff.select(Staff.display_name).where(Staff.id == staff_id).first() if staff_id else None
    return row["display_name"] if row else ""


async def _till_code(shop_id: int, till_id: int) -> str | None:
    return next((till.code for till in await tills(shop_id=shop_id) if till.id == till_id), None)


def receipt_preview(receipt: Receipt, settings: Settings) -> list[str]:
    return preview_lines(receipt, width=settings.printer.width)


async def queue_receipt(receipt: Receipt, settings: Settings, *, shop_id: int, till: str | None = None) -> int:
    """Put the receipt's bytes in the print queue, made for the till's printer; the print worker sends them."""
    printer, profile = await _receipt_printer(settings, shop_id, till)
    data = render_receipt(receipt, profile=profile)
    return await enqueue(shop_id=shop_id, printer=printer, document=RECEIPT, ref=receipt.sale_number,
                         data=data, till=till or "")


# -- refund slips (退货单), on the till's receipt printer ----------------------------------------


def refund_slip_for(record: ReturnRecord, settings: Settings, *, cashier: str, till: str,
                    copy: bool = False) -> RefundSlip:
    """The slip of a return or a void: it kicks the drawer only when cash was refunded, never on a copy."""
    return RefundSlip(
        shop_name=settings.shop.name, return_number=record.number, sale_number=record.sale_number,
        time=record.created_at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M"), till=till, cashier=cashier,
        lines=tuple(RefundSlipLine(name=l.name, quantity=l.quantity, value_fen=l.value_fen) for l in record.lines),
        refunds=tuple(RefundTender(kind=g.kind, amount_fen=g.amount_fen, points=g.points,
                                   member_number=g.member_number) for g in record.refunds),
        fund_fen=record.fund_fen, labels=words(settings.shop.locale, REFUND_SLIP_WORDS),
        void=record.reason == VOID, copy=copy, owed_fen=max(0, record.owed_fen))


async def refund_slip_of_return(return_id: int, settings: Settings, *, shop_id: int,
                                copy: bool = True) -> tuple[RefundSlip, str | None]:
    """A stored return's slip, for a preview or a reprint (a copy unless told otherwise), and its till's code."""
    record = await load_return(return_id, shop_id=shop_id)
    row = await SaleReturn.select(SaleReturn.cashier).where(SaleReturn.id == return_id).first()
    till = next((t for t in await tills(shop_id=shop_id) if t.id == record.till_id), None)
    slip = refund_slip_for(record, settings, cashier=await _staff_name(row["cashier"] if row else None),
                           till=f"{till.code} {till.name}" if till else "", copy=copy)
    return slip, till.code if till else None


def refund_slip_preview(slip: RefundSlip, settings: Settings) -> list[str]:
    return preview_refund_slip(slip, width=settings.printer.width)


async def queue_refund_slip(slip: RefundSlip, settings: Settings, *, shop_id: int, till: str | None = None) -> int:
    """The refund slip's bytes into the print queue, made for the till's printer (in the return's transaction)."""
    printer, profile = await _receipt_printer(settings, shop_id, till)
    return await enqueue(shop_id=shop_id, printer=printer, document=REFUND_SLIP, ref=slip.return_number,
                         data=render_refund_slip(slip, profile=profile), till=till or "")


# -- printing again: a copy, unless the document is still waiting to print ------------------------


@dataclass(frozen=True)
class Reprint:
    """A document asked for again: the job that will print it, and whether that job was already waiting to print.
    Then no second job was made: a receipt asked for again while the printer is off must not come out twice."""

    job_id: int
    already_waiting: bool = False


async def _unless_waiting(shop_id: int, waiting: Callable[[], Awaitable[JobInfo | None]],
                          queue_again: Callable[[], Awaitable[int | None]]) -> Reprint | None:
    """The document's waiting job, else a new one: looked for and queued in one transaction, a shop's reprints one
    at a time, so two presses at once (a double tap) still make one job."""
    db = PrintJob._meta.db
    async with writing(db):
        await one_writer_per_shop(db, shop_id, "reprints")
        if (job := await waiting()) is not None:
            return Reprint(job.id, already_waiting=True)
        new_id = await queue_again()
        return None if new_id is None else Reprint(new_id)


async def reprint_receipt(sale: SaleRecord, settings: Settings, *, shop_id: int) -> Reprint:
    """The sale's receipt again, as a copy (重打, no drawer kick) for its till's printer as it is set up now;
    or, while its receipt still waits to print on that printer, that one."""
    till = await _till_code(shop_id, sale.till_id)
    printer, _ = await _receipt_printer(settings, shop_id, till)
    receipt = await receipt_of_sale(sale, settings)
    return await _unless_waiting(
        shop_id, lambda: waiting_job(shop_id=shop_id, document=RECEIPT, ref=sale.number, printer=printer),
        lambda: queue_receipt(receipt, settings, shop_id=shop_id, till=till))


async def reprint_refund_slip(return_id: int, settings: Settings, *, shop_id: int) -> Reprint:
    """A return's refund slip again, as a copy (重打, the drawer stays shut), as reprint_receipt."""
    slip, till = await refund_slip_of_return(return_id, settings, shop_id=shop_id)
    printer, _ = await _receipt_printer(settings, shop_id, till)
    return await _unless_waiting(
        shop_id, lambda: waiting_job(shop_id=shop_id, document=REFUND_SLIP, ref=slip.return_number, printer=printer),
        lambda: queue_refund_slip(slip, settings, shop_id=shop_id, till=till))


async def reprint_job(settings: Settings, *, shop_id: int, job_id: int) -> Reprint | None:
    """Print a job's document again; None when there is no such job in this shop (or its bytes were erased).

    A receipt or a refund slip is made again from the sale or the return as a copy: 重打 at its
    top and no drawer kick, for the till's printer as it is set up now. Other documents go out
    with the job's own bytes (printing/queue.py: reprint, which never sends a drawer kick again).
    A document still waiting to print is not queued twice: its waiting job is the answer.
    """
    job = await find_job(shop_id=shop_id, job_id=job_id)
    if job is None:
        return None
    if job.document == RECEIPT and (sale_id := sale_id_of(job.ref)) is not None:
        return await reprint_receipt(await load_sale(sale_id, shop_id=shop_id), settings, shop_id=shop_id)
    if job.document == REFUND_SLIP and (return_id := return_id_of(job.ref)) is not None:
        return await reprint_refund_slip(return_id, settings, shop_id=shop_id)
    return await _unless_waiting(
        shop_id, lambda: waiting_job(shop_id=shop_id, document=job.document, ref=job.ref, printer=job.printer,
                                     copy_of=job.id),
        lambda: reprint(shop_id=shop_id, job_id=job_id))


async def reprint_unprinted(settings: Settings, *, shop_id: int, till: str) -> list[Reprint]:
    """The till's receipts and refund slips that did not print (printing/job_list.py: unprinted), again, oldest
    first: a copy of each, or, for one still queued after a failed try, that job (never a second)."""
    jobs = await unprinted(shop_id=shop_id, till=till, documents=TILL_DOCUMENTS)
    again = [await reprint_job(settings, shop_id=shop_id, job_id=job.id) for job in reversed(jobs)]
    return [each for each in again if each is not None]


async def queue_till_report(report: TillReport, settings: Settings, *, shop_id: int, ref: str,
                            till: str | None = None) -> int:
    """An X or Z report (web/tills.py) into the print queue, for the till's receipt printer."""
    printer, profile = await _receipt_printer(settings, shop_id, till)
    return await enqueue(shop_id=shop_id, printer=printer, document="till report", ref=ref,
                         data=render_till_report(report, profile=profile), till=till or "")

# -- item labels -------------------------------------------------------------------------


def label_for(item: LabelItem, settings: Settings) -> Label:
    """An item's label; its date code is the day it came in (yymmdd), which rotation of stock reads.

    Graded goods show their condition after the category: "衣物 · 九成新".
    """
    locale = settings.shop.locale
    category = item.category
    if condition := _condition_word(locale, item.condition):
        category = f"{category} · {condition}"
    return Label(name=item.name, price_fen=item.price_fen, barcode=item.barcode,
                 date_code=item.created_at.astimezone(settings.zone).strftime("%y%m%d"),
                 labels=words(locale, LABEL_WORDS), category=category)


def label_picture(item: LabelItem, settings: Settings, kind: str) -> bytes:
    label = label_for(item, settings)
    return label_png(label) if kind == "png" else label_svg(label)


async def queue_labels(items: Sequence[LabelItem], settings: Settings, *, shop_id: int, ref: str) -> int:
    """All the labels as one print job on the intake desk's printer."""
    printer, profile = await printer_of_place(settings, shop_id=shop_id, place=INTAKE)
    data = render_labels([label_for(item, settings) for item in items], profile=profile)
    return await enqueue(shop_id=shop_id, printer=printer, document="label", ref=ref, data=data)


async def queue_copies(barcode: str, copies: int, settings: Settings, *, shop_id: int, ref: str) -> int:
    """`copies` labels of one item (a maker's goods brought in: one per piece), as one job."""
    (item,) = await items_for_labels(shop_id=shop_id, barcodes=[barcode])
    return await queue_labels([item] * copies, settings, shop_id=shop_id, ref=ref)


# -- donation slips (捐赠回执), on the intake desk's printer -----------------------------------


async def donation_slip_for(donation: DonationRecord, settings: Settings, *, shop_id: int) -> DonationSlip:
    """The slip of a donation, in the shop's language as all paper is: what was accepted, the
    thank-you text, and what the donor's gifts have done (when anything of theirs has sold)."""
    locale = settings.shop.locale
    impact = None
    if donation.donor_id is not None:
        done = await donor_impact(shop_id=shop_id, donor_id=donation.donor_id)
        if done.pieces_sold:
            impact = gettext(locale, IMPACT).format(pieces=done.pieces_sold, amount=printed_yuan(done.fund_fen))
    return DonationSlip(
        shop_name=settings.shop.name, reference=donation.number, date=donation.received_on.isoformat(),
        donor=donation.donor_name or gettext(locale, ANONYMOUS),
        items=tuple(DonationItem(description=line.description,
                                 condition=_condition_word(locale, line.condition),
                                 quantity=line.quantity, price_fen=line.price_fen)
                    for line in donation.lines if line.accepted),
        thank_you=settings.donations.thank_you, labels=words(locale, DONATION_SLIP_WORDS), impact=impact,
    )


def _condition_word(locale: str, condition: str) -> str:
    return gettext(locale, CONDITION_WORDS[condition]) if condition in CONDITION_WORDS else ""


def donation_slip_preview(slip: DonationSlip, settings: Settings) -> list[str]:
    return preview_donation_slip(slip, width=settings.labels.width)


async def queue_donation_slip(slip: DonationSlip, settings: Settings, *, shop_id: int) -> int:
    printer, profile = await printer_of_place(settings, shop_id=shop_id, place=INTAKE)
    data = render_donation_slip(slip, profile=profile)
    return await enqueue(shop_id=shop_id, printer=printer, document=DONATION_SLIP, ref=slip.reference,
                         data=data)


# -- sample documents, for the preview page (and for setting up a printer) ----------------


def sample_receipt(settings: Settings, locale: str) -> Receipt:
    """A receipt with sample data (no drawer kick): the previews', and a new printer's sample print."""
    return Receipt(
        shop_name=settings.shop.name, shop_address=settings.shop.address, sale_number="S00000001",
        time="2026-11-22 10:30", cashier="小张", total_fen=6000, cash_given_fen=10000, change_fen=4000, fund_fen=2575,
        lines=(ReceiptLine("儿童羽绒服（九成新）", 1, 3500, 3500), ReceiptLine("红烧牛肉面 5连包", 2, 1250, 2500)),
        labels=words(locale, RECEIPT_WORDS), footer=settings.receipt.footer, logo=logo(settings.receipt.logo),
    )


def sample_label(locale: str) -> Label:
    return Label("手工编织杯垫", 500, "2000000000206", "261122", words(locale, LABEL_WORDS), category="手工艺品")


def sample_previews(settings: Settings, locale: str, *, width: int) -> dict[str, list[str]]:
    """Every kind of document with sample data, as it would print at `width` columns."""
    shop = settings.shop.name
    sale = sample_receipt(settings, locale)
    label = sample_label(locale)
    slip = DonationSlip(
        shop_name=shop, reference="D20261122-007", date="2026-11-22", donor="李阿姨",
        items=(DonationItem("儿童羽绒服", "九成新", 1, 3500), DonationItem("旧书一箱", "良好", 12, None)),
        thank_you="感谢您的爱心捐赠！", labels=words(locale, DONATION_SLIP_WORDS),
        impact="您捐赠的物品已售出 3 件，为社区慈善基金筹得 ￥12.50",
    )
    statement = PassbookStatement(
        shop_name=shop, member_number="M000123", member_name="王阿姨", period="2026-11", closing_balance=45,
        rows=(StatementRow("2026-11-03", "社区图书角整理", 25, 25, 125, 425),
              StatementRow("2026-11-18", "积分兑换：大米 5kg", None, -80, 45, 425)),
        labels=words(locale, STATEMENT_WORDS),
    )

    refund = RefundSlip(
        shop_name=shop, return_number="R00000001", sale_number="S00000001", time="2026-11-22 11:05",
        till="T1 一号收银台", cashier="小张", lines=(RefundSlipLine("儿童羽绒服（九成新）", 1, 3500),),
        refunds=(RefundTender("points", 1000, 10, "M000123"), RefundTender("cash", 2500)), fund_fen=1750,
        labels=words(locale, REFUND_SLIP_WORDS),
    )

    def till_report(title: str, counted: int | None) -> TillReport:
        return TillReport(
            shop_name=shop, kind_title=title, till="T1 一号收银台", cashier="小张", opened_at="2026-11-22 08:30",
            closed_at="2026-11-22 17:30" if counted is not None else "", sales_count=42, gross_fen=186050,
            refunds_fen=1200, net_fen=184850, cash_sales_fen=172850, points_pts=120, points_fen=12000,
            float_fen=50000, expected_cash_fen=221850, counted_cash_fen=counted,
            over_short_fen=None if counted is None else counted - 221850, fund_share_fen=98200,
            makers_share_fen=12400, running_costs_fen=74250, labels=words(locale, TILL_REPORT_WORDS),
            cash_refunds_fen=1000, points_refunded_pts=2, points_refunded_fen=200)

    return {
        N_("receipt"): preview_lines(sale, width=width),
        N_("label"): preview_label(label, width=width),
        N_("refund slip"): preview_refund_slip(refund, width=width),
        N_("donation slip"): preview_donation_slip(slip, width=width),
        N_("passbook statement"): preview_statement(statement, width=width),
        N_("X report"): preview_till_report(till_report(gettext(locale, N_("X report (mid-shift)")), None), width=width),
        N_("Z report"): preview_till_report(till_report(gettext(locale, N_("Z report (close)")), 221800), width=width),
    }


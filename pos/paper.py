"""The shop's paper: every printed document built from the shop's records, in the shop's language.

Receipts and refund slips (with the sale or the return, in its transaction: no sale without its receipt),
X and Z reports, item labels, donation slips with the donor's impact, passbook statements, member cards and
service vouchers, and the reprints (a copy marked 重打, unless the document still waits to print). Each goes one way,
shop/printouts.py: its place → the printer assigned there and its profile → render → the print queue. The
browser's previews are laid out from the same documents. pos builds them, as the highest domain package: a
donation slip needs a donor's impact (sales), a receipt needs the sale.

commit_sale, commit_return, void_sale and register_donation take a `paper` (TillPaper, IntakePaper here: see
Paper.at_till and Paper.at_intake) whose method they call in their transaction once the record is written,
and not again for a repeated request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path

from donations.intake import DonationRecord, goods_shop_of, shop_of_goods
from donations.makers import ConsignedGoods
from inventory.catalogue import LabelItem, items_for_labels
from lovebank import passbook, vouchers
from lovebank.passbook import MemberInfo, Statement, StatementLine
from lovebank.wishes import wishes as wishes_of
from lovebank.vouchers import VoucherInfo
from pos.checkout import SaleRecord, load_sale
from pos.donor_impact import donor_impact
from pos.numbers import return_id_of, sale_id_of
from pos.reports import check_day
from pos.returns import VOID, ReturnRecord, load_return
from pos.sessions import SessionFigures
from pos.tables import OfflineSale, SaleReturn
from pos.tills import TillInfo, tills
from printing.documents import NoticeCode, Receipt, ReceiptLine, preview_lines, render_receipt
from printing.donation_slip import DonationItem, DonationSlip, preview_donation_slip, render_donation_slip
from printing.item_labels import Label, label_png, label_svg, preview_label, render_labels
from printing.job_list import JobInfo, unprinted, waiting_job
from printing.layout import yuan as printed_yuan
from printing.member_card import MemberCard, preview_member_card, render_member_card
from printing.printer_setup import INTAKE, till_place
from printing.profiles import PrinterProfile
from printing.queue import DONATION_SLIP, MEMBER_CARD, PASSBOOK_STATEMENT, VOUCHER, find_job, reprint
from printing.refund_slip import RefundSlip, RefundSlipLine, RefundTender, preview_refund_slip, render_refund_slip
from printing.staff_card import STAFF_CARD, StaffCard, preview_staff_card, render_staff_card
from printing.statement import PassbookStatement, StatementRow, preview_statement, render_statement
from printing.tables import PrintJob
from printing.till_report import TillReport, preview_till_report, render_till_report
from printing.wish_list import WISH_LIST, WishLine, WishList, preview_wish_list, render_wish_list
from printing.voucher import Voucher, preview_voucher, render_voucher
from shop.database import as_time, one_writer_per_shop, writing
from shop.money import format_yuan
from shop.printouts import N_, Printouts
from shop.settings import Settings
from shop.staff import issue_badge
from shop.tables import Staff

RECEIPT, REFUND_SLIP, TILL_REPORT, LABEL = "receipt", "refund slip", "till report", "label"
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
    "offline": N_("Offline sale"),
    "offline_number": N_("Offline No."),
    "printed_number": N_("First printed as"),
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
    "offline_count": N_("Offline sales received"), "offline_held": N_("Offline sales held for the manager"),
    "offline_unsent": N_("Offline sales not yet sent by the till"),
}
X_TITLE = N_("X report (mid-shift)")
Z_TITLE = N_("Z report (close)")
# A person's name (姓名), not a thing's (名称): the catalogue's "Name" is an item's.
PASSBOOK_WORDS = {**STATEMENT_WORDS, "member_name": N_("Member's name")}
CARD_WORDS = {"title": N_("Love-bank member card"), "member_number": N_("Member No."),
              "member_name": N_("Member's name"),
              "note": N_("Show this card at the till to pay with your points")}
STAFF_CARD_WORDS = {"title": N_("Staff card"), "name": N_("Staff member's name"), "role": N_("Role"),
                    "note": N_("At the till: F9 (换人), scan this card, then type your PIN")}
ROLE_WORDS = {"cashier": N_("Cashier"), "manager": N_("Shop manager"), "admin": N_("Administrator")}  # of the till
VOUCHER_WORDS = {"title": N_("Love-bank service voucher"), "number": N_("Voucher No."), "service": N_("Service"),
                 "provider": N_("Given by"), "points": N_("Points"), "member_number": N_("Member No."),
                 "date": N_("Date"), "note": N_("Show this voucher to the provider; keep it until the service is done")}
ENTRY_WORDS = {
    "service-reversal": N_("Correction: {reason}"),
    "gift-to-member": N_("Given to {number}"),
    "gift-to-fund": N_("Given to the community fund"),
    "gift-from": N_("Gift from {number}"),
    "gift-reversal": N_("Gift taken back: {reason}"),
    "spent": N_("Spent at the shop {ref}"),
    "returned": N_("Returned to the account {ref}"),
    "brought-forward": N_("Brought forward"),
    vouchers.HOLD: N_("Voucher {number}: {service} (points held)"),
    vouchers.CANCELLED: N_("Voucher {number} cancelled: {service}"),
    vouchers.DELIVERED: N_("Service given, voucher {number}: {service}"),
    "period": N_("{start} to {end}"),
}

WISH_LIST_WORDS = {"title": N_("Wish wall"), "date": N_("Printed on"), "count": N_("{count} wish(es) waiting"),
                   "none": N_("No wish is waiting now."), "note": N_("Claim a wish at the shop's counter")}
WISH_WORDS = {"goods": N_("goods"), "service": N_("service"), "posted": N_("waiting"), "claimed": N_("claimed")}


def notice_url(address: str, month: str, *, shop: str = "") -> str:
    """The notice page for a month (YYYY-MM): address?month=2026-12, or address&month=… when it has a query; in a
    district, another shop's than config.toml's with &shop=CODE (web/notice.py)."""
    return f"{address}{'&' if '?' in address else '?'}month={month}" + (f"&shop={shop}" if shop else "")


@cache
def logo(path: str) -> bytes | None:
    """The receipt's logo file, read once (config is read once too; load_settings checked it exists)."""
    return Path(path).read_bytes() if path else None


@dataclass(frozen=True)
class Reprint:
    """A document asked for again: the job that will print it, and whether that job was already waiting to print.
    Then no second job was made: a receipt asked for again while the printer is off must not come out twice."""

    job_id: int
    already_waiting: bool = False


class Paper:
    """The shop's documents: built from its records, previewed, and queued for the printer of their place."""

    def __init__(self, printouts: Printouts) -> None:
        self.printouts = printouts
        self.settings: Settings = printouts.settings
        # The shop's name and address as its documents print them: the request's shop (a district's server serves
        # several; web/app.py sets this), config.toml's [shop] when unset.
        self.heading: Callable[[], tuple[str, str]] | None = None
        self.shop_code: Callable[[], str] | None = None  # the request's shop's code, likewise

    def _shop(self) -> tuple[str, str]:
        return self.heading() if self.heading else (self.settings.shop.name, self.settings.shop.address)

    # -- what a till and the intake desk print with what they write -----------------------------------------

    def at_till(self, *, shop_id: int, till: TillInfo, cashier: str) -> TillPaper:
        """What `till` prints with a sale or a return `cashier` makes (their name, as the request knows it)."""
        return TillPaper(self, shop_id=shop_id, till=till, cashier=cashier)

    def at_intake(self, *, shop_id: int, slip: bool, labels: bool) -> IntakePaper:
        """What the intake desk prints with a donation: its labels and/or its slip, as asked."""
        return IntakePaper(self, shop_id=shop_id, slip=slip, labels=labels)

    # -- receipts --------------------------------------------------------------------------------------

    def receipt(self, sale: SaleRecord, *, cashier: str, copy: bool = False,
                offline_at: datetime | None = None, offline_number: str = "", printed_number: str = "") -> Receipt:
        """The sale's receipt. It opens the drawer (where the printer has one) only when cash was tendered:
        never for a sale paid in points alone, and never on a copy (a reprint, marked 重打). A sale made while the
        till was offline (`offline_at`: when) is marked 离线销售 with that time and the till's number for it (and
        the number it was first printed with, when the till renumbered it since)."""
        settings = self.settings
        shop_name, shop_address = self._shop()
        return Receipt(
            shop_name=shop_name,
            shop_address=shop_address,
            sale_number=sale.number,
            time=self._when(sale.created_at),
            cashier=cashier,
            lines=tuple(ReceiptLine(name=l.name, quantity=l.quantity, unit_price_fen=l.unit_price_fen,
                                    amount_fen=l.value_fen, list_price_fen=l.list_price_fen,
                                    markdown_percent=l.markdown_percent, discount_fen=l.discount_fen)
                        for l in sale.lines),
            total_fen=sale.total_fen,
            cash_given_fen=sale.cash_given_fen,
            change_fen=sale.change_fen,
            fund_fen=sale.fund_fen,
            labels=self.printouts.words(RECEIPT_WORDS),
            footer=settings.receipt.footer,
            open_drawer=sale.cash_given_fen > 0 or sale.cash_fen > 0,
            copy=copy,
            logo=logo(settings.receipt.logo),
            points=sale.points, points_fen=sale.points_fen, points_left=sale.points_left,
            member_number=sale.member_number, household_ref=sale.household_ref,
            offline_at=self._when(offline_at) if offline_at else "", offline_number=offline_number,
            printed_number=printed_number, notice=self.notice_code(sale),
        )

    def notice_code(self, sale: SaleRecord) -> NoticeCode | None:
        """The fund's public notice on the sale's receipt (its copies too): config's [notice] receipt_line with the
        sale's share for the fund, over a QR code of the notice page for the sale's month in the shop's zone. None
        (the receipt says the fund's share in its own words, and has no QR code) when the shop has no public
        address for the page, or the page is not public. No line for a sale that gave the fund nothing."""
        notice = self.settings.notice
        if not (notice.address and notice.public):
            return None
        month = sale.created_at.astimezone(self.settings.zone).strftime("%Y-%m")
        fund = format_yuan(sale.fund_fen).removeprefix("¥")  # the line carries its own ¥ ("¥{fund}")
        line = notice.receipt_line.replace("{fund}", fund) if sale.fund_fen > 0 else ""
        code = self.shop_code() if self.shop_code else self.settings.shop.code
        return NoticeCode(line=line, url=notice_url(notice.address, month,
                                                    shop=code if code != self.settings.shop.code else ""))

    async def receipt_of_sale(self, sale: SaleRecord, *, copy: bool = True) -> Receipt:
        """The receipt of a stored sale, for a preview or a reprint: a copy (重打, no drawer kick) unless
        told otherwise, since the original printed with the sale; a sale made offline marked so again."""
        offline = await OfflineSale.select(OfflineSale.made_at, OfflineSale.offline_number,
                                           OfflineSale.printed_number).where(OfflineSale.sale == sale.id).first()
        return self.receipt(sale, cashier=await _staff_name(sale.cashier_id), copy=copy,
                            offline_at=as_time(offline["made_at"]) if offline else None,
                            offline_number=offline["offline_number"] if offline else "",
                            printed_number=(offline["printed_number"] or "") if offline else "")

    def receipt_preview(self, receipt: Receipt) -> list[str]:
        return preview_lines(receipt, width=self.settings.printer.width)

    async def queue_receipt(self, receipt: Receipt, *, shop_id: int, till: str | None) -> int:
        """The receipt into the print queue, made for the till's printer (config's [printer] without a till)."""
        return await self.printouts.queue(
            shop_id=shop_id, place=_place_of(till), document=RECEIPT, ref=receipt.sale_number, till=till or "",
            render=lambda profile: render_receipt(receipt, profile=profile))

    # -- refund slips (退货单), on the till's receipt printer ---------------------------------------------

    def refund_slip(self, record: ReturnRecord, *, cashier: str, till: str, copy: bool = False) -> RefundSlip:
        """The slip of a return or a void: it kicks the drawer only when cash was refunded, never on a copy."""
        return RefundSlip(
            shop_name=self._shop()[0], return_number=record.number, sale_number=record.sale_number,
            time=self._when(record.created_at), till=till, cashier=cashier,
            lines=tuple(RefundSlipLine(name=l.name, quantity=l.quantity, value_fen=l.value_fen) for l in record.lines),
            refunds=tuple(RefundTender(kind=g.kind, amount_fen=g.amount_fen, points=g.points,
                                       member_number=g.member_number) for g in record.refunds),
            fund_fen=record.fund_fen, labels=self.printouts.words(REFUND_SLIP_WORDS),
            void=record.reason == VOID, copy=copy, owed_fen=max(0, record.owed_fen))

    async def refund_slip_of_return(self, return_id: int, *, shop_id: int,
                                    copy: bool = True) -> tuple[RefundSlip, str | None]:
        """A stored return's slip, for a preview or a reprint (a copy unless told otherwise), and its till's code."""
        record = await load_return(return_id, shop_id=shop_id)
        row = await SaleReturn.select(SaleReturn.cashier).where(SaleReturn.id == return_id).first()
        till = next((t for t in await tills(shop_id=shop_id) if t.id == record.till_id), None)
        slip = self.refund_slip(record, cashier=await _staff_name(row["cashier"] if row else None),
                                till=f"{till.code} {till.name}" if till else "", copy=copy)
        return slip, till.code if till else None

    def refund_slip_preview(self, slip: RefundSlip) -> list[str]:
        return preview_refund_slip(slip, width=self.settings.printer.width)

    async def queue_refund_slip(self, slip: RefundSlip, *, shop_id: int, till: str | None) -> int:
        """The refund slip into the print queue, made for the till's printer."""
        return await self.printouts.queue(
            shop_id=shop_id, place=_place_of(till), document=REFUND_SLIP, ref=slip.return_number, till=till or "",
            render=lambda profile: render_refund_slip(slip, profile=profile))

    # -- printing again: a copy, unless the document is still waiting to print ------------------------------

    async def reprint_receipt(self, sale: SaleRecord, *, shop_id: int) -> Reprint:
        """The sale's receipt again, as a copy (重打, no drawer kick) for its till's printer as it is set up now;
        or, while its receipt still waits to print on that printer, that one."""
        till = await _till_code(shop_id, sale.till_id)
        printer, _ = await self.printouts.printer_of(shop_id=shop_id, place=_place_of(till))
        receipt = await self.receipt_of_sale(sale)
        return await _unless_waiting(
            shop_id, lambda: waiting_job(shop_id=shop_id, document=RECEIPT, ref=sale.number, printer=printer),
            lambda: self.queue_receipt(receipt, shop_id=shop_id, till=till))

    async def reprint_refund_slip(self, return_id: int, *, shop_id: int) -> Reprint:
        """A return's refund slip again, as a copy (重打, the drawer stays shut), as reprint_receipt."""
        slip, till = await self.refund_slip_of_return(return_id, shop_id=shop_id)
        printer, _ = await self.printouts.printer_of(shop_id=shop_id, place=_place_of(till))
        return await _unless_waiting(
            shop_id, lambda: waiting_job(shop_id=shop_id, document=REFUND_SLIP, ref=slip.return_number,
                                         printer=printer),
            lambda: self.queue_refund_slip(slip, shop_id=shop_id, till=till))

    async def reprint_job(self, *, shop_id: int, job_id: int) -> Reprint | None:
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
            return await self.reprint_receipt(await load_sale(sale_id, shop_id=shop_id), shop_id=shop_id)
        if job.document == REFUND_SLIP and (return_id := return_id_of(job.ref)) is not None:
            return await self.reprint_refund_slip(return_id, shop_id=shop_id)
        return await _unless_waiting(
            shop_id, lambda: waiting_job(shop_id=shop_id, document=job.document, ref=job.ref, printer=job.printer,
                                         copy_of=job.id),
            lambda: reprint(shop_id=shop_id, job_id=job_id))

    async def reprint_unprinted(self, *, shop_id: int, till: str) -> list[Reprint]:
        """The till's receipts and refund slips that did not print (printing/job_list.py: unprinted), again, oldest
        first: a copy of each, or, for one still queued after a failed try, that job (never a second)."""
        jobs = await unprinted(shop_id=shop_id, till=till, documents=TILL_DOCUMENTS)
        again = [await self.reprint_job(shop_id=shop_id, job_id=job.id) for job in reversed(jobs)]
        return [each for each in again if each is not None]

    # -- X and Z reports, on the till's printer ------------------------------------------------------------

    def till_report(self, figures: SessionFigures, *, cashier: str, unsent: int = 0) -> TillReport:
        """The printed X report (figures of an open session) or Z report (of a closed one); `unsent`: the sales the
        till's browser says it still holds, made offline and not sent yet."""
        settings, s = self.settings, figures.session
        closed = figures.counted_fen is not None
        return TillReport(
            shop_name=self._shop()[0], kind_title=self.printouts.say(Z_TITLE if closed else X_TITLE),
            till=f"{s.till_code} {s.till_name}", cashier=cashier, opened_at=self._when(s.opened_at),
            closed_at=self._when(s.closed_at or datetime.now(settings.zone)), sales_count=figures.sales_count,
            gross_fen=figures.gross_fen, refunds_fen=figures.refunds_fen, net_fen=figures.net_fen,
            cash_sales_fen=figures.cash_sales_fen, points_pts=figures.points_pts, points_fen=figures.points_fen,
            float_fen=figures.float_fen, expected_cash_fen=figures.expected_cash_fen,
            counted_cash_fen=figures.counted_fen, over_short_fen=figures.over_short_fen,
            fund_share_fen=figures.fund_fen, makers_share_fen=figures.maker_fen,
            running_costs_fen=figures.running_fen, labels=self.printouts.words(TILL_REPORT_WORDS), session=s.number,
            returns_count=figures.returns_count, voids_count=figures.voids_count,
            cash_refunds_fen=figures.cash_refunds_fen, points_refunded_pts=figures.points_refunded_pts,
            points_refunded_fen=figures.points_refunded_fen,
            offline_count=figures.offline_count, offline_held=figures.offline_held, offline_unsent=unsent,
            open_drawer=bool(figures.counted_fen))  # the Z: the counted cash goes from the drawer to the safe

    def till_report_preview(self, report: TillReport) -> list[str]:
        return preview_till_report(report, width=self.settings.printer.width)

    async def queue_till_report(self, report: TillReport, *, shop_id: int, till: str) -> int:
        """An X or Z report into the print queue, for the till's printer (its ref: the session's number)."""
        return await self.printouts.queue(
            shop_id=shop_id, place=_place_of(till), document=TILL_REPORT, ref=report.session, till=till,
            render=lambda profile: render_till_report(report, profile=profile))

    # -- item labels, on the intake desk's printer ---------------------------------------------------------

    def label(self, item: LabelItem) -> Label:
        """An item's label; its date code is the day it came in (yymmdd), which rotation of stock reads.

        Graded goods show their condition after the category: "衣物 · 九成新".
        """
        category = item.category
        if condition := self.condition_word(item.condition):
            category = f"{category} · {condition}"
        return Label(name=item.name, price_fen=item.price_fen, barcode=item.barcode,
                     date_code=item.created_at.astimezone(self.settings.zone).strftime("%y%m%d"),
                     labels=self.printouts.words(LABEL_WORDS), category=category)

    def label_picture(self, item: LabelItem, kind: str) -> bytes:
        """The item's label as a PNG (kind "png") or SVG picture."""
        label = self.label(item)
        return label_png(label) if kind == "png" else label_svg(label)

    async def queue_labels(self, items: Sequence[LabelItem], *, shop_id: int, ref: str) -> int:
        """All the labels as one print job on the intake desk's printer."""
        labels = [self.label(item) for item in items]
        return await self.printouts.queue(shop_id=shop_id, place=INTAKE, document=LABEL, ref=ref,
                                          render=lambda profile: render_labels(labels, profile=profile))

    async def queue_copies(self, barcode: str, copies: int, *, shop_id: int, ref: str) -> int:
        """`copies` labels of one item (a maker's goods brought in: one per piece), as one job on the intake desk's
        printer of `shop_id`; at a station, the item is the fed shop's (goods_shop_of), as a donation's are."""
        (item,) = await items_for_labels(shop_id=await goods_shop_of(shop_id), barcodes=[barcode])
        return await self.queue_labels([item] * copies, shop_id=shop_id, ref=ref)

    async def queue_donation_labels(self, donation: DonationRecord, *, shop_id: int) -> int:
        """A label for every piece of the donation the shop gave its own code, as one job on the intake desk's printer
        where it was taken in (at a station, the goods are labelled there before they go to the shop it feeds, whose
        codes and catalogue they carry: the shop it fed then, donations/intake.py's shop_of_goods)."""
        items = await items_for_labels(shop_id=await shop_of_goods(donation.id) or shop_id,
                                       barcodes=donation.label_codes)
        return await self.queue_labels(items, shop_id=shop_id, ref=donation.number)

    def condition_word(self, condition: str) -> str:
        """A graded condition (new, like-new, good, fair) in the shop's words; "" for none."""
        return self.printouts.say(CONDITION_WORDS[condition]) if condition in CONDITION_WORDS else ""

    # -- donation slips (捐赠回执), on the intake desk's printer -------------------------------------------

    async def donation_slip(self, donation: DonationRecord, *, shop_id: int) -> DonationSlip:
        """The slip of a donation, in the shop's language as all paper is: what was accepted, the
        thank-you text, and what the donor's gifts have done (when anything of theirs has sold)."""
        say = self.printouts.say
        impact = None
        if donation.donor_id is not None:
            done = await donor_impact(shop_id=shop_id, donor_id=donation.donor_id)
            if done.pieces_sold:
                impact = say(IMPACT).format(pieces=done.pieces_sold, amount=printed_yuan(done.fund_fen))
        return DonationSlip(
            shop_name=self._shop()[0], reference=donation.number, date=donation.received_on.isoformat(),
            donor=donation.donor_name or say(ANONYMOUS),
            items=tuple(DonationItem(description=line.description, condition=self.condition_word(line.condition),
                                     quantity=line.quantity, price_fen=line.price_fen)
                        for line in donation.lines if line.accepted),
            thank_you=self.settings.donations.thank_you, labels=self.printouts.words(DONATION_SLIP_WORDS),
            impact=impact,
        )

    def donation_slip_preview(self, slip: DonationSlip) -> list[str]:
        return preview_donation_slip(slip, width=self.settings.labels.width)

    async def queue_donation_slip(self, donation: DonationRecord, *, shop_id: int) -> int:
        """The donation's slip into the print queue, for the intake desk's printer."""
        slip = await self.donation_slip(donation, shop_id=shop_id)
        return await self.printouts.queue(shop_id=shop_id, place=INTAKE, document=DONATION_SLIP,
                                          ref=slip.reference,
                                          render=lambda profile: render_donation_slip(slip, profile=profile))

    # -- passbook statements and member cards, printed where they are asked for ----------------------------

    def entry_description(self, line: StatementLine, locale: str | None = None) -> str:
        """A statement line in the shop's words (or `locale`'s, on a screen): "助老：陪独居老人聊天", "赠予 M000002",
        "积分消费 S00000012"."""
        say = lambda key: self.printouts.say(ENTRY_WORDS[key], locale)  # noqa: E731
        if line.kind == passbook.SERVICE:
            types = {t.code: t.name for t in self.settings.lovebank.service_types}
            return f"{types.get(line.counterpart, line.counterpart)}：{line.detail}"
        if line.kind == passbook.SERVICE_REVERSAL:
            return say("service-reversal").format(reason=line.detail)
        if line.kind == passbook.GIFT:
            if line.points > 0:
                return say("gift-from").format(number=line.counterpart)
            if line.counterpart == "fund":
                return say("gift-to-fund")
            return say("gift-to-member").format(number=line.counterpart)
        if line.kind == passbook.GIFT_REVERSAL:
            return say("gift-reversal").format(reason=line.detail)
        if line.kind in (vouchers.HOLD, vouchers.CANCELLED, vouchers.DELIVERED):
            number = vouchers.voucher_number(int(line.ref.rpartition(":")[2]))
            return say(line.kind).format(number=number, service=line.detail)
        return say("spent" if line.points < 0 else "returned").format(ref=line.ref)

    def passbook_statement(self, found: Statement, *, first: date, last: date) -> PassbookStatement:
        """The statement as printed, in the shop's language: a line brought forward when the period starts after
        the first entry, then every entry with its running balance and the approved hours so far."""
        say, zone = self.printouts.say, self.settings.zone
        rows = []
        if found.start is not None and (found.opening_balance or found.opening_half_hours):
            rows.append(StatementRow(date=first.isoformat(), description=say(ENTRY_WORDS["brought-forward"]),
                                     hours_tenths=None, points_change=0, balance=found.opening_balance,
                                     cumulative_hours_tenths=found.opening_half_hours * 5))
        here = self._shop()[0]
        for line in found.lines:
            description = self.entry_description(line)
            if line.where and line.where != here:  # the district's passbook: where, when not the shop printing it
                description = f"{description} · {line.where}"
            rows.append(StatementRow(
                date=line.at.astimezone(zone).date().isoformat(), description=description,
                hours_tenths=None if line.half_hours is None else line.half_hours * 5, points_change=line.points,
                balance=line.balance, cumulative_hours_tenths=line.cumulative_half_hours * 5))
        period = say(ENTRY_WORDS["period"]).format(start=first.isoformat(), end=last.isoformat())
        return PassbookStatement(shop_name=self._shop()[0], member_number=found.member.number,
                                 member_name=found.member.name, period=period, rows=tuple(rows),
                                 closing_balance=found.closing_balance, labels=self.printouts.words(PASSBOOK_WORDS))

    async def statement_of(self, *, shop_id: int, member_id: int, start: date | None,
                           end: date | None) -> tuple[Statement, PassbookStatement]:
        """A member's passbook over [start, end] (shop-local days; without a start: since the account was opened;
        without an end: to today; days outside the shop's calendar are BAD_DAY), and its statement as printed."""
        zone = self.settings.zone
        member = await passbook.member_by_id(member_id=member_id)
        for day in (start, end):
            if day is not None:
                check_day(day)
        if start and end and end < start:
            start, end = end, start
        found = await passbook.statement(
            member_id=member_id,
            start=datetime.combine(start, time.min, tzinfo=zone).astimezone(UTC) if start else None,
            end=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC) if end else None)
        first = start or member.opened_at.astimezone(zone).date()
        return found, self.passbook_statement(found, first=first, last=end or datetime.now(zone).date())

    def statement_preview(self, statement: PassbookStatement) -> list[str]:
        return preview_statement(statement, width=self.settings.printer.width)

    async def print_statement(self, *, shop_id: int, member_id: int, start: date | None, end: date | None,
                              till: str | None = None) -> int:
        """The member's statement into the print queue, for the printer of the till it is asked at (config.toml's
        [printer] when no till is known), made for that printer's profile."""
        _, printed = await self.statement_of(shop_id=shop_id, member_id=member_id, start=start, end=end)
        return await self.printouts.queue(
            shop_id=shop_id, place=_place_of(till), document=PASSBOOK_STATEMENT, ref=printed.member_number,
            till=till or "", render=lambda profile: render_statement(printed, profile=profile))

    def member_card(self, member: MemberInfo) -> MemberCard:
        return MemberCard(shop_name=self._shop()[0], member_number=member.number, member_name=member.name,
                          card_code=member.card_code, labels=self.printouts.words(CARD_WORDS))

    def member_card_preview(self, card: MemberCard) -> list[str]:
        return preview_member_card(card, width=self.settings.printer.width)

    async def print_member_card(self, *, shop_id: int, member_id: int, till: str | None = None) -> int:
        """The member's card into the print queue, for the printer of the till it is asked at, as a statement."""
        card = self.member_card(await passbook.member_by_id(member_id=member_id))
        return await self.printouts.queue(
            shop_id=shop_id, place=_place_of(till), document=MEMBER_CARD, ref=card.member_number, till=till or "",
            render=lambda profile: render_member_card(card, profile=profile))

    async def print_staff_card(self, *, shop_id: int, username: str) -> tuple[int, list[str]]:
        """A new staff card for someone of the till (shop/staff.py issue_badge: a new badge, the old card refused),
        into the print queue for config.toml's receipt printer, in one transaction; the job's id and the card's
        text as it prints."""
        async with writing(PrintJob._meta.db):
            staff = await issue_badge(username=username, shop_id=shop_id)
            card = StaffCard(shop_name=self._shop()[0], name=staff.display_name,
                             role=self.printouts.say(ROLE_WORDS[staff.role]), badge=staff.badge,
                             labels=self.printouts.words(STAFF_CARD_WORDS))
            job_id = await self.printouts.queue(shop_id=shop_id, place=None, document=STAFF_CARD, ref=staff.username,
                                                render=lambda profile: render_staff_card(card, profile=profile))
        return job_id, preview_staff_card(card, width=self.settings.printer.width)

    # -- service vouchers of the love bank ------------------------------------------------------------------

    def voucher(self, found: VoucherInfo, *, copy: bool = False) -> Voucher:
        return Voucher(shop_name=self._shop()[0], number=found.number, service=found.service, provider=found.provider,
                       points=found.points, member_number=found.member_number,
                       date=found.entered_at.astimezone(self.settings.zone).date().isoformat(),
                       labels=self.printouts.words({**VOUCHER_WORDS, "copy": RECEIPT_WORDS["copy"]}), copy=copy)

    def voucher_preview(self, voucher: Voucher) -> list[str]:
        return preview_voucher(voucher, width=self.settings.printer.width)

    async def print_voucher(self, found: VoucherInfo, *, shop_id: int, copy: bool = False) -> int:
        """The voucher into the print queue, for the receipt printer (config.toml's [printer]: the love-bank desk has
        no till of its own); lovebank/vouchers.py redeem calls it in the redemption's transaction."""
        voucher = self.voucher(found, copy=copy)
        return await self.printouts.queue(shop_id=shop_id, place=None, document=VOUCHER, ref=voucher.number,
                                          render=lambda profile: render_voucher(voucher, profile=profile))

    # -- the wish wall for the notice board -------------------------------------------------------------------

    async def wish_list(self, *, shop_id: int) -> WishList:
        """The open wishes (posted or claimed), oldest first, as the notice board shows them: number, day, kind,
        status and text; never the household."""
        say, zone = self.printouts.say, self.settings.zone
        open_wishes = sorted(await wishes_of(shop_id=shop_id, status="open"), key=lambda wish: wish.id)
        return WishList(shop_name=self._shop()[0], printed_on=datetime.now(zone).date().isoformat(),
                        labels=self.printouts.words(WISH_LIST_WORDS), wishes=tuple(WishLine(
                            number=wish.number, posted_on=wish.posted_at.astimezone(zone).date().isoformat(),
                            kind=say(WISH_WORDS[wish.kind]), status=say(WISH_WORDS[wish.status]), text=wish.text)
                            for wish in open_wishes))

    async def print_wish_list(self, *, shop_id: int) -> tuple[int, list[str]]:
        """The wish list into the print queue for config.toml's receipt printer; the job's id and the list's text
        as it prints (the page's preview)."""
        printed = await self.wish_list(shop_id=shop_id)
        job_id = await self.printouts.queue(shop_id=shop_id, place=None, document=WISH_LIST,
                                            ref=f"wishes-{printed.printed_on}",
                                            render=lambda profile: render_wish_list(printed, profile=profile))
        return job_id, preview_wish_list(printed, width=self.settings.printer.width)

    # -- sample documents, for the preview page (and for setting up a printer) ------------------------------

    def sample_receipt(self, locale: str) -> Receipt:
        """A receipt with sample data (no drawer kick): the previews', and a new printer's sample print."""
        settings = self.settings
        return Receipt(
            shop_name=self._shop()[0], shop_address=self._shop()[1], sale_number="S00000001",
            time="2026-11-22 10:30", cashier="小张", total_fen=6000, cash_given_fen=10000, change_fen=4000,
            fund_fen=2575,
            lines=(ReceiptLine("儿童羽绒服（九成新）", 1, 3500, 3500), ReceiptLine("红烧牛肉面 5连包", 2, 1250, 2500)),
            labels=self.printouts.words(RECEIPT_WORDS, locale), footer=settings.receipt.footer,
            logo=logo(settings.receipt.logo),
        )

    def sample_label(self, locale: str) -> Label:
        return Label("手工编织杯垫", 500, "2000000000206", "261122", self.printouts.words(LABEL_WORDS, locale),
                     category="手工艺品")

    def sample_print(self, profile: PrinterProfile) -> bytes:
        """A sample receipt and a sample label, in the shop's language, made for a printer being set up."""
        locale = self.settings.shop.locale
        return (render_receipt(self.sample_receipt(locale), profile=profile)
                + render_labels([self.sample_label(locale)], profile=profile))

    def sample_previews(self, locale: str, *, width: int) -> dict[str, list[str]]:
        """Every kind of document with sample data, as it would print at `width` columns, by its N_-marked name."""
        shop = self._shop()[0]
        words = self.printouts.words
        slip = DonationSlip(
            shop_name=shop, reference="D20261122-007", date="2026-11-22", donor="李阿姨",
            items=(DonationItem("儿童羽绒服", "九成新", 1, 3500), DonationItem("旧书一箱", "良好", 12, None)),
            thank_you="感谢您的爱心捐赠！", labels=words(DONATION_SLIP_WORDS, locale),
            impact="您捐赠的物品已售出 3 件，为社区慈善基金筹得 ￥12.50",
        )
        statement = PassbookStatement(
            shop_name=shop, member_number="M000123", member_name="王阿姨", period="2026-11", closing_balance=45,
            rows=(StatementRow("2026-11-03", "社区图书角整理", 25, 25, 125, 425),
                  StatementRow("2026-11-18", "积分兑换：大米 5kg", None, -80, 45, 425)),
            labels=words(STATEMENT_WORDS, locale),
        )
        refund = RefundSlip(
            shop_name=shop, return_number="R00000001", sale_number="S00000001", time="2026-11-22 11:05",
            till="T1 一号收银台", cashier="小张", lines=(RefundSlipLine("儿童羽绒服（九成新）", 1, 3500),),
            refunds=(RefundTender("points", 1000, 10, "M000123"), RefundTender("cash", 2500)), fund_fen=1750,
            labels=words(REFUND_SLIP_WORDS, locale),
        )

        def till_report(title: str, counted: int | None) -> TillReport:
            return TillReport(
                shop_name=shop, kind_title=self.printouts.say(title, locale), till="T1 一号收银台", cashier="小张",
                opened_at="2026-11-22 08:30", closed_at="2026-11-22 17:30" if counted is not None else "",
                sales_count=42, gross_fen=186050, refunds_fen=1200, net_fen=184850, cash_sales_fen=172850,
                points_pts=120, points_fen=12000, float_fen=50000, expected_cash_fen=221850,
                counted_cash_fen=counted, over_short_fen=None if counted is None else counted - 221850,
                fund_share_fen=98200, makers_share_fen=12400, running_costs_fen=74250,
                labels=words(TILL_REPORT_WORDS, locale), cash_refunds_fen=1000, points_refunded_pts=2,
                points_refunded_fen=200)

        return {
            N_("receipt"): preview_lines(self.sample_receipt(locale), width=width),
            N_("label"): preview_label(self.sample_label(locale), width=width),
            N_("refund slip"): preview_refund_slip(refund, width=width),
            N_("donation slip"): preview_donation_slip(slip, width=width),
            N_("passbook statement"): preview_statement(statement, width=width),
            N_("X report"): preview_till_report(till_report(X_TITLE, None), width=width),
            N_("Z report"): preview_till_report(till_report(Z_TITLE, 221800), width=width),
        }

    def _when(self, moment: datetime) -> str:
        return moment.astimezone(self.settings.zone).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class TillPaper:
    """What a till prints with a sale or a return, queued in its transaction (commit_sale, commit_return,
    void_sale call it once the record is written): no sale without its receipt, no return without its slip."""

    paper: Paper
    shop_id: int
    till: TillInfo
    cashier: str  # the cashier's name as printed
    reports: list[int] = field(default_factory=list)  # the X or Z reports' print jobs it queued

    async def print_sale(self, sale: SaleRecord) -> int:
        """The sale's receipt, for the till's printer."""
        receipt = self.paper.receipt(sale, cashier=self.cashier)
        return await self.paper.queue_receipt(receipt, shop_id=self.shop_id, till=self.till.code)

    async def print_offline_sale(self, sale: SaleRecord, *, made_at: datetime, number: str,
                                 printed_number: str = "") -> int:
        """The receipt of a sale made while the till was offline, as it reaches the server: marked 离线销售 with the
        time it was made and the till's number for it (pos/offline.py accept_offline_sale calls it in the sale's
        transaction); and the number the customer's paper shows, when the till renumbered it since."""
        receipt = self.paper.receipt(sale, cashier=self.cashier, offline_at=made_at, offline_number=number,
                                     printed_number=printed_number)
        return await self.paper.queue_receipt(receipt, shop_id=self.shop_id, till=self.till.code)

    async def print_return(self, record: ReturnRecord) -> int:
        """The return's (or the void's) refund slip, for the till's printer."""
        slip = self.paper.refund_slip(record, cashier=self.cashier, till=f"{self.till.code} {self.till.name}")
        return await self.paper.queue_refund_slip(slip, shop_id=self.shop_id, till=self.till.code)

    async def print_till_report(self, figures: SessionFigures, *, unsent: int = 0) -> int:
        """The Z report of the session just closed (close_session calls it in its transaction), or an X report
        (`unsent`: the offline sales the till still holds). Its job is kept in `reports`, for the answer."""
        report = self.paper.till_report(figures, cashier=self.cashier, unsent=unsent)
        job = await self.paper.queue_till_report(report, shop_id=self.shop_id, till=self.till.code)
        self.reports.append(job)
        return job


@dataclass
class IntakePaper:
    """What the intake desk prints with a donation, queued in its transaction (register_donation calls it once
    the donation is written): its labels as one job, and its slip, as asked. The jobs it queued stay on it."""

    paper: Paper
    shop_id: int
    slip: bool
    labels: bool
    labels_job: int | None = None
    slip_job: int | None = None

    async def print_donation(self, donation: DonationRecord) -> None:
        self.labels_job = self.slip_job = None  # a write tried again (a deadlock on PostgreSQL) queues afresh
        if self.labels and donation.label_codes:
            self.labels_job = await self.paper.queue_donation_labels(donation, shop_id=self.shop_id)
        if self.slip:
            self.slip_job = await self.paper.queue_donation_slip(donation, shop_id=self.shop_id)

    async def print_consigned(self, goods: ConsignedGoods, *, ref: str) -> None:
        """A maker's goods brought in: a label for each piece, when the shop gave them its own code."""
        self.labels_job = None
        if self.labels and goods.in_store:
            self.labels_job = await self.paper.queue_copies(goods.barcode, goods.quantity, shop_id=self.shop_id,
                                                            ref=ref)

    @property
    def queued(self) -> bool:
        return self.labels_job is not None or self.slip_job is not None


def _place_of(till: str | None) -> str | None:
    """A till's place on the printers page; None (config.toml's [printer]) when no till is known."""
    return till_place(till) if till else None


async def _staff_name(staff_id: int | None) -> str:
    row = await Staff.select(Staff.display_name).where(Staff.id == staff_id).first() if staff_id else None
    return row["display_name"] if row else ""


async def _till_code(shop_id: int, till_id: int) -> str | None:
    return next((till.code for till in await tills(shop_id=shop_id) if till.id == till_id), None)


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

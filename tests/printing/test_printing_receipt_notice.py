"""The fund's public notice on a receipt (issue 23): its line with the sale's share, over a QR code of the
notice page, drawn by the printer (GS ( k) or, on a printer without barcodes, as an image zbar reads."""

from dataclasses import replace

import pytest

from printing.documents import NoticeCode, preview_lines, render_receipt
from printing.layout import columns
from printing.profiles import PrinterProfile
from tests.printing.escpos_decode import Barcode, Image, QrCode, decode
from tests.printing.receipts import CHINESE_RECEIPT
from tests.printing.samples import picture, scan

URL = "https://aixin.example.org/notice?month=2024-05"
NOTICE = NoticeCode("本次购物为社区慈善基金贡献 ¥12.78", URL)
PRINTED_LINE = "本次购物为社区慈善基金贡献 ￥12.78"  # "¥" goes to the printer as the full-width "￥"
both_widths = pytest.mark.parametrize("width", [32, 48])


def profile(width: int, *, native: bool = True) -> PrinterProfile:
    return PrinterProfile(columns=width, native_barcodes=native)


@both_widths
def test_the_printer_draws_the_notice_address_under_the_line_saying_the_funds_share(width):
    # given / when
    data = render_receipt(replace(CHINESE_RECEIPT, notice=NOTICE), profile=profile(width))
    printout = decode(data)

    # then: one QR code, centred, of the notice page's address; the line over it, said once
    [qr] = [event for event in printout.events if isinstance(event, QrCode)]
    assert (qr.data, qr.align, qr.error_correction, qr.model) == (URL, "center", "M", 2)
    assert 3 <= qr.module_dots <= 6
    printed = "".join(printout.texts).replace(" ", "")  # on 58 mm the line wraps before "￥12.78"
    assert printed.count("基金") == 1 and PRINTED_LINE.replace(" ", "") in printed
    assert all(columns(line.text) * line.width <= width for line in printout.lines)
    # in order: the line, the QR code, the footer, the sale's barcode
    footer = "谢谢惠顾，欢迎再来！".encode("gb18030")
    assert data.index("基金".encode("gb18030")) < data.index(b"\x1d(k") < data.index(footer) < data.index(b"\x1dk")
    assert [e for e in printout.events if isinstance(e, Barcode)][0].data == "{B" + CHINESE_RECEIPT.sale_number


@both_widths
def test_a_printer_without_barcodes_gets_the_qr_code_as_an_image_zbar_reads(width):
    # when
    printout = decode(render_receipt(replace(CHINESE_RECEIPT, notice=NOTICE), profile=profile(width, native=False)))

    # then: no GS ( k, and the one image that is not the sale's barcode reads back as the address
    assert not any(isinstance(event, QrCode) for event in printout.events)
    images = [event for event in printout.events if isinstance(event, Image)]
    found = [read for image in images for read in scan(picture(image))]
    assert ("QRCODE", URL) in found and ("CODE128", CHINESE_RECEIPT.sale_number) in found
    assert all(image.width == width * 12 for image in images)  # centred on the paper's full width


def test_without_a_notice_the_receipt_is_as_it_was():
    # given / when
    data = render_receipt(CHINESE_RECEIPT, profile=profile(48))
    printout = decode(data)

    # then: no QR code; the fund's share in the receipt's own words
    assert b"\x1d(k" not in data and not any(isinstance(event, QrCode) for event in printout.events)
    assert "本次购物为社区慈善基金贡献 ￥12.78" in printout.texts


def test_the_preview_shows_the_notice_line_in_place_of_the_fund_share_and_a_copy_has_the_same_qr_code():
    # given
    receipt = replace(CHINESE_RECEIPT, notice=replace(NOTICE, line="为社区慈善基金贡献 ¥12.78"))

    # when
    preview = preview_lines(receipt, width=48)
    copy = decode(render_receipt(replace(receipt, copy=True), profile=profile(48)))

    # then
    assert "为社区慈善基金贡献 ¥12.78" in preview and not any("本次购物" in line for line in preview)
    assert [event.data for event in copy.events if isinstance(event, QrCode)] == [URL]
    assert copy.texts[0].strip() == "** COPY **"


def test_a_notice_without_a_line_prints_the_qr_code_alone():
    printout = decode(render_receipt(replace(CHINESE_RECEIPT, notice=replace(NOTICE, line="")), profile=profile(32)))

    assert not any("基金" in text for text in printout.texts)
    assert [event.data for event in printout.events if isinstance(event, QrCode)] == [URL]


def test_an_address_that_is_not_printable_ascii_is_refused():
    with pytest.raises(ValueError, match="printable ASCII"):
        NoticeCode("line", "https://爱心.org/notice")

import random
import unicodedata

import pytest
from escpos.printer import Dummy
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image as PILImage

from printing.escpos import EscPos
from printing.layout import columns
from printing.printable import for_gbk
from tests.printing.escpos_decode import Barcode, Cut, Drawer, Feed, Image, Init, decode

INIT = b"\x1b@"


def job_bytes(encoding: str, *texts: str) -> bytes:
    job = EscPos(encoding=encoding)
    for text in texts:
        job.text_line(text)
    return job.output()


def test_every_chinese_line_goes_in_chinese_mode_even_without_chinese():
    # given / when
    data = job_bytes("gb18030", "爱心", "￥12.50")

    # then
    assert data == (
        INIT + b"\x1c\x26" + "爱心".encode("gb18030") + b"\x1c\x2e\n" + b"\x1c\x26\xa3\xa412.50\x1c\x2e\n"
    )


def test_the_yen_sign_becomes_the_fullwidth_yuan_sign():
    data = job_bytes("gb18030", "\u00a512.50")

    assert b"\xa3\xa4" in data
    assert "\u00a5".encode("gb18030") not in data
    assert decode(data).texts == ["￥12.50"]


def test_control_characters_cannot_send_commands():
    data = job_bytes("gb18030", "a\x1bd\x05b\nc\x1d")

    assert decode(data).texts == ["a d b c "]


def test_a_western_printer_gets_readable_ascii_and_never_an_error():
    # given / when
    data = job_bytes("cp437", "爱心超市 Aixin", "Total ￥12.50", "café")

    # then
    assert data.startswith(INIT + b"\x1bt\x00")
    assert decode(data).texts == ["???????? Aixin", "Total  Y12.50", "café"]


def test_a_known_code_page_is_selected_by_its_number():
    assert job_bytes("cp1252", "€5").startswith(INIT + b"\x1bt\x10\x80")


@pytest.mark.parametrize("encoding", ["utf-16", "shift_jis", "no-such-codec"])
def test_an_encoding_that_is_neither_chinese_nor_single_byte_is_refused(encoding):
    # utf-8, gbk and gb18030 are Chinese printers' encodings (printing/profiles.py); these are not
    with pytest.raises(ValueError):
        EscPos(encoding=encoding)


printable_text = st.text(st.characters(exclude_categories=("Cs",)))


def as_printed(text: str) -> str:
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return text.replace("\u00a5", "\uffe5")


@given(printable_text)
def test_any_text_reads_back_from_a_chinese_printer_in_its_columns(text):
    # a character GBK lacks comes back as the placeholder, a mark it lacks not at all
    [printed] = decode(job_bytes("gb18030", text)).texts

    assert printed == for_gbk(as_printed(text))
    assert columns(printed) == columns(as_printed(text)) == len(printed.encode("gbk"))


@given(printable_text)
def test_any_text_keeps_its_columns_on_a_western_printer(text):
    [printed] = decode(job_bytes("cp437", text)).texts

    assert columns(printed) == columns(as_printed(text))


def test_styles_are_the_commands_chinese_printers_take():
    # given
    job = EscPos(encoding="gb18030")

    # when
    job.align("center")
    job.bold(True)
    job.size(double_width=True, double_height=True)
    job.size(double_height=True)
    job.size()
    job.bold(False)
    job.feed(3)

    # then: ESC a 1, ESC E 1, GS ! 0x11 / 0x01 / 0x00 (not ESC !), ESC E 0, ESC d 3
    assert job.output() == (
        INIT
        + b"\x1ba\x01"
        + b"\x1bE\x01"
        + b"\x1d!\x11"
        + b"\x1d!\x01"
        + b"\x1d!\x00"
        + b"\x1bE\x00"
        + b"\x1bd\x03"
    )


def test_code128_is_drawn_by_the_printer_with_its_text_below(capsys):
    # given
    job = EscPos(encoding="gb18030")

    # when
    job.barcode_code128("S0001", fit_columns=48)

    # then: GS h 64, GS w 3, GS f 0 (font A), GS H 2 (below), GS k 73 n {BS0001
    assert job.output() == (
        INIT + b"\x1dh\x40" + b"\x1dw\x03" + b"\x1df\x00" + b"\x1dH\x02" + b"\x1dk\x49\x07{BS0001"
    )
    assert decode(job.output()).events == [Init(), Barcode(73, "{BS0001", "below", "left")]
    assert capsys.readouterr().out == ""


def test_a_long_code128_gets_narrower_bars_on_58_mm_paper():
    job = EscPos(encoding="gb18030")

    job.barcode_code128("S20240518-0042", fit_columns=32)

    assert b"\x1dw\x02" in job.output()


@pytest.mark.parametrize("data", ["", "销售0001", "S\n1"])
def test_a_code128_holds_printable_ascii_only(data):
    with pytest.raises(ValueError):
        EscPos(encoding="gb18030").barcode_code128(data, fit_columns=48)


def test_cut_feeds_then_cuts():
    full, partial = EscPos(encoding="gb18030"), EscPos(encoding="gb18030")

    full.cut()
    partial.cut(partial=True)

    assert full.output() == INIT + b"\x1bd\x06\x1dV\x00"
    assert partial.output() == INIT + b"\x1bd\x06\x1dV\x01"
    assert decode(partial.output()).events == [Init(), Feed(6), Cut(partial=True)]


def test_the_drawer_pulse_is_pin_2_for_100_ms():
    job = EscPos(encoding="gb18030")

    job.drawer()

    assert job.output() == INIT + b"\x1bp\x00\x32\x32"
    assert decode(job.output()).events == [Init(), Drawer(pin=2, on_ms=100, off_ms=100)]


def test_an_ean13_is_drawn_by_the_printer_with_its_digits_below():
    # given
    job = EscPos(encoding="gb18030")

    # when
    job.barcode_ean13("6901234567892")

    # then: GS h 80, GS w 3, GS f 0, GS H 2 (below), GS k 2 (EAN13, function A) digits NUL
    assert job.output() == (
        INIT + b"\x1dh\x50" + b"\x1dw\x03" + b"\x1df\x00" + b"\x1dH\x02" + b"\x1dk\x026901234567892\x00"
    )
    assert decode(job.output()).events == [Init(), Barcode(2, "6901234567892", "below", "left")]


@pytest.mark.parametrize("code", ["690123456789", "69012345678921", "690123456789X", "６９０１２３４５６７８９２"])
def test_an_ean13_is_13_ascii_digits(code):
    with pytest.raises(ValueError):
        EscPos(encoding="gb18030").barcode_ean13(code)


def random_picture(width: int, height: int, seed: int) -> PILImage.Image:
    generator = random.Random(seed)
    picture = PILImage.new("1", (width, height), 1)
    picture.putdata([generator.choice((0, 1)) for _ in range(width * height)])
    return picture


@pytest.mark.parametrize("width, height", [(384, 40), (576, 3), (13, 7), (200, 2000)])
def test_a_raster_image_is_what_python_escpos_sends_for_gs_v_0(width, height, capsys):
    # given
    picture = random_picture(width, height, seed=width + height)
    job = EscPos(encoding="gb18030")
    reference = Dummy(profile="default")

    # when
    job.raster(picture)
    reference.image(picture, impl="bitImageRaster")
    capsys.readouterr()  # python-escpos prints a note about the unknown paper width

    # then: the same bytes, and our decoder reads back the very dots
    assert job.output() == INIT + reference.output
    images = [event for event in decode(job.output()).events if isinstance(event, Image)]
    assert [image.height for image in images] == [min(960, height - top) for top in range(0, height, 960)]
    assert all(image.width == (width + 7) // 8 * 8 for image in images)
    assert all(
        images[y // 960].dot(x, y % 960) == (picture.getpixel((x, y)) == 0)
        for y in range(0, height, max(1, height // 50))
        for x in range(width)
    )


def test_raster_is_gs_v_0_rows_of_bytes_one_a_dot():
    # given: 9 x 2 dots, the first and the last of the top row black
    picture = PILImage.new("1", (9, 2), 1)
    picture.putpixel((0, 0), 0)
    picture.putpixel((8, 0), 0)
    job = EscPos(encoding="gb18030")

    # when
    job.raster(picture)

    # then: GS v 0 0, 2 bytes a row, 2 rows; the ninth dot in the second byte, padding white
    assert job.output() == INIT + b"\x1dv0\x00\x02\x00\x02\x00" + b"\x80\x80" + b"\x00\x00"


def test_raster_takes_only_1_bit_images():
    with pytest.raises(ValueError, match="1-bit"):
        EscPos(encoding="gb18030").raster(PILImage.new("L", (8, 8), 0))

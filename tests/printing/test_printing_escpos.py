import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printing.escpos import EscPos
from printing.layout import columns
from tests.printing.escpos_decode import Barcode, Cut, Drawer, Feed, Init, decode

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


def test_an_encoding_that_is_neither_chinese_nor_single_byte_is_refused():
    with pytest.raises(ValueError):
        EscPos(encoding="utf-8")


printable_text = st.text(st.characters(exclude_categories=("Cs",)))


def as_printed(text: str) -> str:
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return text.replace("\u00a5", "\uffe5")


@given(printable_text)
def test_any_text_reads_back_from_a_chinese_printer(text):
    assert decode(job_bytes("gb18030", text)).texts == [as_printed(text)]


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

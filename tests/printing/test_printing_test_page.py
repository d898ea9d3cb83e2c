"""The printer test page: every sample line reads back in its own encoding and mode; the rulers; the choice."""

import pytest

from printing.layout import columns
from printing.profiles import PrinterProfile, PrinterSetupError, SetupError
from printing.test_page import CANDIDATES, SAMPLE, chosen_profile, render_drawer_kick, render_test_page, ruler
from tests.printing.escpos_decode import Cut, Drawer, Init, decode

WESTERN_SAMPLE = "????????  Y12.50 ????????"  # cp437 has no Chinese: "?" per column, "￥" as " Y"


def sample_lines(printout):
    """Each candidate's sample line: the line printed right after the line showing its code."""
    lines = printout.lines
    found = {}
    for index, line in enumerate(lines[:-1]):
        for candidate in CANDIDATES:
            if line.text.strip() == candidate.code:
                found[candidate.number] = lines[index + 1]
    return found


def test_each_sample_line_reads_back_the_sample_in_its_stated_encoding():
    # given
    data = render_test_page(connection="tcp://192.168.1.50:9100")

    # when
    printout = decode(data)  # strict: any byte it does not know fails the test
    lines = sample_lines(printout)

    # then
    assert sorted(lines) == [1, 2, 3, 4, 5]
    for candidate in CANDIDATES:
        line = lines[candidate.number]
        expected = f"{candidate.number}. " + (WESTERN_SAMPLE if candidate.encoding == "cp437" else SAMPLE)
        assert line.raw.decode(candidate.encoding) == expected, candidate.code
        assert line.chinese_mode == candidate.chinese_mode, candidate.code


def test_the_sample_lines_are_in_their_encodings_and_modes_byte_for_byte():
    data = render_test_page()
    sample = SAMPLE.encode
    assert b"\x1c\x26" + f"1. {SAMPLE}".encode("gb18030") + b"\x1c\x2e\n" in data
    assert b"\x1c\x26" + f"2. {SAMPLE}".encode("gbk") + b"\x1c\x2e\n" in data
    assert b"\n" + f"3. {SAMPLE}".encode("utf-8") + b"\n" in data  # no FS & around UTF-8
    assert b"\n" + f"4. {SAMPLE}".encode("gb18030") + b"\n" in data  # GB18030 without the mode switch
    assert b"\x1bt\x00" + f"5. {WESTERN_SAMPLE}".encode("cp437") + b"\n" in data  # ESC t 0: CP437
    assert sample("gbk") == sample("gb18030")  # "￥" is A3 A4 in both: the sample is the same bytes, mode apart


def test_the_rulers_are_32_and_48_columns_wide_and_end_in_their_width():
    # when
    texts = decode(render_test_page()).texts

    # then
    assert ruler(32) in texts and ruler(48) in texts
    assert columns(ruler(32)) == 32 and ruler(32).endswith("[32]") and ruler(32).startswith("----+----1")
    assert columns(ruler(48)) == 48 and ruler(48).endswith("[48]") and ruler(48)[39] == "4"


def test_everything_but_the_samples_is_plain_ascii_on_32_columns_and_the_page_is_cut():
    printout = decode(render_test_page(connection="usb:0416:5011"))
    samples = {id(line) for line in sample_lines(printout).values()}
    others = [line.text for line in printout.lines if id(line) not in samples]
    assert all(text.isascii() for text in others)
    assert all(columns(text) <= 32 for text in others if text != ruler(48))
    assert "usb:0416:5011" in others
    assert isinstance(printout.events[0], Init) and isinstance(printout.events[-1], Cut)


@pytest.mark.parametrize(("line", "encoding", "chinese_mode", "raster"), [
    (1, "gb18030", True, False), (2, "gbk", True, False), (3, "utf-8", False, False), (4, "gb18030", False, False),
    (5, "cp437", False, True),
])
@pytest.mark.parametrize("ruler_columns", [32, 48])
def test_the_chosen_line_and_ruler_make_the_profile(line, encoding, chinese_mode, raster, ruler_columns):
    # given: the drawer already found on pin 5, no cutter
    base = PrinterProfile(drawer_pin=5, drawer_on_ms=120, drawer_off_ms=240, cut=False)

    # when
    profile = chosen_profile(line, ruler_columns, base=base)

    # then
    assert (profile.encoding, profile.chinese_mode, profile.raster_chinese) == (encoding, chinese_mode, raster)
    assert profile.columns == ruler_columns
    assert (profile.drawer_pin, profile.drawer_on_ms, profile.drawer_off_ms, profile.cut) == (5, 120, 240, False)


@pytest.mark.parametrize(("line", "ruler_columns", "code"), [
    (0, 48, PrinterSetupError.BAD_TEST_LINE), (6, 48, PrinterSetupError.BAD_TEST_LINE),
    (1, 40, PrinterSetupError.BAD_RULER), (1, 58, PrinterSetupError.BAD_RULER),
])
def test_a_line_or_ruler_not_on_the_page_is_refused(line, ruler_columns, code):
    with pytest.raises(SetupError) as refused:
        chosen_profile(line, ruler_columns)
    assert refused.value.code == code


@pytest.mark.parametrize("pin", [2, 5])
def test_the_drawer_kick_carries_the_pin_tried_and_the_profiles_times(pin):
    # given: a profile whose drawer is on the other pin, and no drawer thought to be there
    profile = PrinterProfile(drawer=False, drawer_pin=7 - pin, drawer_on_ms=60, drawer_off_ms=300)

    # when
    printout = decode(render_drawer_kick(profile, pin=pin))

    # then
    assert printout.events == [Init(), Drawer(pin=pin, on_ms=60, off_ms=300)]
    assert printout.lines == []


def test_a_drawer_pin_other_than_2_or_5_is_refused():
    with pytest.raises(SetupError):
        render_drawer_kick(PrinterProfile(), pin=3)

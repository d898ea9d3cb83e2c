"""A printer's profile changes a document's bytes as it should: encoding, FS &, columns, cut, drawer, barcodes, raster."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printing.documents import render_receipt
from printing.item_labels import render_labels
from printing.layout import columns
from printing.printers import PrinterConfig
from printing.profiles import PrinterProfile, PrinterSetupError, SetupError, connection_text, parse_connection
from tests.printing.escpos_decode import Barcode, Cut, Drawer, Feed, Image, decode
from tests.printing.receipts import CHINESE_RECEIPT
from tests.printing.samples import COAT

CHINESE_TEXT = "儿童羽绒服（九成新）"


def receipt_with(**profile) -> bytes:
    return render_receipt(CHINESE_RECEIPT, profile=PrinterProfile(**profile))


def line_with(printout, text):
    return next(line for line in printout.lines if text in line.raw.decode("gb18030", errors="replace")
                or text in line.text)


def test_the_default_profile_prints_what_a_receipt_printed_before_profiles():
    assert receipt_with() == render_receipt(CHINESE_RECEIPT, width=48, encoding="gb18030")
    assert receipt_with(columns=32) == render_receipt(CHINESE_RECEIPT, width=32, encoding="gb18030")


@pytest.mark.parametrize(("encoding", "chinese_mode"), [("gb18030", True), ("gbk", True), ("gb18030", False),
                                                        ("utf-8", False)])
def test_the_chinese_text_goes_in_the_profiles_encoding_and_mode(encoding, chinese_mode):
    # when
    data = receipt_with(encoding=encoding, chinese_mode=chinese_mode)
    printout = decode(data)

    # then: every line is in the mode, and reads back in the encoding
    assert all(line.chinese_mode == chinese_mode for line in printout.lines if line.raw)
    line = next(line for line in printout.lines if CHINESE_TEXT.encode(encoding) in line.raw)
    assert line.raw.decode(encoding) == CHINESE_TEXT
    assert (b"\x1c\x26" in data) == chinese_mode
    assert "￥35.00".encode(encoding) in data


def test_gbk_never_gets_a_four_byte_gb18030_sequence():
    data = render_receipt(replace(CHINESE_RECEIPT, footer="¥5 ¥"), profile=PrinterProfile(encoding="gbk"))
    # then every line is GBK, and "¥" went as "￥" (A3 A4), which GBK printers have
    assert all(line.raw.decode("gbk") == line.raw.decode("gb18030") for line in decode(data).lines)
    assert "￥5 ￥".encode("gbk") in data and "¥".encode("gb18030") not in data


@pytest.mark.parametrize("width", [32, 48])
def test_the_receipt_is_laid_out_on_the_profiles_columns(width):
    printout = decode(receipt_with(columns=width))
    assert max(columns(line.text) * line.width for line in printout.lines) == width
    rule = "-" * width
    assert rule in printout.texts


def test_a_printer_without_a_cutter_gets_a_feed_not_a_cut():
    with_cutter = decode(receipt_with()).events
    without = decode(receipt_with(cut=False)).events
    assert any(isinstance(event, Cut) for event in with_cutter)
    assert not any(isinstance(event, Cut) for event in without)
    assert Feed(4) in without


@pytest.mark.parametrize(("pin", "on_ms", "off_ms"), [(2, 100, 100), (5, 100, 100), (2, 50, 500), (5, 240, 120)])
def test_the_drawer_pulse_carries_the_configured_pin_and_times(pin, on_ms, off_ms):
    # when
    data = receipt_with(drawer_pin=pin, drawer_on_ms=on_ms, drawer_off_ms=off_ms)

    # then
    drawers = [event for event in decode(data).events if isinstance(event, Drawer)]
    assert drawers == [Drawer(pin=pin, on_ms=on_ms, off_ms=off_ms)]
    assert data.endswith(b"\x1bp" + bytes([0 if pin == 2 else 1, on_ms // 2, off_ms // 2]))


def test_no_drawer_on_the_printer_no_pulse():
    assert not any(isinstance(event, Drawer) for event in decode(receipt_with(drawer=False)).events)


def test_native_barcodes_or_images():
    native = decode(receipt_with()).events
    images = decode(receipt_with(native_barcodes=False))
    assert [event.data for event in native if isinstance(event, Barcode)] == ["{B" + CHINESE_RECEIPT.sale_number]
    assert not any(isinstance(event, Barcode) for event in images.events)
    (bars,) = [event for event in images.events if isinstance(event, Image)]
    assert bars.width == 576
    assert CHINESE_RECEIPT.sale_number in images.texts  # the number under the bars, as a line


def test_labels_follow_the_profile_not_the_barcode_mode_argument():
    native = decode(render_labels([COAT], profile=PrinterProfile(columns=32)))
    raster = decode(render_labels([COAT], barcode_mode="native", profile=PrinterProfile(native_barcodes=False)))
    assert [event.data for event in native.events if isinstance(event, Barcode)] == [COAT.barcode]
    assert max(columns(line.text) * line.width for line in native.lines) <= 32
    assert not any(isinstance(event, Barcode) for event in raster.events)
    assert [event.width for event in raster.events if isinstance(event, Image)] == [576]


@pytest.mark.usefixtures("cjk_font")
def test_raster_chinese_sends_every_line_with_chinese_as_an_image_and_the_rest_as_text():
    # when
    printout = decode(receipt_with(encoding="cp437", chinese_mode=False, raster_chinese=True))

    # then
    assert all(line.text.isascii() for line in printout.lines)
    assert "-" * 48 in printout.texts  # plain lines are still text
    images = [event for event in printout.events if isinstance(event, Image)]
    assert images and all(image.width == 576 for image in images)
    assert any(isinstance(event, Drawer) for event in printout.events)


@settings(max_examples=40, deadline=None)
@given(encoding=st.sampled_from(["gb18030", "gbk", "utf-8", "cp437", "cp1252"]), chinese_mode=st.booleans(),
       width=st.sampled_from([32, 48]), cut=st.booleans(), drawer=st.booleans(), pin=st.sampled_from([2, 5]),
       on=st.integers(1, 255), off=st.integers(1, 255), native=st.booleans())
def test_every_profile_makes_a_stream_the_strict_decoder_reads(encoding, chinese_mode, width, cut, drawer, pin, on,
                                                               off, native):
    chinese_mode = chinese_mode and encoding in ("gb18030", "gbk")
    profile = PrinterProfile(encoding=encoding, chinese_mode=chinese_mode, columns=width, cut=cut, drawer=drawer,
                             drawer_pin=pin, drawer_on_ms=on * 2, drawer_off_ms=off * 2, native_barcodes=native)
    printout = decode(render_receipt(CHINESE_RECEIPT, profile=profile))
    assert [e for e in printout.events if isinstance(e, Drawer)] == ([Drawer(pin, on * 2, off * 2)] if drawer else [])
    assert any(isinstance(e, Cut) for e in printout.events) == cut


@pytest.mark.parametrize(("key", "profile"), [
    ("encoding", {"encoding": "shift_jis"}), ("encoding", {"encoding": "nonsense"}),
    ("chinese_mode", {"encoding": "utf-8", "chinese_mode": True}), ("columns", {"columns": 40}),
    ("drawer_pin", {"drawer_pin": 3}),
])
def test_a_profile_a_printer_cannot_have_is_refused_naming_the_setting(key, profile):
    with pytest.raises(SetupError) as refused:
        PrinterProfile(**profile)
    assert refused.value.code == PrinterSetupError.BAD_PROFILE and refused.value.params["key"] == key


@pytest.mark.parametrize("pulse", [0, 1, 99, 512, 1000])
def test_a_drawer_pulse_outside_2_to_510_even_ms_is_refused(pulse):
    with pytest.raises(SetupError) as refused:
        PrinterProfile(drawer_on_ms=pulse)
    assert refused.value.code == PrinterSetupError.BAD_DRAWER_PULSE


@pytest.mark.parametrize(("text", "config", "canonical"), [
    ("tcp://192.168.1.50:9100", PrinterConfig(kind="network", host="192.168.1.50", port=9100), None),
    ("tcp://printer.local", PrinterConfig(kind="network", host="printer.local", port=9100), "tcp://printer.local:9100"),
    ("usb:0416:5011", PrinterConfig(kind="usb", usb_vendor=0x0416, usb_product=0x5011), None),
    ("USB:04B8:0E15", PrinterConfig(kind="usb", usb_vendor=0x04B8, usb_product=0x0E15), "usb:04b8:0e15"),
    ("serial:/dev/ttyUSB0", PrinterConfig(kind="serial", serial_device="/dev/ttyUSB0"), None),
    ("serial:/dev/ttyS0@19200", PrinterConfig(kind="serial", serial_device="/dev/ttyS0", baudrate=19200), None),
    ("file:/dev/usb/lp0", PrinterConfig(kind="file", path="/dev/usb/lp0"), None),
    ("file:var/print", PrinterConfig(kind="file", path="var/print"), None),
])
def test_a_connection_is_read_and_written_back(text, config, canonical):
    parsed = parse_connection(text)
    assert parsed == config
    assert connection_text(parsed) == (canonical or text)
    assert parse_connection(connection_text(parsed)) == parsed


@pytest.mark.parametrize(("text", "reason"), [
    ("192.168.1.50", "tcp:// usb: serial: file:"), ("tcp:192.168.1.50", "tcp://host:port"),
    ("tcp://192.168.1.50:70000", "port"), ("tcp://bad host:9100", "host"), ("usb:xyz:5011", "usb:VID:PID"),
    ("usb:0416", "usb:VID:PID"), ("serial:ttyUSB0", "serial device"), ("serial:/dev/ttyUSB0@1234", "baud"),
    ("file:", "path"),
])
def test_a_wrong_connection_is_refused_with_the_reason(text, reason):
    with pytest.raises(SetupError) as refused:
        parse_connection(text)
    assert refused.value.code == PrinterSetupError.BAD_CONNECTION
    assert refused.value.params == {"connection": text, "reason": reason}

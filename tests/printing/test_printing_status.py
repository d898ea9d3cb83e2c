"""Asking a network printer how it is (DLE EOT), against a fake printer on 127.0.0.1 that can misbehave."""

import socket
import time

import pytest

from printing.documents import render_receipt
from printing.printers import PrinterConfig, PrinterStatus, PrintError, decode_status, query_status, send
from tests.printing.fake_printer import FakePrinter
from tests.printing.receipts import CHINESE_RECEIPT

RECEIPT_BYTES = render_receipt(CHINESE_RECEIPT, width=32, encoding="gb18030")
TIMEOUT = 0.5


@pytest.fixture
def printer():
    with FakePrinter() as fake:
        yield fake


def config_for(printer: FakePrinter) -> PrinterConfig:
    return PrinterConfig(kind="network", host="127.0.0.1", port=printer.port, timeout=TIMEOUT, width=32)


@pytest.mark.parametrize(
    "mode, status",
    [
        ("ok", PrinterStatus(online=True, paper_out=False, paper_low=False, cover_open=False, reason="ok")),
        ("paper_out", PrinterStatus(online=False, paper_out=True, paper_low=True, cover_open=False, reason="paper out")),
        ("cover_open", PrinterStatus(online=False, paper_out=False, paper_low=False, cover_open=True, reason="cover open")),
        ("offline", PrinterStatus(online=False, paper_out=False, paper_low=False, cover_open=False, reason="offline")),
    ],
)
def test_the_status_is_read_from_the_printers_answers(printer, mode, status):
    # given
    printer.mode = mode

    # when
    found = query_status(config_for(printer))

    # then: DLE EOT 1, 2 and 4 were asked, and nothing was printed
    assert found == status
    assert printer.queries == [1, 2, 4]
    assert printer.settle() == b""


@pytest.mark.parametrize(
    "answers, status",
    [
        ((0x12, 0x12, 0x12), (True, False, False, False, "ok")),
        ((0x12, 0x12, 0x1E), (True, False, True, False, "paper low")),  # near-end sensor: bits 2-3
        ((0x1A, 0x12, 0x72), (False, True, False, False, "paper out")),  # paper-end sensor: bits 5-6
        ((0x1A, 0x32, 0x12), (False, True, False, False, "paper out")),  # stopped at paper end: n=2 bit 5
        ((0x1A, 0x16, 0x12), (False, False, False, True, "cover open")),  # n=2 bit 2
        ((0x1A, 0x12, 0x12), (False, False, False, False, "offline")),  # n=1 bit 3
        ((0x16, 0x12, 0x12), (True, False, False, False, "ok")),  # n=1 bit 2 is the drawer, not an error
    ],
)
def test_status_bits_as_the_esc_pos_reference_defines_them(answers, status):
    assert decode_status(*answers) == PrinterStatus(*status)


def test_an_answer_that_is_not_a_status_byte_is_an_error():
    with pytest.raises(PrintError, match="not a status"):
        decode_status(0x12, 0xFF, 0x12)


@pytest.mark.parametrize(
    "mode, error", [("paper_out", "paper out"), ("cover_open", "cover open"), ("offline", "printer offline")]
)
def test_a_checked_send_refuses_a_printer_that_will_not_print(printer, mode, error):
    # given
    printer.mode = mode

    # when
    with pytest.raises(PrintError) as raised:
        send(config_for(printer), "S1", RECEIPT_BYTES, check_status=True)

    # then: not a byte of the job went out
    assert str(raised.value) == error
    assert printer.settle() == b""
    assert printer.queries == [1, 2, 4]


def test_a_stalled_printer_is_an_error_within_the_timeout(printer):
    # given: it accepts the connection, then never reads nor answers
    printer.mode = "stall"

    # when
    started = time.monotonic()
    with pytest.raises(PrintError) as status_error:
        query_status(config_for(printer))
    with pytest.raises(PrintError) as send_error:
        send(config_for(printer), "S1", RECEIPT_BYTES, check_status=True)
    elapsed = time.monotonic() - started

    # then
    assert str(status_error.value) == str(send_error.value) == "printer did not answer"
    assert 2 * TIMEOUT <= elapsed < 2 * TIMEOUT + 1.0
    assert printer.connections == 2


def test_a_refused_connection_then_the_printer_recovers_and_the_job_prints_byte_exact(printer):
    # given: the printer is off
    config = config_for(printer)
    port = printer.port
    printer.mode = "refuse"
    with pytest.raises(PrintError, match="Connection refused"):
        send(config, "S1", RECEIPT_BYTES, check_status=True)
    with pytest.raises(PrintError, match="Connection refused"):
        query_status(config)

    # when: it is back, on the same port
    printer.mode = "ok"
    send(config, "S1", RECEIPT_BYTES, check_status=True)

    # then
    assert printer.port == port
    assert printer.settle() == RECEIPT_BYTES
    assert printer.connections == 1


def test_each_failure_then_recovery_sends_the_same_job_once(printer):
    # given
    config = config_for(printer)

    for mode in ("paper_out", "cover_open", "offline", "stall"):
        # when the printer cannot print, then can again
        printer.mode = mode
        with pytest.raises(PrintError):
            send(config, "S1", RECEIPT_BYTES, check_status=True)
        printer.mode = "refuse"  # switched off and on: a stalled connection is dropped
        printer.mode = "ok"

    send(config, "S1", RECEIPT_BYTES, check_status=True)

    # then: the job arrived once, whole
    assert printer.settle() == RECEIPT_BYTES


def test_an_unchecked_send_does_not_ask(printer):
    send(config_for(printer), "S1", RECEIPT_BYTES)

    assert printer.settle() == RECEIPT_BYTES
    assert printer.queries == []


def test_the_fake_printer_is_refused_while_off_and_keeps_its_port(printer):
    # given
    port = printer.port

    # when
    printer.mode = "refuse"

    # then
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    printer.mode = "ok"
    with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
        connection.sendall(b"\x10\x04\x01hello")
        assert connection.recv(1) == b"\x12"
    assert printer.settle() == b"hello"


@pytest.mark.parametrize("kind", ["file", "none", "usb", "serial"])
def test_printers_that_cannot_be_asked_are_unknown_but_online(kind):
    status = query_status(PrinterConfig(kind=kind))

    assert status.online and not (status.paper_out or status.cover_open)
    assert status.reason == "unknown"


def test_a_checked_send_to_a_spool_folder_still_writes_it(tmp_path):
    written = send(PrinterConfig(kind="file", path=str(tmp_path)), "S1", RECEIPT_BYTES, check_status=True)

    assert written and open(written, "rb").read() == RECEIPT_BYTES

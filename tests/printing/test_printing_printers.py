import ipaddress
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from escpos.printer import Serial, Usb

from printing.documents import render_receipt
from printing.printer_setup import ConnectionBounds, ConnectionRefused, confine
from printing.profiles import SetupError, parse_connection
from printing.printers import PrintError, PrinterConfig, send
from tests.printing.receipts import CHINESE_RECEIPT

RECEIPT_BYTES = render_receipt(CHINESE_RECEIPT, width=32, encoding="gb18030")


class FakeNetworkPrinter:
    """A TCP server on 127.0.0.1 keeping everything one client sends."""

    def __init__(self) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.server.settimeout(5)
        self.port = self.server.getsockname()[1]
        self.received = b""
        self.thread = threading.Thread(target=self._receive)
        self.thread.start()

    def _receive(self) -> None:
        connection, _ = self.server.accept()
        with connection:
            connection.settimeout(5)
            while chunk := connection.recv(65536):
                self.received += chunk

    def join(self) -> bytes:
        self.thread.join(timeout=5)
        self.server.close()
        return self.received


def test_a_network_printer_receives_exactly_the_receipt():
    # given
    printer = FakeNetworkPrinter()
    config = PrinterConfig(kind="network", host="127.0.0.1", port=printer.port, width=32)

    # when
    result = send(config, "S20240518-0042", RECEIPT_BYTES)

    # then
    assert result is None
    assert printer.join() == RECEIPT_BYTES


def test_a_refused_connection_is_a_print_error_at_once():
    # given: a port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = PrinterConfig(kind="network", host="127.0.0.1", port=port, timeout=5.0)

    # when
    started = time.monotonic()
    with pytest.raises(PrintError) as raised:
        send(config, "S1", RECEIPT_BYTES)

    # then
    assert time.monotonic() - started < 1.0
    assert str(raised.value) == "printer not found: Connection refused"


def test_a_network_printer_needs_a_host():
    with pytest.raises(PrintError, match="host"):
        send(PrinterConfig(kind="network"), "S1", RECEIPT_BYTES)


def test_a_spool_folder_gets_one_file_per_job(tmp_path):
    # given: the folder does not exist yet
    folder = tmp_path / "var" / "print"
    config = PrinterConfig(kind="file", path=str(folder))

    # when
    first = send(config, "receipt-S1", RECEIPT_BYTES)
    second = send(config, "receipt-S2", b"\x1b@second")

    # then
    assert first and second
    assert sorted(folder.iterdir()) == sorted([Path(first), Path(second)])
    assert Path(first).read_bytes() == RECEIPT_BYTES
    assert Path(second).read_bytes() == b"\x1b@second"
    assert Path(first).name.endswith("Z-receipt-S1.bin")


def test_a_job_name_cannot_leave_the_spool_folder(tmp_path):
    written = send(PrinterConfig(kind="file", path=str(tmp_path)), "../../etc/passwd", b"x")

    assert written and Path(written).parent == tmp_path
    assert os.listdir(tmp_path) == [Path(written).name]


def test_a_character_device_is_written_to_directly():
    assert send(PrinterConfig(kind="file", path="/dev/null"), "S1", RECEIPT_BYTES) == "/dev/null"


def test_a_missing_device_is_a_print_error_not_a_new_folder():
    path = "/dev/usb/aixin-test-missing-lp9"

    with pytest.raises(PrintError, match="missing"):
        send(PrinterConfig(kind="file", path=path), "S1", RECEIPT_BYTES)
    assert not os.path.exists(path)


def test_an_unwritable_spool_folder_is_a_print_error(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_bytes(b"")

    with pytest.raises(PrintError, match="cannot write"):
        send(PrinterConfig(kind="file", path=str(not_a_folder / "print")), "S1", RECEIPT_BYTES)


def test_no_printer_prints_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    assert send(PrinterConfig(kind="none"), "S1", RECEIPT_BYTES) is None
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(Usb.is_usable(), reason="pyusb is installed")
def test_usb_without_its_extra_says_what_to_install():
    config = PrinterConfig(kind="usb", usb_vendor=0x0416, usb_product=0x5011)

    with pytest.raises(PrintError, match=r"python-escpos\[usb\]"):
        send(config, "S1", RECEIPT_BYTES)


@pytest.mark.skipif(Serial.is_usable(), reason="pyserial is installed")
def test_serial_without_its_extra_says_what_to_install():
    config = PrinterConfig(kind="serial", serial_device="/dev/ttyS0")

    with pytest.raises(PrintError, match=r"python-escpos\[serial\]"):
        send(config, "S1", RECEIPT_BYTES)


def test_an_unknown_kind_of_printer_is_refused():
    with pytest.raises(ValueError, match="bluetooth"):
        PrinterConfig(kind="bluetooth")


SHOP_LAN = ("192.168.0.0/16", "10.0.0.0/8", "172.16.0.0/12")


def refusal(connection: str, bounds: ConnectionBounds, resolve=None) -> tuple[str, dict] | None:
    """The refusal's code and parameters (what the sentence is made of), or None when allowed."""
    try:
        if resolve is None:
            confine(parse_connection(connection), bounds)
        else:
            confine(parse_connection(connection), bounds, resolve=resolve)
    except SetupError as error:
        return str(error.code), tuple(sorted(error.params.items()))
    return None


def test_a_file_printer_writes_only_inside_the_print_area_whatever_exists_outside(tmp_path):
    # given: the print area, and outside it a file, a folder, and a link from inside to outside
    area = tmp_path / "var"
    (area / "print").mkdir(parents=True)
    (area / "aixin.sqlite").write_text("")
    (tmp_path / "secret").write_text("x")
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", area / "out")
    os.symlink("/dev/null", area / "null")
    bounds = ConnectionBounds(folders=(str(area), "/dev/usb/lp0"), networks=SHOP_LAN)
    # then: everything outside, through .., through a link, or a device is the same refusal
    refused = {refusal(f"file:{path}", bounds) for path in (
        tmp_path / "secret", tmp_path / "missing", tmp_path / "outside", tmp_path / "outside" / "new",
        f"{area}/../secret", f"{area}/../missing", f"{area}/print/../../outside", area / "out", area / "out" / "jobs",
        area / "null", area / "aixin.sqlite", "/dev/null", "/dev/usb/lp0", "/dev/no-such", "/proc/self/mem", "/",
        "relative/elsewhere")}
    assert refused == {(ConnectionRefused.FILE_OUTSIDE, (("area", str(area.resolve())),))}
    # and: folders inside, there or to be made, are allowed
    for path in (area, area / "print", area / "labels" / "desk", f"{area}/print/../labels"):
        assert refusal(f"file:{path}", bounds) is None, path


def test_a_network_printer_is_reached_only_on_the_listed_networks_never_loopback_or_link_local_unless_listed():
    bounds = ConnectionBounds(folders=(), networks=SHOP_LAN)
    outside = (ConnectionRefused.HOST_OUTSIDE, (("networks", ", ".join(SHOP_LAN)),))
    names = {"printer.shop": ["192.168.1.9"], "two.shop": ["192.168.1.9", "8.8.8.8"], "rebound.shop": ["127.0.0.1"],
             "v6-loopback.shop": ["::1"], "v6-link.shop": ["fe80::1%eth0"], "mapped.shop": ["::ffff:127.0.0.1"]}

    def resolve(host, port):
        if host in names:
            return names[host]
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None

    for connection in ("tcp://127.0.0.1:9100", "tcp://v6-loopback.shop:9100", "tcp://169.254.169.254:80",
                       "tcp://v6-link.shop:9100", "tcp://8.8.8.8:9100", "tcp://0.0.0.0:9100", "tcp://224.0.0.1:9100",
                       "tcp://mapped.shop:9100", "tcp://two.shop:9100", "tcp://rebound.shop:9100",
                       "tcp://no-such.shop:9100", "tcp://192.169.0.1:9100"):
        assert refusal(connection, bounds, resolve) == outside, connection
    for connection in ("tcp://192.168.1.50:9100", "tcp://10.1.2.3:9100", "tcp://172.16.0.9:9100",
                       "tcp://printer.shop:9100", "usb:0416:5011", "serial:/dev/ttyUSB0"):
        assert refusal(connection, bounds, resolve) is None, connection
    # loopback and link-local only when listed themselves: a network covering everything does not open them
    assert refusal("tcp://127.0.0.1:9100", ConnectionBounds((), ("0.0.0.0/0",)), resolve) is not None
    assert refusal("tcp://127.0.0.1:9100", ConnectionBounds((), ("127.0.0.0/8",)), resolve) is None
    assert refusal("tcp://169.254.1.1:9100", ConnectionBounds((), ("169.254.0.0/16",)), resolve) is None


def test_a_host_name_is_looked_up_for_real():
    assert refusal("tcp://localhost:9100", ConnectionBounds((), SHOP_LAN)) is not None

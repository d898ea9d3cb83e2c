"""The printers plugged into this PC (printing/discovery.py): which USB devices are printers and the connection each
takes, serial ports, and `aixin printer find` / GET /api/printers/found on this machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from printing.discovery import UsbPrinter, find_printers, serial_ports, usb_printers

ROOT = Path(__file__).resolve().parents[2]


class Device(SimpleNamespace):
    """A pyusb device as usb.core.find gives it: its classes, string indexes, and one configuration of interfaces."""

    def __iter__(self):
        return iter([self.interfaces])


def device(vendor, product, device_class, *interface_classes, names=False):
    return Device(idVendor=vendor, idProduct=product, bDeviceClass=device_class, iManufacturer=1 if names else 0,
                  iProduct=2 if names else 0, interfaces=[SimpleNamespace(bInterfaceClass=c) for c in interface_classes])


def test_printers_are_told_from_hubs_keyboards_scanners_and_disks():
    plugged = [device(0x1D6B, 0x0002, 0x09),  # a hub
               device(0x0416, 0x5011, 0x00, 0x07),  # a receipt printer: class 7 on its interface
               device(0x046D, 0xC31C, 0x00, 0x03),  # a keyboard (and the barcode scanner that types like one)
               device(0x0781, 0x5567, 0x00, 0x08),  # a USB disk
               device(0x0FE6, 0x811E, 0xFF, names=True),  # a vendor-specific device: maybe a printer; unreadable names
               device(0x04B8, 0x0202, 0x07)]  # a printer by its device class
    found = usb_printers(plugged)
    assert [(p.connection, p.says_printer) for p in found] == [
        ("usb:0416:5011", True), ("usb:04b8:0202", True), ("usb:0fe6:811e", False)]
    assert found[2].name == ""  # its names could not be read (no right to open it): the ids still serve
    assert UsbPrinter(vendor=0x0416, product=0x5011, name="", says_printer=True).connection == "usb:0416:5011"


def test_serial_ports_by_device_with_the_connection_they_take():
    ports = [SimpleNamespace(device="/dev/ttyUSB0", description="USB-Serial Controller"),
             SimpleNamespace(device="/dev/ttyS0", description="n/a")]
    assert [(p.connection, p.description) for p in serial_ports(ports)] == [
        ("serial:/dev/ttyS0", ""), ("serial:/dev/ttyUSB0", "USB-Serial Controller")]


def test_this_machine_is_looked_at_and_the_command_says_what_it_found_in_chinese():
    found = find_printers()  # pyusb and pyserial are installed with python-escpos[usb,serial]
    assert all("not installed" not in problem for problem in found.problems), found.problems
    said = subprocess.run([sys.executable, "-m", "web.cli", "printer", "find"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "AIXIN_CONFIG": str(ROOT / "config.toml")})
    assert said.returncode == 0, said.stderr
    assert ("已插上的 USB 打印机" if found.usb else "没有插上 USB 打印机") in said.stdout
    assert ("串口：" if found.serial else "没有串口。") in said.stdout
    for port in found.serial:
        assert port.connection in said.stdout

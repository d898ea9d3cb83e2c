"""The printers plugged into this PC: USB printers (by vendor:product, what a `usb:VID:PID` connection needs) and
serial ports, so nobody setting up a till has to know an id (`aixin printer find`, the printers page).

A USB device is listed when it says it is a printer (USB class 7, on the device or on one of its interfaces) or
when its class is the vendor's own (0xFF), which many receipt printers use; hubs, keyboards, scanners and disks
are not. Reading a device's names needs the right to open it (udev rules, or root): without it the name is
empty and the ids are still there. pyusb needs libusb (Debian: libusb-1.0-0); without it the USB part says so
and the serial ports are still listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

PRINTER_CLASS, VENDOR_CLASS = 0x07, 0xFF


@dataclass(frozen=True)
class UsbPrinter:
    vendor: int
    product: int
    name: str  # the maker's and product's names as the device gives them ("" when it may not be opened)
    says_printer: bool  # USB class 7: surely a printer; False: a vendor-specific device that may be one

    @property
    def connection(self) -> str:
        return f"usb:{self.vendor:04x}:{self.product:04x}"


@dataclass(frozen=True)
class SerialPort:
    device: str  # /dev/ttyUSB0, COM3
    description: str

    @property
    def connection(self) -> str:
        return f"serial:{self.device}"


@dataclass(frozen=True)
class Found:
    usb: tuple[UsbPrinter, ...]
    serial: tuple[SerialPort, ...]
    problems: tuple[str, ...] = field(default=())  # what could not be looked at, and why


def _classes(device) -> set[int]:
    classes = {device.bDeviceClass}
    try:
        for configuration in device:
            for interface in configuration:
                classes.add(interface.bInterfaceClass)
    except Exception:  # noqa: BLE001 - a device that cannot be read is judged by its device class alone
        pass
    return classes


def _name(device) -> str:
    import usb.util

    words = []
    for index in (device.iManufacturer, device.iProduct):
        if not index:
            continue
        try:
            words.append((usb.util.get_string(device, index) or "").strip())
        except Exception:  # noqa: BLE001 - no right to open it (udev), or it does not answer: the ids still serve
            return ""
    return " ".join(word for word in words if word)


def usb_printers(devices: Iterable) -> tuple[UsbPrinter, ...]:
    """The printers among pyusb devices (usb.core.find(find_all=True)), printers first, then by id."""
    found = []
    for device in devices:
        classes = _classes(device)
        if PRINTER_CLASS in classes or VENDOR_CLASS in classes:
            found.append(UsbPrinter(vendor=device.idVendor, product=device.idProduct, name=_name(device),
                                    says_printer=PRINTER_CLASS in classes))
    return tuple(sorted(found, key=lambda p: (not p.says_printer, p.vendor, p.product)))


def serial_ports(ports: Iterable) -> tuple[SerialPort, ...]:
    """pyserial's ports (serial.tools.list_ports.comports()), by device."""
    return tuple(sorted((SerialPort(device=p.device, description=p.description if p.description != "n/a" else "")
                         for p in ports), key=lambda p: p.device))


def find_printers() -> Found:
    """What is plugged into this PC now."""
    problems, on_usb, on_serial = [], (), ()
    try:
        import usb.core
    except ImportError:
        problems.append("USB: python-escpos[usb] (pyusb) is not installed")
    else:
        try:
            on_usb = usb_printers(usb.core.find(find_all=True))
        except usb.core.NoBackendError:
            problems.append("USB: libusb is missing (Debian: apt-get install libusb-1.0-0)")
        except Exception as error:  # noqa: BLE001 - e.g. no right to the USB bus: say it, list the serial ports
            problems.append(f"USB: {error}")
    try:
        from serial.tools import list_ports
    except ImportError:
        problems.append("serial: python-escpos[serial] (pyserial) is not installed")
    else:
        on_serial = serial_ports(list_ports.comports())
    return Found(usb=on_usb, serial=on_serial, problems=tuple(problems))

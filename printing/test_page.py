"""The printer test page: one sample line in each way a Chinese printer may want its text.

A volunteer prints it, finds the numbered line that reads 爱心超市 ￥12.50 谢谢惠顾 right,
and the widest ruler that fits on one line, and types the two numbers in: `chosen_profile`
turns them into the printer's profile. Everything else on the page is plain ASCII, which
every printer prints in every mode, so the instructions and each line's code always read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from printing.escpos import EscPos
from printing.profiles import COLUMNS, PrinterProfile, PrinterSetupError, SetupError

SAMPLE = "爱心超市 ￥12.50 谢谢惠顾"


@dataclass(frozen=True)
class Candidate:
    number: int
    code: str  # printed beside the line, and shown on the printers page
    encoding: str
    chinese_mode: bool  # FS & before the line, FS . after it
    raster_chinese: bool = False  # chosen: Chinese goes as images (no setting reads right)


CANDIDATES = (
    Candidate(1, "GB18030 + FS &", "gb18030", True),
    Candidate(2, "GBK + FS &", "gbk", True),
    Candidate(3, "UTF-8", "utf-8", False),
    Candidate(4, "GB18030, no FS &", "gb18030", False),
    # A Western code page (ESC t 0) prints no Chinese at all: chosen, Chinese prints as images.
    Candidate(5, "CP437 (ESC t 0)", "cp437", False, raster_chinese=True),
)


def sample_line(candidate: Candidate) -> str:
    return f"{candidate.number}. {SAMPLE}"


def ruler(columns: int) -> str:
    """A line exactly `columns` wide that ends in its width: ----+----1----+----2----+---[32]."""
    marks = "".join(str(n // 10 % 10) if n % 10 == 0 else "+" if n % 5 == 0 else "-" for n in range(1, columns + 1))
    end = f"[{columns}]"
    return marks[: columns - len(end)] + end


def render_test_page(*, title: str = "Aixin printer test", connection: str = "") -> bytes:
    """The test page's bytes: numbered sample lines, each under its code, and the two rulers.

    Printed on a 58 mm printer's 32 columns: every line but the 48-column ruler fits.
    """
    job = EscPos(profile=PrinterProfile(encoding="cp437", chinese_mode=False, columns=32))
    job.align("left")
    job.bold(True)
    job.text_line(title[:32])
    job.bold(False)
    if connection:
        job.text_line(connection[:32])
    job.text_line("Which line reads right?")
    job.text_line("-" * 32)
    for candidate in CANDIDATES:
        job.text_line(f"   {candidate.code}"[:32])
        job.line_as(sample_line(candidate), encoding=candidate.encoding, chinese_mode=candidate.chinese_mode)
    job.text_line("-" * 32)
    job.text_line("Widest ruler on ONE line:")
    for columns in COLUMNS:
        job.text_line(ruler(columns))
    job.text_line("-" * 32)
    job.text_line("Type both numbers into Aixin:")
    job.text_line("the line (1-5), the ruler 32/48.")
    job.feed(2)
    job.cut()
    return job.output()


def chosen_profile(line: int, ruler_columns: int, *, base: PrinterProfile | None = None) -> PrinterProfile:
    """The profile for the line that read right and the widest ruler that fitted; the rest
    (cut, drawer, barcodes) kept from base. SetupError for a line or ruler not on the page."""
    candidate = next((c for c in CANDIDATES if c.number == line), None)
    if candidate is None:
        raise SetupError(PrinterSetupError.BAD_TEST_LINE, line=line, lines=len(CANDIDATES))
    if ruler_columns not in COLUMNS:
        raise SetupError(PrinterSetupError.BAD_RULER, columns=ruler_columns)
    return replace(base or PrinterProfile(), encoding=candidate.encoding, chinese_mode=candidate.chinese_mode,
                   raster_chinese=candidate.raster_chinese, columns=ruler_columns)


def render_drawer_kick(profile: PrinterProfile, *, pin: int) -> bytes:
    """Only the drawer pulse on `pin` (2 or 5) with the profile's times: try each pin to find the drawer's."""
    if pin not in (2, 5):
        raise SetupError(PrinterSetupError.BAD_PROFILE, key="drawer_pin", value=str(pin))
    job = EscPos(profile=profile)
    job.kick_drawer(pin=pin)
    return job.output()

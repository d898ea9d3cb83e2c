"""The print queue: one row per document to print, kept until it has printed; the printers set up.

No foreign keys: printing knows nothing of the shop's other tables. `ref` says what the
document is of (a sale number, a donation reference) so a person can find it again.
"""

from piccolo.columns import Boolean, Bytea, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class PrintJob(Table):
    shop_id = Integer(index=True)
    printer = Varchar(length=32)  # which of the shop's printers: "receipt" (the till's)
    document = Varchar(length=32)  # receipt | label | donation-slip | statement | x-report | z-report
    ref = Varchar(length=64, index=True)
    till = Varchar(length=16, index=True)  # the till's code, for a document made at a till ("" otherwise)
    data = Bytea()  # exactly the bytes the printer gets
    status = Varchar(length=16, index=True)  # queued | printing | printed | failed | redacted
    attempts = Integer(default=0)
    last_error = Varchar(length=300, default="")
    not_before = Timestamptz(default=TimestamptzNow())  # the next try, after a back-off
    created_at = Timestamptz(default=TimestamptzNow())
    printed_at = Timestamptz(null=True, default=None)
    # While "printing", the job is leased to one worker: `lease` is its token, until `lease_until`; `send_started_at`
    # is set just before its first byte goes to the printer. A job that may have printed before goes again as_copy:
    # marked 重打 / COPY at the top, without its drawer kick (printing/queue.py).
    lease = Varchar(length=32, default="")
    lease_until = Timestamptz(null=True, default=None)
    send_started_at = Timestamptz(null=True, default=None)
    as_copy = Boolean(default=False)


class Printer(Table):
    """A printer the shop set up on the printers page: how to reach it and its profile (printing/profiles.py)."""

    shop_id = Integer(index=True)
    name = Varchar(length=40)  # as the shop calls it: "前台小票机", "Intake labels"
    connection = Varchar(length=300)  # tcp://host:port | usb:VID:PID | serial:/dev/…[@baud] | file:/path
    encoding = Varchar(length=16, default="gb18030")  # gb18030 | gbk | utf-8 | a Western code page (cp437)
    chinese_mode = Boolean(default=True)  # FS & … FS . around each line
    paper_columns = Integer(default=48)  # 32 (58 mm) or 48 (80 mm)
    cut = Boolean(default=True)
    drawer = Boolean(default=True)  # a cash drawer hangs on it
    drawer_pin = Integer(default=2)  # 2 or 5
    drawer_on_ms = Integer(default=100)
    drawer_off_ms = Integer(default=100)
    native_barcodes = Boolean(default=True)  # GS k; else barcodes are sent as images
    raster_chinese = Boolean(default=False)  # Chinese lines sent as images drawn with a CJK font
    tested = Boolean(default=False)  # the profile was chosen from a printed test page
    updated_at = Timestamptz(default=TimestamptzNow())


class PrinterPlace(Table):
    """Which printer serves a place of the shop: "till:T1" (a till's receipts) or "intake" (labels and slips)."""

    shop_id = Integer(index=True)
    place = Varchar(length=40)
    printer = ForeignKey(Printer, on_delete=OnDelete.cascade)  # a removed printer leaves its places to config.toml's

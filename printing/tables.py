"""The print queue: one row per document to print, kept until it has printed.

No foreign keys: printing knows nothing of the shop's other tables. `ref` says what the
document is of (a sale number, a donation reference) so a person can find it again.
"""

from piccolo.columns import Bytea, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class PrintJob(Table):
    shop_id = Integer(index=True)
    printer = Varchar(length=32)  # which of the shop's printers: "receipt" (the till's)
    document = Varchar(length=32)  # receipt | label | donation-slip | statement | x-report | z-report
    ref = Varchar(length=64, index=True)
    data = Bytea()  # exactly the bytes the printer gets
    status = Varchar(length=16, index=True)  # queued | printing | printed | failed
    attempts = Integer(default=0)
    last_error = Varchar(length=300, default="")
    not_before = Timestamptz(default=TimestamptzNow())  # the next try, after a back-off
    created_at = Timestamptz(default=TimestamptzNow())
    printed_at = Timestamptz(null=True, default=None)

"""The kernel's tables: shops, staff and their failed logins and PINs, and the ledger and its seals (append-only:
triggers refuse UPDATE, DELETE and, on PostgreSQL, TRUNCATE)."""

from piccolo.columns import BigInt, Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Shop(Table):
    """A shop, or a station (kind "station": no tills and no stock, where service is recorded; intake goods taken
    there go to the shop it `feeds`). A district's PostgreSQL holds many; config.toml's [shop] is one of them."""

    code = Varchar(length=32, unique=True)
    name = Varchar(length=200)
    address = Varchar(length=300, default="")
    kind = Varchar(length=16, default="shop")  # shop | station (shop/shops.py: ShopKind)
    feeds = ForeignKey("self", on_delete=OnDelete.restrict, null=True, default=None)  # a station's shop


class Staff(Table):
    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    username = Varchar(length=64, unique=True)
    display_name = Varchar(length=100)
    password_hash = Varchar(length=200)
    role = Varchar(length=20)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    # A till PIN (argon2): the cashier switch (换人); a manager's also approves overrides.
    pin_hash = Varchar(length=200, null=True, default=None)
    # The code on their staff card ("ST" + 12 digits, shop/staff.py issue_badge), scanned at the till's lock screen;
    # kept plain (the PIN is the secret), unique by an index the migration makes; a reissued card gets a new one.
    badge = Varchar(length=14, null=True, default=None)
    # Set by logout, deactivation, a role change or a new password: every session cookie of the person
    # signed before it is refused (shop/staff.py session_state, checked by web/auth.py on each request).
    sessions_ended_at = Timestamptz(null=True, default=None)


class AccessFailure(Table):
    """A wrong password or PIN: who was tried (or the username typed), where, when, and which."""

    kind = Varchar(length=8)  # login | pin
    staff = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)  # the account tried, if known
    username = Varchar(length=64)  # as typed at login; for a PIN, the person who typed it
    place = Varchar(length=64)  # the till's code or the client's address
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class AccessThrottle(Table):
    """Failures in a row per person or place ("login:user:laoli", "pin:at:10.0.0.7"), for the growing wait."""

    key = Varchar(length=120, unique=True)
    failures = Integer(default=0)
    last_failure_at = Timestamptz(default=TimestamptzNow())


class LedgerTxn(Table):
    """One ledger transaction: its entries sum to zero per currency."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    kind = Varchar(length=32)
    ref = Varchar(length=64, index=True)
    reverses = ForeignKey("self", on_delete=OnDelete.restrict, null=True, default=None)
    staff = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class LedgerEntry(Table):
    """amount > 0 is a debit, < 0 a credit; in fen for CNY, in points for PTS."""

    txn = ForeignKey(LedgerTxn, on_delete=OnDelete.restrict, null=False)
    account = Varchar(length=120, index=True)
    currency = Varchar(length=3)
    amount = BigInt()


class LedgerSeal(Table):
    """A committed ledger transaction sealed (shop/seal.py): its hash chains it to the one sealed before it in its shop.

    hash = sha256(prev_hash + the transaction and its entries, canonically encoded); a shop's first seal follows "".
    Written only by the sealer, in the order it seals (a late commit is simply sealed later); one seal per
    transaction, and no two seals of a shop follow the same one (unique indexes).
    """

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    txn = ForeignKey(LedgerTxn, on_delete=OnDelete.restrict, null=False, unique=True)
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)
    sealed_at = Timestamptz(default=TimestamptzNow())

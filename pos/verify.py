"""verify(): every rule of the books checked against the database; a list of problems, empty when all hold.

`verify_report()` gives the same problems grouped by the rule they break, each a sentence naming the
row (`aixin verify` prints it), with what a rule could not check yet as notes (ledger transactions the sealer
has not sealed yet): information, not problems; `verify()` is the flat list every database test ends with.
"""

from __future__ import annotations

from dataclasses import dataclass

from piccolo.engine.base import Engine

from donations.intake import donation_problems
from lovebank.members import members_problems
from lovebank.passbook import lovebank_problems
from lovebank.vouchers import voucher_problems
from donations.makers import payout_problems
from inventory.catalogue_feed import version_trigger_problems
from inventory.stock import stock_problems
from inventory.transfers import transfer_problems
from shop import sql
from shop.database import run
from shop.ledger import REFUNDS_OWED, ledger_problems
from shop.money import format_yuan
from shop.seal import seal_problems, unsealed

from pos.sold import sold_sql
from pos.summaries import summed
from pos.tables import Sale
from pos.wishes import wish_problems

_SALE_NUMBER = "'S' || SUBSTR('00000000' || CAST({id} AS TEXT), LENGTH(CAST({id} AS TEXT)) + 1)"


def _shown(fund: str, maker: str) -> str:
    """A split as the sentence shows it: "fund/maker" percents, or "unset" (the next rule down is in force)."""
    return f"COALESCE(CAST({fund} AS TEXT) || '/' || CAST({maker} AS TEXT), 'unset')"


def _unchained(table: str, owner: str, name: str) -> str:
    """The changes of a split history (category_rule_change, maker_terms_change) that do not chain: a change's new
    split is not the old split of its owner's next change, or, for the last change, not the owner's split now."""
    return f"""
        SELECT {name} AS owner, r.id, {_shown("r.new_fund_percent", "r.new_maker_percent")} AS ended,
               CASE WHEN n.id IS NULL THEN 'its split now is ' || {_shown("o.fund_percent", "o.maker_percent")}
                    ELSE 'its next change ' || CAST(n.id AS TEXT) || ' starts from '
                         || {_shown("n.old_fund_percent", "n.old_maker_percent")} END AS follows
        FROM {table} r JOIN {owner} o ON o.id = r.{owner}
        LEFT JOIN {table} n ON n.{owner} = r.{owner} AND n.id > r.id
             AND NOT EXISTS (SELECT 1 FROM {table} m WHERE m.{owner} = r.{owner} AND m.id > r.id AND m.id < n.id)
        WHERE COALESCE(r.new_fund_percent, -1)
              <> COALESCE(CASE WHEN n.id IS NULL THEN o.fund_percent ELSE n.old_fund_percent END, -1)
           OR COALESCE(r.new_maker_percent, -1)
              <> COALESCE(CASE WHEN n.id IS NULL THEN o.maker_percent ELSE n.old_maker_percent END, -1)"""


@dataclass(frozen=True)
class Rule:
    """One rule of the books, the SQL that finds the rows breaking it, and the sentence for each row
    (a str.format template over the row's columns; columns ending in _fen are shown as money)."""

    title: str
    sql: str
    sentence: str


RULES = (
    Rule("Each sale line's split parts add up to its value, and its value is price × quantity less discounts", """
        SELECT l.id, l.sale, l.value_fen, l.fund_fen + l.maker_fen + l.running_fen AS parts_fen,
               l.unit_price_fen * l.quantity - l.discount_fen AS priced_fen
        FROM sale_line l
        WHERE l.fund_fen + l.maker_fen + l.running_fen <> l.value_fen
           OR l.unit_price_fen * l.quantity - l.discount_fen <> l.value_fen""",
         "sale line {id} (sale S{sale:08d}) is worth {value_fen}, but its fund, maker and running-cost parts add up "
         "to {parts_fen} and its price × quantity less discounts is {priced_fen}"),
    Rule("Each sale's total and split equal the sums of its lines", """
        SELECT s.id, s.total_fen, COALESCE(SUM(l.value_fen), 0) AS lines_fen,
               s.fund_fen, COALESCE(SUM(l.fund_fen), 0) AS lines_fund_fen
        FROM sale s LEFT JOIN sale_line l ON l.sale = s.id
        GROUP BY s.id, s.total_fen, s.fund_fen, s.maker_fen, s.running_fen
        HAVING s.total_fen <> COALESCE(SUM(l.value_fen), 0) OR s.fund_fen <> COALESCE(SUM(l.fund_fen), 0)
            OR s.maker_fen <> COALESCE(SUM(l.maker_fen), 0) OR s.running_fen <> COALESCE(SUM(l.running_fen), 0)""",
         "sale S{id:08d} has a total of {total_fen} (fund {fund_fen}), but its lines add up to {lines_fen} "
         "(fund {lines_fund_fen})"),
    Rule("Each change of a category's split or a maker's terms starts where the one before it ended, and the last "
         "ends at the split in force now (an offline sale is split by the one of its time)",
         _unchained("category_rule_change", "category", "'category ' || o.code") + "\n        UNION ALL"
         + _unchained("maker_terms_change", "maker", "'maker ' || CAST(o.id AS TEXT) || ' ' || o.name"),
         "{owner}: its split change {id} ends at {ended}, but {follows}"),
    Rule("Each sale's total equals what its tenders paid", """
        SELECT s.id, s.total_fen, COALESCE(SUM(t.amount_fen), 0) AS paid_fen
        FROM sale s LEFT JOIN tender t ON t.sale = s.id
        GROUP BY s.id, s.total_fen HAVING s.total_fen <> COALESCE(SUM(t.amount_fen), 0)""",
         "sale S{id:08d} has a total of {total_fen}, but its tenders paid {paid_fen}"),
    Rule("Each cash tender's change is the cash given less the amount paid", """
        SELECT id, sale, given_fen, amount_fen, change_fen FROM tender
        WHERE kind = 'cash' AND given_fen - amount_fen <> change_fen""",
         "the cash tender {id} of sale S{sale:08d} took {given_fen} for {amount_fen} but gave {change_fen} change"),
    Rule("Each sale is in the ledger: its total received, its split credited to the fund, makers and running costs",
         f"""
        SELECT s.id, s.total_fen, s.fund_fen, s.maker_fen, s.running_fen,
               COALESCE(SUM(CASE WHEN e.amount > 0 AND e.currency = 'CNY' THEN e.amount END), 0) AS booked_fen,
               COALESCE(-SUM(CASE WHEN e.account = 'liability:fund:community' AND e.currency = 'CNY'
                                  THEN e.amount END), 0) AS fund_booked_fen,
               COALESCE(-SUM(CASE WHEN e.account LIKE 'liability:maker:%' AND e.currency = 'CNY'
                                  THEN e.amount END), 0) AS maker_booked_fen,
               COALESCE(-SUM(CASE WHEN e.account = 'income:shop:running-costs' AND e.currency = 'CNY'
                                  THEN e.amount END), 0) AS running_booked_fen
        FROM sale s
        LEFT JOIN ledger_txn x ON x.kind = 'sale' AND x.ref = {_SALE_NUMBER.format(id='s.id')}
        LEFT JOIN ledger_entry e ON e.txn = x.id
        GROUP BY s.id, s.total_fen, s.fund_fen, s.maker_fen, s.running_fen
        HAVING s.total_fen <> COALESCE(SUM(CASE WHEN e.amount > 0 AND e.currency = 'CNY' THEN e.amount END), 0)
            OR s.fund_fen <> COALESCE(-SUM(CASE WHEN e.account = 'liability:fund:community' AND e.currency = 'CNY'
                                               THEN e.amount END), 0)
            OR s.maker_fen <> COALESCE(-SUM(CASE WHEN e.account LIKE 'liability:maker:%' AND e.currency = 'CNY'
                                                THEN e.amount END), 0)
            OR s.running_fen <> COALESCE(-SUM(CASE WHEN e.account = 'income:shop:running-costs'
                                                  AND e.currency = 'CNY' THEN e.amount END), 0)""",
         "sale S{id:08d} (total {total_fen}: fund {fund_fen}, makers {maker_fen}, running costs {running_fen}) is "
         "booked in the ledger as {booked_fen} received: fund {fund_booked_fen}, makers {maker_booked_fen}, running "
         "costs {running_booked_fen}"),
    Rule("Each points tender has one payer (a member, or the fund for a household) and took its points in the "
         "ledger", f"""
        SELECT t.id, t.sale, t.points, t.amount_fen, COALESCE(SUM(CASE WHEN e.amount > 0 AND e.currency = 'PTS'
                                                                      THEN e.amount END), 0) AS booked
        FROM tender t
        LEFT JOIN ledger_txn x ON x.kind = 'sale' AND x.ref = {_SALE_NUMBER.format(id='t.sale')}
        LEFT JOIN ledger_entry e ON e.txn = x.id
        WHERE t.kind = 'points'
        GROUP BY t.id, t.sale, t.points, t.amount_fen, t.member, t.household_ref, t.points_left
        HAVING t.points <= 0 OR t.amount_fen <= 0 OR (t.member IS NULL) = (t.household_ref IS NULL)
            OR t.points_left < 0
            OR t.points <> COALESCE(SUM(CASE WHEN e.amount > 0 AND e.currency = 'PTS' THEN e.amount END), 0)""",
         "the points tender {id} of sale S{sale:08d} paid {amount_fen} with {points} points, but the ledger took "
         "{booked} points (or it has no single payer)"),
    Rule("The reports' hourly summaries equal the sales and returns they sum", f"""
        SELECT b.shop, h.summary, COALESCE(h.lines, 0) AS summed_lines, COALESCE(h.value, 0) AS summed_fen,
               COALESCE(h.fund, 0) AS summed_fund_fen, COALESCE(h.refunded, 0) AS summed_refund_fen,
               b.lines, b.value AS value_fen, b.fund AS fund_fen, COALESCE(r.refunded, 0) AS refund_fen
        FROM (SELECT s.shop, COUNT(*) AS lines, SUM(l.value_fen) AS value, SUM(l.fund_fen) AS fund
              FROM sale s JOIN sale_line l ON l.sale = s.id GROUP BY s.shop) b
        CROSS JOIN (SELECT 'by category' AS summary UNION ALL SELECT 'by till') w
        LEFT JOIN (SELECT shop, 'by category' AS summary, SUM(lines) AS lines, SUM(value) AS value, SUM(fund) AS fund,
                          SUM(refund_value) AS refunded FROM {summed("report_line_hour")} y GROUP BY shop
                   UNION ALL
                   SELECT shop, 'by till', SUM(lines), SUM(value), SUM(fund), SUM(refund_value)
                   FROM {summed("report_sale_hour")} z GROUP BY shop) h ON h.shop = b.shop AND h.summary = w.summary
        LEFT JOIN (SELECT x.shop, SUM(rl.value_fen) AS refunded FROM sale_return x
                   JOIN return_line rl ON rl."return" = x.id GROUP BY x.shop) r ON r.shop = b.shop
        WHERE COALESCE(h.lines, 0) <> b.lines OR COALESCE(h.value, 0) <> b.value OR COALESCE(h.fund, 0) <> b.fund
           OR COALESCE(h.refunded, 0) <> COALESCE(r.refunded, 0)""",
         "shop {shop}'s report summary {summary} holds {summed_lines} lines worth {summed_fen} (fund "
         "{summed_fund_fen}, refunded {summed_refund_fen}), but its sales have {lines} lines worth {value_fen} (fund "
         "{fund_fen}, refunded {refund_fen})"),
)

# Returns and till sessions (pos/returns.py, pos/sessions.py).
_NUMBERED = "'{prefix}' || SUBSTR('00000000' || CAST({id} AS TEXT), LENGTH(CAST({id} AS TEXT)) + 1)"
RULES += (
    Rule("Each return line's parts add up to its value", """
        SELECT r.id, r."return" AS ret, r.value_fen, r.fund_fen + r.maker_fen + r.running_fen AS parts_fen
        FROM return_line r WHERE r.fund_fen + r.maker_fen + r.running_fen <> r.value_fen
           OR r.fund_fen < 0 OR r.maker_fen < 0 OR r.running_fen < 0 OR r.quantity < 1""",
         "return line {id} (return R{ret:08d}) is worth {value_fen}, but its parts add up to {parts_fen} "
         "(or one is below zero)"),
    Rule("Each return's total and split equal the sums of its lines", """
        SELECT x.id, x.total_fen, COALESCE(SUM(r.value_fen), 0) AS lines_fen
        FROM sale_return x LEFT JOIN return_line r ON r."return" = x.id
        GROUP BY x.id, x.total_fen, x.fund_fen, x.maker_fen, x.running_fen
        HAVING x.total_fen <> COALESCE(SUM(r.value_fen), 0) OR x.fund_fen <> COALESCE(SUM(r.fund_fen), 0)
            OR x.maker_fen <> COALESCE(SUM(r.maker_fen), 0) OR x.running_fen <> COALESCE(SUM(r.running_fen), 0)""",
         "return R{id:08d} has a total of {total_fen}, but its lines add up to {lines_fen}"),
    Rule("No sale line is returned more than it was sold, nor for more than its value or any of its parts", """
        SELECT l.id, l.sale, l.quantity, SUM(r.quantity) AS returned, l.value_fen, SUM(r.value_fen) AS back_fen
        FROM sale_line l JOIN return_line r ON r.sale_line = l.id
        GROUP BY l.id, l.sale, l.quantity, l.value_fen, l.fund_fen, l.maker_fen, l.running_fen
        HAVING SUM(r.quantity) > l.quantity OR SUM(r.value_fen) > l.value_fen OR SUM(r.fund_fen) > l.fund_fen
            OR SUM(r.maker_fen) > l.maker_fen OR SUM(r.running_fen) > l.running_fen
            OR (SUM(r.quantity) = l.quantity AND (SUM(r.value_fen) <> l.value_fen OR SUM(r.fund_fen) <> l.fund_fen
                OR SUM(r.maker_fen) <> l.maker_fen OR SUM(r.running_fen) <> l.running_fen))""",
         "sale line {id} of sale S{sale:08d} sold {quantity} for {value_fen}; {returned} came back for {back_fen} "
         "(more than sold, or all of it without reversing its parts exactly)"),
    Rule("Each return refunded its total to the sale's tenders (less what it left owed) and is in the ledger", f"""
        SELECT x.id, x.total_fen, COALESCE(f.fen, 0) AS refunded_fen, COALESCE(-b.owed, 0) AS owed_fen,
               COALESCE(b.booked, 0) AS booked_fen
        FROM sale_return x
        LEFT JOIN (SELECT "return" AS ret, SUM(amount_fen) AS fen FROM refund GROUP BY "return") f ON f.ret = x.id
        LEFT JOIN (SELECT t.ref, SUM(CASE WHEN e.amount > 0 AND e.currency = 'CNY' AND e.account <> '{REFUNDS_OWED}'
                                          THEN e.amount ELSE 0 END) AS booked,
                          SUM(CASE WHEN e.account = '{REFUNDS_OWED}' THEN e.amount ELSE 0 END) AS owed
                   FROM ledger_txn t JOIN ledger_entry e ON e.txn = t.id WHERE t.kind = 'return'
                   GROUP BY t.ref) b ON b.ref = {_NUMBERED.format(prefix='R', id='x.id')}
        WHERE x.total_fen <> COALESCE(f.fen, 0) + COALESCE(-b.owed, 0) OR x.total_fen <> COALESCE(b.booked, 0)""",
         "return R{id:08d} of {total_fen} refunded {refunded_fen} and left {owed_fen} owed, and is booked in the "
         "ledger as {booked_fen}"),
    Rule("Each sale and return is in an open-at-the-time session of its own till", """
        SELECT 'S' AS kind, s.id FROM sale s JOIN till_session t ON t.id = s.session
        WHERE t.till <> s.till OR s.created_at < t.opened_at
        UNION ALL
        SELECT 'R' AS kind, x.id FROM sale_return x JOIN till_session t ON t.id = x.session
        WHERE t.till <> x.till OR x.created_at < t.opened_at""",
         "{kind}{id:08d} is recorded in a session of another till, or before its session opened"),
    Rule("Each closed till session: over/short is counted − expected, and the count went from the drawer to the "
         "safe in the ledger", f"""
        SELECT s.id, s.counted_fen, s.expected_fen, s.over_short_fen,
               COALESCE((SELECT SUM(e.amount) FROM ledger_txn x JOIN ledger_entry e ON e.txn = x.id
                         WHERE x.kind = 'till-close' AND x.ref = {_NUMBERED.format(prefix='TS', id='s.id')}
                           AND e.account = 'asset:shop:safe'), 0) AS safe_fen
        FROM till_session s
        WHERE s.closed_at IS NOT NULL AND (s.over_short_fen <> s.counted_fen - s.expected_fen
            OR s.counted_fen <> COALESCE((SELECT SUM(e.amount) FROM ledger_txn x JOIN ledger_entry e ON e.txn = x.id
                                          WHERE x.kind = 'till-close'
                                            AND x.ref = {_NUMBERED.format(prefix='TS', id='s.id')}
                                            AND e.account = 'asset:shop:safe'), 0))""",
         "till session TS{id:08d} counted {counted_fen} against {expected_fen} expected (over/short "
         "{over_short_fen}), and {safe_fen} went to the safe"),
)

# The read model (pos/sold.py): what the reports, statements and pages read agrees with the ledger.
_SOLD = sold_sql(big="BIGINT", period=False)  # every shop's sales and returns, ever
RULES += (
    Rule("Each maker is owed in the ledger what they earned from their goods sold, net of returns, and given for "
         "wishes (paid by the fund), less their payouts", f"""
        SELECT m.id AS maker, COALESCE(g.earned, 0) + COALESCE(w.given, 0) AS earned_fen,
               COALESCE(p.paid, 0) AS paid_fen, COALESCE(-b.balance, 0) AS owed_fen
        FROM maker m
        LEFT JOIN (SELECT x.maker_id, SUM(x.maker_fen) AS earned FROM ({_SOLD}) x
                   WHERE x.maker_id IS NOT NULL GROUP BY x.maker_id) g ON g.maker_id = m.id
        LEFT JOIN (SELECT maker, SUM(maker_fen) AS given FROM wish_goods WHERE maker IS NOT NULL GROUP BY maker) w
               ON w.maker = m.id
        LEFT JOIN (SELECT maker, SUM(amount_fen) AS paid FROM maker_payout GROUP BY maker) p ON p.maker = m.id
        LEFT JOIN (SELECT account, SUM(amount) AS balance FROM ledger_entry
                   WHERE currency = 'CNY' AND account LIKE 'liability:maker:%' GROUP BY account) b
               ON b.account = 'liability:maker:' || CAST(m.id AS TEXT)
        WHERE COALESCE(-b.balance, 0) <> COALESCE(g.earned, 0) + COALESCE(w.given, 0) - COALESCE(p.paid, 0)""",
         "maker {maker} earned {earned_fen} from their goods sold, net of returns, and was paid {paid_fen}, but the "
         "ledger owes them {owed_fen}"),
    Rule("The fund's share of what was sold, net of returns, is what sales credited to the community fund in the "
         "ledger less what returns took back", f"""
        SELECT h.id AS shop, COALESCE(g.fund, 0) AS sold_fen, COALESCE(-b.booked, 0) AS booked_fen
        FROM shop h
        LEFT JOIN (SELECT x.shop, SUM(x.fund_fen) AS fund FROM ({_SOLD}) x GROUP BY x.shop) g ON g.shop = h.id
        LEFT JOIN (SELECT t.shop, SUM(e.amount) AS booked FROM ledger_txn t JOIN ledger_entry e ON e.txn = t.id
                   WHERE t.kind IN ('sale', 'return') AND e.account = 'liability:fund:community'
                     AND e.currency = 'CNY' GROUP BY t.shop) b ON b.shop = h.id
        WHERE COALESCE(g.fund, 0) <> COALESCE(-b.booked, 0)""",
         "shop {shop} sold {sold_fen} for the community fund, net of returns, but the ledger's sales and returns "
         "credited it {booked_fen}"),
)

# Refunds on the tenders (pos/refunds.py refund_to_tenders).
RULES += (
    Rule("Each point paid or refunded is worth the same: a points tender's fen are its points × a whole rate, and "
         "each points refund is worth its points at the rate of the tender it goes back to", """
        SELECT 'tender' AS what, t.sale, t.points, t.amount_fen, t.points AS paid_points, t.amount_fen AS paid_fen
        FROM tender t WHERE t.kind = 'points' AND (t.points <= 0 OR t.amount_fen % t.points <> 0)
        UNION ALL
        SELECT 'refund', x.sale, f.points, f.amount_fen, t.points, t.amount_fen
        FROM refund f JOIN sale_return x ON x.id = f."return"
        LEFT JOIN tender t ON t.sale = x.sale AND t.kind = 'points'
        WHERE f.kind = 'points' AND (t.id IS NULL OR f.points <= 0 OR t.points <= 0
                                     OR f.amount_fen * t.points <> f.points * t.amount_fen)""",
         "a points {what} of sale S{sale:08d} is {points} points worth {amount_fen}, where the sale's points tender "
         "took {paid_points} points for {paid_fen}"),
    Rule("No tender of a sale gets back more than it paid, and a sale that came back whole has every tender "
         "refunded in full", """
        SELECT t.sale, t.kind, t.amount_fen AS paid_fen, t.points AS paid_points,
               COALESCE(b.fen, 0) AS back_fen, COALESCE(b.points, 0) AS back_points
        FROM tender t JOIN sale s ON s.id = t.sale
        LEFT JOIN (SELECT x.sale, f.kind, SUM(f.amount_fen) AS fen, SUM(f.points) AS points
                   FROM refund f JOIN sale_return x ON x.id = f."return" GROUP BY x.sale, f.kind) b
               ON b.sale = t.sale AND b.kind = t.kind
        LEFT JOIN (SELECT sale, SUM(total_fen) AS fen FROM sale_return GROUP BY sale) r ON r.sale = t.sale
        WHERE COALESCE(b.fen, 0) > t.amount_fen OR COALESCE(b.points, 0) > t.points
           OR (COALESCE(r.fen, 0) = s.total_fen AND s.total_fen > 0
               AND (COALESCE(b.fen, 0) <> t.amount_fen OR COALESCE(b.points, 0) <> t.points))""",
         "the {kind} tender of sale S{sale:08d} paid {paid_fen} ({paid_points} points) and got back {back_fen} "
         "({back_points} points)"),
    Rule("What a sale's returns still owe the customer is less than one point's worth, nothing once the sale "
         "came back whole, and equals what the ledger holds owed", f"""
        SELECT s.id AS sale, r.fen - COALESCE(b.fen, 0) AS owed_fen, COALESCE(-o.owed, 0) AS booked_fen
        FROM sale s JOIN (SELECT sale, SUM(total_fen) AS fen FROM sale_return GROUP BY sale) r ON r.sale = s.id
        LEFT JOIN (SELECT x.sale, SUM(f.amount_fen) AS fen FROM refund f JOIN sale_return x ON x.id = f."return"
                   GROUP BY x.sale) b ON b.sale = s.id
        LEFT JOIN tender p ON p.sale = s.id AND p.kind = 'points' AND p.points > 0
        LEFT JOIN (SELECT x.sale, SUM(e.amount) AS owed FROM sale_return x
                   JOIN ledger_txn t ON t.kind = 'return' AND t.ref = {_NUMBERED.format(prefix='R', id='x.id')}
                   JOIN ledger_entry e ON e.txn = t.id AND e.account = '{REFUNDS_OWED}' GROUP BY x.sale) o
               ON o.sale = s.id
        WHERE r.fen - COALESCE(b.fen, 0) < 0
           OR r.fen - COALESCE(b.fen, 0) >= COALESCE(p.amount_fen / p.points, 1)
           OR (r.fen = s.total_fen AND r.fen - COALESCE(b.fen, 0) <> 0)
           OR r.fen - COALESCE(b.fen, 0) <> COALESCE(-o.owed, 0)""",
         "the returns of sale S{sale:08d} owe the customer {owed_fen}, and the ledger holds {booked_fen} owed"),
)

# Sales made offline (pos/offline.py): each became one sale of its amount, or is held, or was written off in the
# ledger (the cash it took, to the offline settlement account), and nothing else was.
RULES += (
    Rule("Each offline sale became one sale of what the till charged, or is held, or was written off in the ledger "
         "for what it took; and each offline write-off in the ledger is one of them", """
        SELECT o.id, o.offline_number AS number, o.status, o.total_fen, COALESCE(s.total_fen, 0) AS sold_fen,
               COALESCE(b.booked, 0) AS booked_fen
        FROM offline_sale o LEFT JOIN sale s ON s.id = o.sale
        LEFT JOIN (SELECT t.shop, t.ref, -SUM(e.amount) AS booked FROM ledger_txn t JOIN ledger_entry e ON e.txn = t.id
                   WHERE t.kind = 'offline-write-off' AND e.account = 'income:shop:offline-settlement'
                     AND e.currency = 'CNY' GROUP BY t.shop, t.ref) b ON b.shop = o.shop AND b.ref = o.offline_number
        WHERE (o.status IN ('sold', 'settled', 'checked')
               AND (s.id IS NULL OR s.total_fen <> o.total_fen OR s.till <> o.till OR b.ref IS NOT NULL))
           OR (o.status IN ('held', 'written-off') AND o.sale IS NOT NULL)
           OR (o.status = 'held' AND b.ref IS NOT NULL)
           OR (o.status = 'written-off' AND (b.ref IS NULL OR b.booked <> o.total_fen))
           OR o.status NOT IN ('sold', 'settled', 'checked', 'held', 'written-off')
        UNION ALL
        SELECT t.id, t.ref, 'no offline sale', 0, 0, 0 FROM ledger_txn t
        WHERE t.kind = 'offline-write-off'
          AND NOT EXISTS (SELECT 1 FROM offline_sale o WHERE o.shop = t.shop AND o.offline_number = t.ref)""",
         "offline sale {number} ({status}, charged {total_fen}) is a sale of {sold_fen} and written off in the "
         "ledger for {booked_fen}"),
    # Refused offline sales (pos/offline_refusals.py): open, or settled by a manager who said what was done.
    Rule("Each refused offline sale is open, or settled by a manager with the time and a note of what was done", """
        SELECT id, offline_number AS number, status FROM offline_refusal
        WHERE (status = 'open' AND (decided_by IS NOT NULL OR decided_at IS NOT NULL OR note <> ''))
           OR (status = 'settled' AND (decided_by IS NULL OR decided_at IS NULL OR note = ''))
           OR status NOT IN ('open', 'settled')""",
         "refused offline sale {number} (report {id}) is {status}, but who settled it, when and the note do not say "
         "so"),
)

# More rules as {problem: SQL returning `what`, the row}: reported as "problem: what".
_CHECKS: dict[str, str] = {}

_LEDGER_BALANCED = "Each ledger transaction balances in each currency"
_POINTS_COVERED = "No points account (a member's, the fund's) is below zero"
_STOCK = "Each item's stock on hand equals the sum of its stock movements"
_DONATIONS = "Each donated item is stocked or refused; each maker's payout is in the ledger"
_LOVEBANK = ("The love bank: approved service is in the ledger, decided by another coordinator; gifts and "
             "corrections are in the ledger; points held = points issued − points redeemed; the vouchers' account "
             "holds the points of the vouchers held, each voucher's hold and settling in the ledger, its triggers in "
             "place")
_WISHES = ("The wish wall: each wish fulfilled from stock has its stock movements and the fund's payment of its "
           "value in the ledger, amounts equal; each wish's status follows its steps")
_MORE = "Other rules"
_TRANSFERS = ("Each transfer between shops moved what its lines say: out of the sender, into the receiver once "
              "received, back once cancelled; and each transfer movement is one of its lines'")
_GUARDED = ("Every record of the books refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL): its triggers are in "
            "place and enabled")
_CATALOGUE_VERSIONED = ("Every change of an item or a category takes a catalogue version, so it reaches the tills' "
                        "offline copies: its triggers are in place and enabled")
_SEALED = "Each sealed ledger transaction is as it was sealed, and each shop's seals form one unbroken chain"

# Every record of the books and the triggers that keep it (the migrations of shop, inventory, donations, lovebank
# and pos). An append-only record refuses every UPDATE and DELETE; a kept one refuses them once it is closed or
# decided (a till session, an approved service, a points gift or reversal), but for the steps its operation takes.
APPEND_ONLY = ("ledger_txn", "ledger_entry", "ledger_seal", "stock_movement", "price_change", "donation",
               "donated_item", "maker_payout", "sale", "sale_line", "tender", "override", "sale_return",
               "return_line", "refund", "category_rule_change", "maker_terms_change", "replaced_card")
KEPT = ("till_session", "service_record", "points_gift", "points_reversal")


def books_triggers(dialect: str) -> dict[str, tuple[str, ...]]:
    """Each record of the books → the triggers that must guard it on this engine (sql.dialect())."""
    if dialect == "sqlite":
        return {table: (f"{table}_no_update", f"{table}_no_delete") for table in APPEND_ONLY + KEPT}
    return {**{table: (f"{table}_append_only", f"{table}_no_truncate") for table in APPEND_ONLY},
            **{table: (f"{table}_no_update", f"{table}_no_delete", f"{table}_no_truncate") for table in KEPT}}


async def trigger_problems(db: Engine) -> list[str]:
    """Each trigger of the books that is missing, disabled, or no longer refuses anything, by name."""
    found = {(row["tbl"], row["name"]): row for row in await sql.triggers(db)}
    problems = []
    for table, names in books_triggers(sql.dialect(db)).items():
        for name in names:
            trigger = found.get((table, name))
            if trigger is None:
                problems.append(f"{table}: the trigger {name} is missing, so its rows can be changed")
            elif trigger["enabled"] not in ("O", "A"):
                problems.append(f"{table}: the trigger {name} is disabled, so its rows can be changed")
            elif not sql.refuses(db, trigger["body"]):
                problems.append(f"{table}: the trigger {name} no longer refuses anything")
    return problems


@dataclass(frozen=True)
class CheckedRule:
    title: str
    problems: tuple[str, ...]
    notes: tuple[str, ...] = ()  # what the rule could not check yet: information, not problems


def _sentence(template: str, row: dict) -> str:
    shown = {name: format_yuan(int(value)) if name.endswith("_fen") and value is not None else value
             for name, value in row.items()}
    return template.format(**shown)


async def verify_report() -> list[CheckedRule]:
    """Every rule of the books, each with the rows that break it (none when it holds)."""
    db = Sale._meta.db
    ledger = await ledger_problems()
    checked = [
        CheckedRule(_LEDGER_BALANCED, tuple(p for p in ledger if "points below zero" not in p)),
        CheckedRule(_POINTS_COVERED, tuple(p for p in ledger if "points below zero" in p)),
        CheckedRule(_STOCK, tuple(await stock_problems())),
        CheckedRule(_TRANSFERS, tuple(await transfer_problems())),
    ]
    for rule in RULES:
        checked.append(CheckedRule(rule.title, tuple(_sentence(rule.sentence, row) for row in await run(db, rule.sql))))
    checked.append(CheckedRule(_DONATIONS, tuple(await donation_problems() + await payout_problems())))
    checked.append(CheckedRule(_LOVEBANK, tuple(await lovebank_problems() + await voucher_problems()
                                                  + await members_problems())))
    checked.append(CheckedRule(_WISHES, tuple(await wish_problems())))
    more = [f"{problem}: {row['what']}" for problem, sql in _CHECKS.items() for row in await run(db, sql)]
    if _CHECKS:
        checked.append(CheckedRule(_MORE, tuple(more)))
    checked.append(CheckedRule(_GUARDED, tuple(await trigger_problems(db))))
    checked.append(CheckedRule(_CATALOGUE_VERSIONED, tuple(await version_trigger_problems(db))))
    count, oldest = await unsealed()
    waiting = (f"{count} ledger transaction(s) not sealed yet, the oldest posted {oldest:%Y-%m-%d %H:%M:%S} UTC: the "
               "server's sealer seals them within seconds, and they are checked once sealed",) if count else ()
    checked.append(CheckedRule(_SEALED, tuple(await seal_problems()), waiting))
    return checked


async def verify() -> list[str]:
    return [problem for rule in await verify_report() for problem in rule.problems]


def printed_report(checked: list[CheckedRule]) -> str:
    """The report `aixin verify` prints: each rule with OK or its problems counted and listed."""
    lines = []
    for rule in checked:
        if not rule.problems:
            lines.append(f"OK    {rule.title}")
        else:
            lines.append(f"FAIL  {rule.title}: {len(rule.problems)} problem(s)")
            lines.extend(f"        - {problem}" for problem in rule.problems)
        lines.extend(f"        · {note}" for note in rule.notes)
    total = sum(len(rule.problems) for rule in checked)
    lines.append("")
    lines.append("the books are in order" if not total else
                 f"{total} problem(s) found in {sum(1 for r in checked if r.problems)} of {len(checked)} rules")
    return "\n".join(lines)

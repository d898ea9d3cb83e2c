"""verify(): every rule of the books checked against the database; a list of problems, empty when all hold.

"""

from __future__ import annotations

from donations.intake import donation_problems
from donations.makers import payout_problems
from inventory.stock import stock_problems
from shop.ledger import ledger_problems

from pos.tables import Sale

_CHECKS = {
    "sale line parts do not add up to the line's value": """
        SELECT id AS what FROM sale_line
        WHERE fund_fen + maker_fen + running_fen <> value_fen OR unit_price_fen * quantity <> value_fen""",
    "sale total differs from its lines": """
        SELECT s.id AS what FROM sale s LEFT JOIN sale_line l ON l.sale = s.id
        GROUP BY s.id, s.total_fen, s.fund_fen, s.maker_fen, s.running_fen
        HAVING s.total_fen <> COALESCE(SUM(l.value_fen), 0) OR s.fund_fen <> COALESCE(SUM(l.fund_fen), 0)
            OR s.maker_fen <> COALESCE(SUM(l.maker_fen), 0) OR s.running_fen <> COALESCE(SUM(l.running_fen), 0)""",
    "sale total differs from its tenders": """
        SELECT s.id AS what FROM sale s LEFT JOIN tender t ON t.sale = s.id
        GROUP BY s.id, s.total_fen HAVING s.total_fen <> COALESCE(SUM(t.amount_fen), 0)""",
    "cash tender's change is not given minus amount": """
        SELECT id AS what FROM tender WHERE kind = 'cash' AND given_fen - amount_fen <> change_fen""",
    "sale has no ledger transaction for its total": """
        SELECT s.id AS what FROM sale s
        WHERE s.total_fen <> COALESCE((
            SELECT SUM(e.amount) FROM ledger_txn x JOIN ledger_entry e ON e.txn = x.id
            WHERE x.kind = 'sale' AND x.ref = 'S' || SUBSTR('00000000' || CAST(s.id AS TEXT), LENGTH(CAST(s.id AS TEXT)) + 1)
              AND e.amount > 0 AND e.currency = 'CNY'), -1)""",
}


async def verify() -> list[str]:
    problems = (await ledger_problems() + await stock_problems() + await donation_problems()
                + await payout_problems())
    for problem, sql in _CHECKS.items():
        for row in await Sale.raw(sql):
            problems.append(f"{problem}: {row['what']}")
    return problems

"""The fund split: a sale line's value into the fund's share, the maker's share and running costs.

Pure rules. The rule in force is chosen from the most particular that is set: the maker's
terms (set by a manager), then the category's, then the goods source's (config.toml). Goods
with no maker give the maker's share to nobody: the rule applied then has maker 0 and
running costs take the rest. Parts are whole fen by shop.money.allocate, the one
rounding rule, so they always add up to the line's value.

The maker's terms and the category's split change while the shop runs: each change is kept (donations'
maker_terms_change, inventory's category_rule_change), and a sale that reaches the server after it was made (an
offline till's, pos/offline.py) is split by the ones in force when it was made. The goods sources' rules are the
shop's settings, read from config.toml once when the server starts: they change only with a restart, and no history
of them is kept (a sale made before a restart that changed them and arriving after it is split by the new ones).
"""

from __future__ import annotations

from dataclasses import dataclass

from shop.money import allocate


@dataclass(frozen=True)
class SplitRule:
    fund: int  # whole percents
    maker: int

    def __post_init__(self) -> None:
        if not (0 <= self.fund and 0 <= self.maker and self.fund + self.maker <= 100):
            raise ValueError(f"not a split rule: fund {self.fund}%, maker {self.maker}%")

    @property
    def running(self) -> int:
        return 100 - self.fund - self.maker


@dataclass(frozen=True)
class SplitParts:
    fund_fen: int
    maker_fen: int
    running_fen: int

    @property
    def total_fen(self) -> int:
        return self.fund_fen + self.maker_fen + self.running_fen


def split_value(value_fen: int, rule: SplitRule) -> SplitParts:
    fund, maker, running = allocate(value_fen, [rule.fund, rule.maker, rule.running])
    return SplitParts(fund, maker, running)


def rule_in_force(*, source_rule: SplitRule, category_fund: int | None = None,
                  category_maker: int | None = None, maker_fund: int | None = None,
                  maker_maker: int | None = None, has_maker: bool = False) -> SplitRule:
    """The most particular rule that is set; an override is set when its fund share is."""
    if has_maker and maker_fund is not None:
        rule = SplitRule(maker_fund, maker_maker or 0)
    elif category_fund is not None:
        rule = SplitRule(category_fund, category_maker or 0)
    else:
        rule = source_rule
    return rule if has_maker else SplitRule(rule.fund, 0)

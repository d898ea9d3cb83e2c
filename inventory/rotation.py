"""Rotation of ageing donated stock, as charity shops do it: pure rules, no database.

An item unsold some weeks after it came in is marked down by the latest step that applies
(for example 30% after 4 weeks, 50% after 8), and after more weeks it is due to come off the
shelf. The marked-down price is rounded down to the whole fen: the shopper never pays more
than the step says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Step:
    weeks: int
    percent: int


@dataclass(frozen=True)
class Rotation:
    steps: tuple[Step, ...]  # ascending in weeks and percent
    remove_after_weeks: int  # 0: never
    sources: frozenset[str]

    def applies_to(self, *, source: str, perishable: bool) -> bool:
        """Perishable goods are left to their expiry dates."""
        return source in self.sources and not perishable

    def markdown_percent(self, *, came_in: datetime, now: datetime) -> int:
        return markdown_percent((now - came_in).days, self.steps)

    def removal_due(self, *, came_in: datetime, now: datetime) -> bool:
        return bool(self.remove_after_weeks) and (now - came_in).days >= 7 * self.remove_after_weeks


def markdown_percent(age_days: int, steps: Sequence[Step]) -> int:
    """The percent off of the latest step reached after `age_days` (0 before the first)."""
    reached = [step.percent for step in steps if age_days >= 7 * step.weeks]
    return max(reached, default=0)


def marked_down(price_fen: int, percent: int) -> int:
    """The price after `percent` off, rounded down to the whole fen (never below 0)."""
    if not 0 <= percent <= 100:
        raise ValueError(f"not a markdown: {percent}%")
    return price_fen * (100 - percent) // 100

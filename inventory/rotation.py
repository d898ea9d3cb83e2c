"""Rotation of ageing donated stock, as charity shops do it: pure rules, no database.

An item unsold some weeks after it came in is marked down by the latest step that applies
(for example 30% after 4 weeks, 50% after 8), and after more weeks it is due to come off the
shelf. The marked-down price is rounded down to the whole fen: the shopper never pays more
than the step says.

Steps move at the shop's local midnight, never during the day: an item's age is the number of whole days between
the shop-local date it came in and the shop-local date of `now` (a piece that came in at 23:50 is one day old at
00:10). So a price holds for a whole shop day, and a till that knows an item's intake day and the steps prices it
for any day without the server (web/static/till_store.js priceOn does the same sums).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Step:
    weeks: int
    percent: int


@dataclass(frozen=True)
class Rotation:
    steps: tuple[Step, ...]  # ascending in weeks and percent
    remove_after_weeks: int  # 0: never
    sources: frozenset[str]
    zone: ZoneInfo = field(default=ZoneInfo("UTC"))  # the shop's: days turn at its midnight (web's rotation_of)

    def applies_to(self, *, source: str, perishable: bool) -> bool:
        """Perishable goods are left to their expiry dates."""
        return source in self.sources and not perishable

    def day_of(self, at: datetime) -> date:
        """The shop-local date of an instant (a naive one is UTC, as SQLite's rows are)."""
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(self.zone).date()

    def day_start(self, day: date) -> datetime:
        """The first instant (UTC) of a shop-local day."""
        return day_start(day, self.zone)

    def age_days(self, *, came_in: datetime, now: datetime) -> int:
        """Whole shop days from the day it came in to the day of `now` (0 on its first day)."""
        return (self.day_of(now) - self.day_of(came_in)).days

    def markdown_percent(self, *, came_in: datetime, now: datetime) -> int:
        return markdown_percent(self.age_days(came_in=came_in, now=now), self.steps)

    def removal_due(self, *, came_in: datetime, now: datetime) -> bool:
        return self.removal_due_on(came_in_day=self.day_of(came_in), day=self.day_of(now))

    def markdown_on(self, *, came_in_day: date, day: date) -> int:
        """The percent off on shop day `day` of an item that came in on shop day `came_in_day`."""
        return markdown_percent((day - came_in_day).days, self.steps)

    def removal_due_on(self, *, came_in_day: date, day: date) -> bool:
        return bool(self.remove_after_weeks) and (day - came_in_day).days >= 7 * self.remove_after_weeks


def markdown_percent(age_days: int, steps: Sequence[Step]) -> int:
    """The percent off of the latest step reached after `age_days` (0 before the first)."""
    reached = [step.percent for step in steps if age_days >= 7 * step.weeks]
    return max(reached, default=0)


def marked_down(price_fen: int, percent: int) -> int:
    """The price after `percent` off, rounded down to the whole fen (never below 0)."""
    if not 0 <= percent <= 100:
        raise ValueError(f"not a markdown: {percent}%")
    return price_fen * (100 - percent) // 100


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first instant (in UTC) whose local date in `zone` is `day`. Local midnight, or, where a clock change
    skips midnight, the instant the day begins (fold=0 reads a skipped time with the offset before the change)."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)

"""The till's rules for the tests: the test shop's settings (tests/test-config.toml), and no markdowns unless a
test brings its own rotation, so goods sold in a back-dated sale are never aged by the clock."""

from dataclasses import replace

from inventory.rotation import Rotation
from pos.checkout import TillRules

NO_MARKDOWNS = Rotation(steps=(), remove_after_weeks=0, sources=frozenset())


def till_rules(settings, *, rotation: Rotation = NO_MARKDOWNS, **changes) -> TillRules:
    """TillRules.of(settings), with `changes` (e.g. fen_per_point=…) for a test that needs other rules."""
    return replace(TillRules.of(settings, rotation=rotation), **changes)

"""Finding an item without its barcode: by name, by part of a code, by pinyin initials or full pinyin.

A cashier whose label is missing types "axb" and finds 爱心杯. The keys are computed from the
name as pypinyin reads it (phrase-aware, so 重庆 reads chongqing) whenever a name is written, and
kept on the item, so a search is one indexed-free LIKE over a few columns of one table.
"""

from __future__ import annotations

import re

from inventory.pinyin_readings import readings

_KEEP = re.compile(r"[0-9a-z]+")


def pinyin_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a name, lowercase, letters and digits only: 爱心杯 → ("axb", "aixinbei").

    Characters that are not Chinese are kept as they are (lowercased) in both: "T恤 XL" → ("txxl", "txuxl").
    """
    initials, full = [], []
    for piece, syllables in readings().read(name):  # a syllable's initial is its first letter
        if syllables is None:
            kept = "".join(_KEEP.findall(piece.lower()))
            initials.append(kept)
            full.append(kept)
        else:
            initials.extend(syllable[:1].lower() for syllable in syllables)
            full.extend(syllable.lower() for syllable in syllables)
    return "".join(initials), "".join(full)


def search_terms(text: str) -> tuple[str, str]:
    """What a person typed, as (for the name, for the pinyin keys): "  Ai Xin " → ("Ai Xin", "aixin")."""
    text = " ".join((text or "").split())[:50]
    return text, "".join(_KEEP.findall(text.lower()))

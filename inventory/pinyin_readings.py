"""How a name reads in pinyin, without holding pypinyin: its answers, asked once in a child process and kept in a file.

pypinyin holds ~45 MB once imported, nearly all of it its 47,111 phrases and the segmenter made from them. What
search keys need of it is small: each character's syllable when it stands alone, the phrases (pypinyin cuts a name
at the longest phrase that starts at each point, so a phrase that reads as its characters still decides where the
next one may start), and the ~3,400 phrases that read otherwise than their characters (重庆: chong qing, though 重
alone is zhong). A short-lived `python -m inventory.pinyin_readings` imports pypinyin and prints them; the server
keeps them in a cache file named after pypinyin's version (~2 MB once loaded) and asks again if the file is missing
or spoiled. Where no file can be written it keeps them in memory only.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

_BLOCK = 256  # characters are packed by 256 consecutive code points: one string each, a character is a syllable's index
_NONE = 0  # the index of "no syllable": not Chinese, or a character pypinyin has no reading for


class Readings:
    """pypinyin's readings, packed: syllables by character, phrases by their first character, and the odd phrases."""

    def __init__(self, table: dict) -> None:
        self.syllables: list[str] = table["syllables"]
        self.blocks: dict[int, str] = {int(number): chars for number, chars in table["blocks"].items()}
        self.phrases: dict[str, str] = table["phrases"]  # first character → "|rest|rest|…|"
        self.longest: int = table["longest"]
        self.read_otherwise: dict[str, str] = table["read_otherwise"]  # phrase → its syllables, space-separated

    def syllable(self, char: str) -> str | None:
        block = self.blocks.get(ord(char) // _BLOCK)
        index = ord(block[ord(char) % _BLOCK]) if block else _NONE
        return self.syllables[index] if index != _NONE else None

    def phrase_at(self, name: str, start: int) -> str | None:
        """The longest phrase of pypinyin's that starts at `start`, as pypinyin's segmenter cuts it."""
        rests = self.phrases.get(name[start])
        if rests:
            for end in range(min(len(name), start + self.longest), start, -1):
                rest = name[start + 1:end]
                if "|" not in rest and f"|{rest}|" in rests:
                    return name[start:end]
        return None

    def read(self, name: str) -> Iterator[tuple[str, list[str] | None]]:
        """(piece, its syllables) from the start of the name; None for a character that is not Chinese."""
        at = 0
        while at < len(name):
            phrase = self.phrase_at(name, at)
            if phrase is None:
                syllable = self.syllable(name[at])
                yield name[at], None if syllable is None else [syllable]
                at += 1
            elif phrase in self.read_otherwise:
                yield phrase, self.read_otherwise[phrase].split(" ")
                at += len(phrase)
            else:  # reads as its characters
                yield phrase, [self.syllable(char) for char in phrase]
                at += len(phrase)


@functools.cache
def readings() -> Readings:
    """The readings of the installed pypinyin: from the cache file, or asked of pypinyin (a second or two) and kept."""
    pypinyin = version("pypinyin")
    kept = cache_file(pypinyin)
    if kept is not None:
        try:
            table = json.loads(kept.read_text("utf-8"))
            if table.get("pypinyin") == pypinyin:
                return Readings(table)
        except (OSError, ValueError, AttributeError, KeyError, TypeError):
            pass  # missing or spoiled: asked again
    asked = subprocess.run([sys.executable, "-m", __name__], capture_output=True, text=True, encoding="utf-8",
                           env=_child_env(), timeout=120)
    if asked.returncode != 0:
        raise RuntimeError(f"pypinyin's readings could not be read: {asked.stderr[-2000:]}")
    if kept is not None:
        _keep(kept, asked.stdout)
    return Readings(json.loads(asked.stdout))


def cache_file(pypinyin: str) -> Path | None:
    """Where the readings of this pypinyin version are kept: the user's cache folder (XDG), aixin/."""
    try:
        folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:  # no home folder
        return None
    return folder / "aixin" / f"pinyin-readings-{pypinyin}.json"


def _keep(file: Path, text: str) -> None:
    """Writes the file whole or not at all (two workers may write at once); a folder that can't be written is fine."""
    written = None
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=file.parent, suffix=".tmp", delete=False) as out:
            written = Path(out.name)
            out.write(text)
        os.replace(written, file)
    except OSError:
        if written is not None:
            written.unlink(missing_ok=True)


def _child_env() -> dict[str, str]:
    """The child sees pypinyin whole (its phrases too) and finds this package where the server found it."""
    env = {name: value for name, value in os.environ.items() if name != "PYPINYIN_NO_PHRASES"}
    here = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [here, env.get("PYTHONPATH")]))
    return env


def _ask_pypinyin() -> dict:
    """Every reading search keys need, as pypinyin gives them (run in the child process only)."""
    from pypinyin import lazy_pinyin
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

    not_chinese = lambda text: ["\x00"]  # noqa: E731 - pypinyin's callback for what has no reading
    chars = [chr(code) for code in sorted(PINYIN_DICT)]
    read = lazy_pinyin(chars, errors=not_chinese)  # one call for all: each character is read apart, one syllable each
    assert len(read) == len(chars)
    alone = {char: syllable for char, syllable in zip(chars, read) if syllable != "\x00"}
    syllables = ["", *sorted(set(alone.values()))]
    assert len(syllables) < 0xD800, "a syllable's index must be a character"
    index = {syllable: number for number, syllable in enumerate(syllables)}
    blocks = {}
    for char, syllable in alone.items():
        block = blocks.setdefault(ord(char) // _BLOCK, [chr(_NONE)] * _BLOCK)
        block[ord(char) % _BLOCK] = chr(index[syllable])

    # pypinyin reads a phrase by styling each character's dictionary reading as it styles the character's own first
    # reading: only a phrase whose dictionary readings differ from those can read otherwise (8,756 of 47,111 in 0.55)
    first_reading = {chr(code): readings.split(",")[0] for code, readings in PINYIN_DICT.items()}
    phrases, read_otherwise = {}, {}
    for phrase, its_readings in PHRASES_DICT.items():
        phrases.setdefault(phrase[0], []).append(phrase[1:])
        if [reading[0] for reading in its_readings] != [first_reading.get(char) for char in phrase]:
            read = lazy_pinyin(phrase, errors=not_chinese)
            if read != [alone.get(char) for char in phrase]:
                assert "\x00" not in read and all(" " not in syllable for syllable in read), phrase
                read_otherwise[phrase] = " ".join(read)
    return {
        "pypinyin": version("pypinyin"),
        "syllables": syllables,
        "blocks": {str(number): "".join(block) for number, block in blocks.items()},
        "phrases": {first: "|" + "|".join(rests) + "|" for first, rests in phrases.items()},
        "longest": max(map(len, PHRASES_DICT), default=1),
        "read_otherwise": read_otherwise,
    }


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")
    json.dump(_ask_pypinyin(), sys.stdout, ensure_ascii=False, separators=(",", ":"))

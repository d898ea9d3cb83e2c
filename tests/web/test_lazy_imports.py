"""The server loads its heavy libraries when first needed (issue 22): a till that only scans and sells never holds
pygal (a report's charts); pypinyin (~55 MB) it never imports at all: inventory.pinyin_readings asks it in a child."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pypinyin", "pygal")


def test_importing_the_app_loads_neither_pypinyin_nor_pygal():
    done = subprocess.run([sys.executable, "-c", "import sys, web.app; print(' '.join(sorted(sys.modules)))"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = set(done.stdout.split())
    assert "web.app" in loaded and "inventory.search" in loaded and "web.reports" in loaded
    assert [name for name in HEAVY if name in loaded] == []

"""The layout is the shop: imports run one way (web → pos → donations → inventory → shop), printing is a leaf,
and the pure rule modules know nothing of the database or the web (contracts in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    result = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
                             "sys.exit(lint_imports())"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_every_package_says_which_part_of_the_shop_it_is():
    for package in ("shop", "inventory", "donations", "pos", "printing", "web"):
        doc = (ROOT / package / "__init__.py").read_text(encoding="utf-8")
        assert doc.startswith('"""') and len(doc) > 40, package

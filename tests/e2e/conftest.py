"""A live shop for the browser: a fresh SQLite file with the demo data (a copy of the one `aixin demo` made once per
test process), `aixin serve` in a subprocess,
and Debian's Chromium driven by Playwright (no browser download)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("AIXIN_TEST_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _shop_env(folder: Path) -> dict[str, str]:
    return {**os.environ, "AIXIN_CONFIG": str(ROOT / "config.toml"),
            "AIXIN_DATABASE_URL": f"sqlite:///{folder}/shop.sqlite", "AIXIN_SERVER_DATA_DIR": str(folder / "var"),
            "AIXIN_PRINTER_KIND": "file", "AIXIN_PRINTER_PATH": str(folder / "print"),
            "AIXIN_LABELS_PATH": str(folder / "labels")}


@pytest.fixture(scope="session")
def demo_shop(tmp_path_factory) -> Path:
    """`aixin demo` once per test process (in it: tests/cli.py), into a folder each live shop starts from a copy of."""
    from tests.cli import run_cli

    folder = tmp_path_factory.mktemp("demo-shop")
    made = run_cli(["demo"], _shop_env(folder))
    assert made.returncode == 0, made.stderr
    return folder


@pytest.fixture(scope="module")
def live_shop(tmp_path_factory, demo_shop):
    folder = tmp_path_factory.mktemp("live-shop")
    port = _free_port()
    env = _shop_env(folder)
    shutil.copytree(demo_shop, folder, dirs_exist_ok=True)  # the demo shop, as `aixin demo` leaves it
    server = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError("the shop did not start:\n" + server.stdout.read().decode(errors="replace"))
            time.sleep(0.1)
    yield {"url": f"http://127.0.0.1:{port}", "print": folder / "print", "labels": folder / "labels"}
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"no browser at {CHROMIUM}: .ci/run installs Debian's chromium")
        pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"])
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)  # a loaded 2-core CI machine, not a slow till
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()

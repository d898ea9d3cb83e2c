"""`aixin` from the command line, on a real SQLite file: demo, verify, create-user, a bad setting."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def aixin(tmp_path, *args, stdin="", **env):
    environ = {**os.environ, "AIXIN_CONFIG": str(ROOT / "config.toml"),
               "AIXIN_DATABASE_URL": f"sqlite:///{tmp_path}/shop.sqlite", "AIXIN_SERVER_DATA_DIR": str(tmp_path / "var"),
               "AIXIN_PRINTER_PATH": str(tmp_path / "print"), **env}
    return subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=environ, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_demo_then_verify_then_a_corrupted_ledger_is_caught(tmp_path):
    # given
    assert aixin(tmp_path, "demo").returncode == 0
    again = aixin(tmp_path, "demo")
    assert again.returncode == 0 and "already" in again.stdout
    ok = aixin(tmp_path, "verify")
    assert ok.returncode == 0 and "in order" in ok.stdout
    # when someone writes an entry that does not balance
    with sqlite3.connect(tmp_path / "shop.sqlite") as connection:
        connection.execute("INSERT INTO ledger_txn (shop, kind, ref, created_at) VALUES (1, 'forged', 'x', '2026-01-01')")
        connection.execute("INSERT INTO ledger_entry (txn, account, currency, amount) "
                           "VALUES ((SELECT MAX(id) FROM ledger_txn), 'asset:till:1:cash', 'CNY', 500)")
    # then
    bad = aixin(tmp_path, "verify")
    assert bad.returncode == 1 and "is off by 500 CNY" in bad.stdout


def test_create_user_hashes_the_password_and_refuses_a_second_with_the_same_name(tmp_path):
    made = aixin(tmp_path, "create-user", "laoli", "--role", "intake", "--name", "老李", "--password-stdin",
                 stdin="s3cret-pw\n")
    assert made.returncode == 0, made.stderr
    with sqlite3.connect(tmp_path / "shop.sqlite") as connection:
        (hashed,) = connection.execute("SELECT password_hash FROM staff WHERE username = 'laoli'").fetchone()
    assert hashed.startswith("$argon2") and "s3cret-pw" not in hashed
    twice = aixin(tmp_path, "create-user", "laoli", "--role", "intake", "--password-stdin", stdin="another-pw\n")
    assert twice.returncode == 1 and "laoli" in twice.stderr


def test_a_bad_setting_stops_the_command_and_names_the_key(tmp_path):
    result = aixin(tmp_path, "migrate", AIXIN_SERVER_PORT="eighty")
    assert result.returncode == 2 and "server.port" in result.stderr

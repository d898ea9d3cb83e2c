"""`aixin` from the command line, on a real SQLite file: demo, verify, create-user, a bad setting."""

import ipaddress
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.cli import run_cli

ROOT = Path(__file__).resolve().parents[2]


def aixin(tmp_path, *args, stdin="", process=False, **env):
    """The command in this process (tests/cli.py), or as a process of its own (`process=True`)."""
    environ = {**os.environ, "AIXIN_CONFIG": str(ROOT / "config.toml"),
               "AIXIN_DATABASE_URL": f"sqlite:///{tmp_path}/shop.sqlite", "AIXIN_SERVER_DATA_DIR": str(tmp_path / "var"),
               "AIXIN_PRINTER_PATH": str(tmp_path / "print"), **env}
    if not process:
        return run_cli(list(args), environ, stdin)
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
    # without a terminal and without --password-stdin (a script, a service): a sentence saying how, no traceback
    blind = aixin(tmp_path, "create-user", "laozhao", "--role", "cashier")  # stdin is a pipe here, not a terminal
    assert blind.returncode == 1 and "Traceback" not in blind.stderr
    assert "没有可以输入密码的终端" in blind.stderr and "--password-stdin" in blind.stderr


def test_a_bad_setting_stops_the_command_and_names_the_key(tmp_path):
    result = aixin(tmp_path, "migrate", AIXIN_SERVER_PORT="eighty", process=True)  # the process's own exit
    assert result.returncode == 2 and "server.port" in result.stderr


def test_printer_test_prints_the_test_page_and_drawer_kicks_the_pin_asked(tmp_path):
    from printing.test_page import SAMPLE
    from tests.printing.escpos_decode import Drawer, decode
    from tests.printing.fake_printer import FakePrinter

    # when: the test page into a spool folder
    sent = aixin(tmp_path, "printer", "test", "--to", f"file:{tmp_path / 'spool'}")

    # then
    assert sent.returncode == 0, sent.stderr
    (page,) = (tmp_path / "spool").glob("*test-page*")
    lines = decode(page.read_bytes()).lines
    assert any(line.raw.decode("utf-8", errors="replace") == f"3. {SAMPLE}" for line in lines)
    assert "aixin printer set" in sent.stdout

    # when: the drawer on pin 5 of a network printer
    with FakePrinter() as printer:
        kicked = aixin(tmp_path, "printer", "drawer", "--to", f"tcp://127.0.0.1:{printer.port}", "--pin", "5",
                       "--on-ms", "60", "--off-ms", "200")
        assert kicked.returncode == 0, kicked.stderr
        assert decode(printer.settle()).events[1:] == [Drawer(pin=5, on_ms=60, off_ms=200)]


def test_printer_set_stores_the_chosen_profile_and_assigns_the_intake_desk(tmp_path):
    # when
    stored = aixin(tmp_path, "printer", "set", "标签机", "--to", "usb:0416:5011", "--line", "2", "--ruler", "32",
                   "--drawer-pin", "5", "--no-cutter", "--place", "intake")
    listed = aixin(tmp_path, "printer", "list")

    # then
    assert stored.returncode == 0, stored.stderr
    with sqlite3.connect(tmp_path / "shop.sqlite") as connection:
        row = connection.execute("SELECT name, connection, encoding, chinese_mode, paper_columns, cut, drawer_pin, "
                                 "tested FROM printer").fetchone()
        place = connection.execute("SELECT place, printer FROM printer_place").fetchone()
    assert row == ("标签机", "usb:0416:5011", "gbk", 1, 32, 0, 5, 1)
    assert place == ("intake", 1)
    assert listed.returncode == 0 and "标签机" in listed.stdout and "serves: intake" in listed.stdout

    # when: chosen again with another line, the same printer changes
    again = aixin(tmp_path, "printer", "set", "标签机", "--to", "usb:0416:5011", "--line", "5", "--ruler", "48")
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(tmp_path / "shop.sqlite") as connection:
        rows = connection.execute("SELECT encoding, raster_chinese, paper_columns, cut, drawer_pin FROM printer").fetchall()
    assert rows == [("cp437", 1, 48, 0, 5)]


def test_printer_commands_refuse_bad_input_with_a_sentence(tmp_path):
    bad = aixin(tmp_path, "printer", "test", "--to", "192.168.1.50")
    assert bad.returncode == 1 and "192.168.1.50" in bad.stderr and "tcp://" in bad.stderr
    unknown_till = aixin(tmp_path, "printer", "set", "x", "--to", "usb:0416:5011", "--line", "1", "--ruler", "48",
                         "--place", "till:T9")
    assert unknown_till.returncode == 1 and "收银台" in unknown_till.stderr
    with sqlite3.connect(tmp_path / "shop.sqlite") as connection:
        assert connection.execute("SELECT COUNT(*) FROM printer").fetchone() == (0,)  # nothing stored
    off = aixin(tmp_path, "printer", "test", "--to", "tcp://127.0.0.1:1")
    assert off.returncode == 1 and "refused" in off.stderr
    no_font = aixin(tmp_path, "printer", "list", AIXIN_PRINTER_RASTER_FONT=str(tmp_path / "none.ttc"))
    assert no_font.returncode == 2 and "printer.raster_font" in no_font.stderr


def test_set_pin_gives_a_hashed_till_pin_never_a_managers_to_a_cashier_and_staff_card_prints_a_new_badge(tmp_path):
    made = aixin(tmp_path, "create-user", "laozhang", "--role", "manager", "--password-stdin", stdin="s3cret-pw\n")
    assert made.returncode == 0, made.stderr
    given = aixin(tmp_path, "set-pin", "laozhang", "--pin-stdin", stdin="8642\n")
    assert given.returncode == 0, given.stderr
    with sqlite3.connect(tmp_path / "shop.sqlite") as connection:
        (hashed,) = connection.execute("SELECT pin_hash FROM staff WHERE username = 'laozhang'").fetchone()
    assert hashed.startswith("$argon2") and "8642" not in hashed
    assert aixin(tmp_path, "create-user", "xiaowang", "--role", "cashier", "--password-stdin",
                 stdin="s3cret-pw\n").returncode == 0
    refused = aixin(tmp_path, "set-pin", "xiaowang", "--pin-stdin", stdin="8642\n")  # the manager's: it would approve
    assert refused.returncode == 1 and refused.stderr
    short = aixin(tmp_path, "set-pin", "laozhang", "--pin-stdin", stdin="12\n")
    assert short.returncode == 1
    # a cashier has a PIN of their own (issue 21: the cashier switch), and a staff card printed at once
    assert aixin(tmp_path, "set-pin", "xiaowang", "--pin-stdin", stdin="1357\n").returncode == 0
    card = aixin(tmp_path, "staff", "card", "xiaowang")
    assert card.returncode == 0, card.stderr
    with sqlite3.connect(tmp_path / "shop.sqlite") as connection:
        badge, pin_hash = connection.execute("SELECT badge, pin_hash FROM staff WHERE username = 'xiaowang'").fetchone()
    assert pin_hash.startswith("$argon2")
    assert badge.startswith("ST") and len(badge) == 14 and badge in card.stdout
    assert any(badge.encode() in f.read_bytes() for f in (tmp_path / "print").rglob("*") if f.is_file())


def test_staff_commands_list_deactivate_change_role_password_and_pin(tmp_path):
    # given an admin and a manager
    for name, role in (("boss", "admin"), ("laozhang", "manager")):
        made = aixin(tmp_path, "create-user", name, "--role", role, "--password-stdin", stdin="s3cret-pw\n")
        assert made.returncode == 0, made.stderr

    def row(name):
        with sqlite3.connect(tmp_path / "shop.sqlite") as connection:
            return connection.execute("SELECT role, active, password_hash, pin_hash, sessions_ended_at FROM staff "
                                      "WHERE username = ?", (name,)).fetchone()

    # when: a PIN of 12 digits (read from standard input), a new password, a role, deactivated
    assert aixin(tmp_path, "staff", "pin", "laozhang", stdin="123456789012\n").returncode == 0
    before = row("laozhang")
    assert before[3].startswith("$argon2") and before[4] is None
    password = aixin(tmp_path, "staff", "password", "laozhang", "--password-stdin", stdin="n3w-secret\n")
    assert password.returncode == 0, password.stderr
    after_password = row("laozhang")
    assert after_password[2] != before[2] and after_password[4] is not None  # every session of theirs ended
    assert aixin(tmp_path, "staff", "role", "laozhang", "coordinator").returncode == 0
    assert aixin(tmp_path, "staff", "deactivate", "laozhang").returncode == 0

    # then
    role, active, _, pin_hash, ended = row("laozhang")
    assert (role, active, pin_hash) == ("coordinator", 0, None) and ended >= after_password[4]
    listed = aixin(tmp_path, "staff", "list")
    assert listed.returncode == 0
    assert [line.split()[:3] for line in listed.stdout.splitlines() if line.split()[0] in ("boss", "laozhang")] == [
        ["boss", "admin", "active"], ["laozhang", "coordinator", "deactivated"]]
    assert aixin(tmp_path, "staff", "activate", "laozhang").returncode == 0 and row("laozhang")[1] == 1

    # and refusals say why
    last = aixin(tmp_path, "staff", "deactivate", "boss")
    assert last.returncode == 1 and "boss" in last.stderr and row("boss")[1] == 1
    weak = aixin(tmp_path, "staff", "password", "boss", "--password-stdin", stdin="abc\n")
    assert weak.returncode == 1 and "6" in weak.stderr
    nobody = aixin(tmp_path, "staff", "role", "nobody", "cashier")
    assert nobody.returncode == 1
    not_manager = aixin(tmp_path, "staff", "pin", "laozhang", stdin="2468\n")
    assert not_manager.returncode == 1 and "laozhang" in not_manager.stderr


def test_backup_goes_to_the_backup_folder_of_the_settings_and_serve_names_the_address_tills_open(tmp_path):
    from web.cli import _address_for_tills

    assert aixin(tmp_path, "migrate").returncode == 0
    # given [backup] folder set, when `aixin backup` is run without --to, then the copy is made there
    made = aixin(tmp_path, "backup", AIXIN_BACKUP_FOLDER=str(tmp_path / "usb"))
    assert made.returncode == 0, made.stderr
    assert Path(made.stdout.splitlines()[0]).parent == tmp_path / "usb"
    # and a server listening on every address names the one tills on the shop's network open
    assert _address_for_tills("192.168.1.10") == "192.168.1.10"
    lan = _address_for_tills("0.0.0.0")  # this PC's address on its default route ("0.0.0.0" with no network at all)
    assert ipaddress.ip_address(lan).version == 4 and not ipaddress.ip_address(lan).is_loopback

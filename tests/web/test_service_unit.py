"""`aixin service install`: a systemd unit that runs `aixin serve` from the shop's folder and starts it again after
a failure; an existing unit is kept unless told otherwise."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from web.cli import main


def test_the_unit_runs_this_aixin_from_here_and_restarts_on_failure(tmp_path, monkeypatch, capsys):
    # given the shop's folder
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    unit = tmp_path / "aixin.service"
    # when the unit is installed
    assert main(["service", "install", "--to", str(unit), "--user", "root"]) == 0
    # then it runs this installation's aixin from the shop's folder, and again after a failure
    text = unit.read_text(encoding="utf-8")
    lines = dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
    assert lines["ExecStart"] == f"{Path(sys.executable).parent / 'aixin'} serve"
    assert Path(lines["ExecStart"].split()[0]).exists()
    assert lines["WorkingDirectory"] == str(Path.cwd().resolve()) and (Path.cwd() / "config.toml").exists()
    assert (lines["Restart"], lines["User"], lines["WantedBy"]) == ("on-failure", "root", "multi-user.target")
    assert f"systemctl enable --now {unit.stem}" in capsys.readouterr().out
    if shutil.which("systemd-analyze"):  # Debian's systemd checks the unit's syntax where it is installed
        checked = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
    # and a second install keeps the unit unless --force
    unit.write_text("mine", encoding="utf-8")
    assert main(["service", "install", "--to", str(unit)]) == 1 and unit.read_text() == "mine"
    assert main(["service", "install", "--to", str(unit), "--force", "--user", "root"]) == 0
    assert "ExecStart" in unit.read_text(encoding="utf-8")

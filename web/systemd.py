"""The systemd unit that keeps the shop running on its PC: `aixin serve` started at boot and started again when it
stops on a failure (it exits at once, saying why, when the database cannot be opened: shop.database)."""

from __future__ import annotations

from pathlib import Path

UNIT_PATH = Path("/etc/systemd/system/aixin.service")


def unit_text(*, aixin: Path, folder: Path, user: str) -> str:
    """The unit for `aixin serve` run by `user` from `folder` (where config.toml is)."""
    return f"""[Unit]
Description=Aixin 爱心: the charity supermarket's till and stock
After=network-online.target postgresql.service
Wants=network-online.target

[Service]
Type=simple
User={user}
WorkingDirectory={folder}
ExecStart={aixin} serve
Restart=on-failure
RestartSec=5
# aixin stops within 10 s of SIGTERM whatever a till does (web/cli.py STOP_SECONDS)
TimeoutStopSec=20
Environment=PYTHONUNBUFFERED=1

[Install]
WantedBy=multi-user.target
"""


def install_unit(*, to: Path, aixin: Path, folder: Path, user: str, force: bool = False) -> Path:
    """Write the unit file; an existing one is kept unless `force`. FileExistsError when it is kept."""
    if to.exists() and not force:
        raise FileExistsError(to)
    to.parent.mkdir(parents=True, exist_ok=True)
    to.write_text(unit_text(aixin=aixin, folder=folder, user=user), encoding="utf-8")
    return to

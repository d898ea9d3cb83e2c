"""`aixin …` run in the test's own process: web.cli.main() with the command's environment, standard input, output
and exit status as a process would have them (a subprocess pays Python's start and the shop's imports, a second
or more, for each command). What is about the process itself (its exit on a bad setting) is run as one too."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import io
import os
import subprocess
import sys
from unittest import mock


def run_cli(args: list[str], environ: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    """As subprocess.run([python, -m, web.cli, *args], env=environ, input=stdin, capture_output=True, text=True):
    stdin a pipe (not a terminal), the exit status what the process would exit with. From a test's event loop, the
    command runs in a thread of its own (its asyncio.run() needs one without a loop) while the test waits for it,
    as it waits for a subprocess."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_cli(args, environ, stdin)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(_run_cli, args, environ, stdin).result()


def _run_cli(args: list[str], environ: dict[str, str], stdin: str) -> subprocess.CompletedProcess:
    import piccolo_conf
    from piccolo.apps.migrations.tables import Migration
    from piccolo.conf.apps import Finder

    from web.cli import main

    tables = [*Finder().get_table_classes(), Migration]
    engines = {table: table._meta.db for table in tables}  # the test's own binding (shop.database.bind), given back
    conf_db = getattr(piccolo_conf, "DB", None)
    out, err = io.StringIO(), io.StringIO()
    with mock.patch.dict(os.environ, environ, clear=True), mock.patch.object(sys, "stdin", io.StringIO(stdin)), \
            contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(list(args))
        except SystemExit as exit_:  # argparse's refusals, or a command's own exit
            status = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
            if isinstance(exit_.code, str):
                print(exit_.code, file=sys.stderr)
        finally:
            for table, engine in engines.items():
                table._meta.db = engine
            piccolo_conf.DB = conf_db
    return subprocess.CompletedProcess(["aixin", *args], status or 0, out.getvalue(), err.getvalue())

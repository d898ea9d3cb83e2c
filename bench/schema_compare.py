"""The schema the migrations make, from two trees of the code, compared on SQLite and PostgreSQL.

Each tree (this working tree, and another commit's tree taken with `git archive`, which changes nothing in
the repository) migrates an empty database with its own code (shop.database.migrate), in a process of its own,
and the schema is written out as text; the two texts are diffed per engine. Exit status 1 when they differ.

    .venv/bin/python bench/schema_compare.py --old f8960a1
    .venv/bin/python bench/schema_compare.py --old f8960a1 --engine postgres \
        --postgres-url postgres://postgres@127.0.0.1:5432/postgres

What is compared:
  SQLite      every table's columns (PRAGMA table_xinfo: position, name, type, NOT NULL, default, primary key),
              foreign keys (columns, target, ON UPDATE/DELETE), indexes (name, unique, columns, how made, the
              statement of one made by hand: partial WHERE), and every trigger's statement, whitespace collapsed.
              Not the CREATE TABLE text: SQLite keeps a table's text as written, appended to by each ADD COLUMN.
  PostgreSQL  `pg_dump --schema-only` (tables, columns in order, defaults, constraints, sequences, indexes,
              functions, triggers), without its comments, SET lines and \\restrict keys (new each dump).

The default --old is the last commit whose migrations were the long generated chain, before each app's were
squashed into one (issue 17): comparing it with a later tree shows what the squash, or anything since, changed.
The PostgreSQL databases are made beside the one --postgres-url names (aixin_schema_<pid>_old/_new) and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import os
import re
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent
SQUASHED_AFTER = "f8960a1"  # the last commit with the unsquashed migration chain


def _collapse(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip()


def sqlite_schema(path: str) -> list[str]:
    """The schema of a SQLite file as sorted lines of text."""
    connection = sqlite3.connect(path)
    try:
        lines = []
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for table in tables:
            lines.append(f"table {table}")
            for cid, name, kind, notnull, default, pk, hidden in connection.execute(f'PRAGMA table_xinfo("{table}")'):
                lines.append(f"  column {cid} {name} {kind} notnull={notnull} default={default} pk={pk}"
                             f" hidden={hidden}")
            keys = sorted(connection.execute(f'PRAGMA foreign_key_list("{table}")').fetchall(),
                          key=lambda row: (row[3], row[2]))
            for _id, _seq, target, source, to, on_update, on_delete, match in keys:
                lines.append(f"  foreign key {source} -> {target}({to}) on update {on_update}"
                             f" on delete {on_delete} match {match}")
            for _seq, name, unique, origin, partial in sorted(
                    connection.execute(f'PRAGMA index_list("{table}")').fetchall(), key=lambda row: row[1]):
                columns = [row[2] for row in connection.execute(f'PRAGMA index_info("{name}")')]
                sql = connection.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                                         (name,)).fetchone()
                lines.append(f"  index {name} unique={unique} origin={origin} partial={partial} "
                             f"columns={','.join(str(c) for c in columns)} sql={_collapse(sql[0] if sql else None)}")
        for name, table, sql in connection.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"):
            lines.append(f"trigger {name} on {table}: {_collapse(sql)}")
        for name, table, sql in connection.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'view' ORDER BY name"):
            lines.append(f"view {name}: {_collapse(sql)}")
        return lines
    finally:
        connection.close()


def postgres_schema(url: str) -> list[str]:
    """`pg_dump --schema-only` of a PostgreSQL database, without comments, SET lines and blank lines."""
    dumped = subprocess.run(["pg_dump", "--schema-only", "--no-owner", "--no-privileges", "--dbname", url],
                            check=True, capture_output=True, text=True).stdout
    return [line for line in dumped.splitlines()
            if line.strip() and not line.startswith(("--", "SET ", "SELECT pg_catalog.set_config",
                                                     "\\restrict ", "\\unrestrict "))]


async def _migrate(url: str) -> None:
    from shop.database import close_database, engine_for, migrate, open_database

    engine = engine_for(url)
    await open_database(engine)
    try:
        await migrate(engine)
    finally:
        await close_database(engine)


def dump(url: str, out: Path) -> None:
    """In the tree this process imports from (PYTHONPATH): migrate the empty database at `url`, write its schema."""
    asyncio.run(_migrate(url))
    lines = sqlite_schema(url[len("sqlite:///"):]) if url.startswith("sqlite:") else postgres_schema(url)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _dump_in(tree: Path, url: str, out: Path) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "AIXIN_DATABASE_URL": url}
    env.pop("AIXIN_CONFIG", None)
    subprocess.run([sys.executable, str(HERE), "dump", "--url", url, "--out", str(out)], cwd=tree, env=env,
                   check=True)
    return out.read_text(encoding="utf-8").splitlines()


def _export(revision: str, into: Path) -> None:
    """The tree of `revision`, read with `git archive` (the repository is not changed)."""
    archive = into.with_suffix(".tar")
    with archive.open("wb") as file:
        subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision], check=True, stdout=file)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    archive.unlink()


async def _postgres_database(server_url: str, name: str, *, drop_only: bool = False) -> str:
    import asyncpg

    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop_only:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return urlsplit(server_url)._replace(path=f"/{name}").geturl()


def compare(old: str, engines: list[str], postgres_url: str) -> bool:
    same = True
    with tempfile.TemporaryDirectory(prefix="aixin-schema-") as scratch:
        scratch = Path(scratch)
        old_tree = scratch / "old"
        _export(old, old_tree)
        for engine in engines:
            dumps = {}
            for label, tree in (("old", old_tree), ("new", ROOT)):
                if engine == "sqlite":
                    url = f"sqlite:///{scratch / f'{label}.sqlite'}"
                    dumps[label] = _dump_in(tree, url, scratch / f"{label}-sqlite.txt")
                else:
                    name = f"aixin_schema_{os.getpid()}_{label}"
                    url = asyncio.run(_postgres_database(postgres_url, name))
                    try:
                        dumps[label] = _dump_in(tree, url, scratch / f"{label}-postgres.txt")
                    finally:
                        asyncio.run(_postgres_database(postgres_url, name, drop_only=True))
            diff = list(difflib.unified_diff(dumps["old"], dumps["new"], f"{engine} at {old}", f"{engine} now",
                                             lineterm=""))
            print(f"{engine}: {len(dumps['new'])} lines of schema, "
                  + ("the same" if not diff else f"{sum(1 for d in diff if d[:1] in '+-') - 2} lines differ"))
            for line in diff:
                print(line)
            same = same and not diff
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command")
    one = commands.add_parser("dump", help="migrate one empty database with the code on PYTHONPATH, write its schema")
    one.add_argument("--url", required=True)
    one.add_argument("--out", required=True, type=Path)
    parser.add_argument("--old", default=SQUASHED_AFTER, help="the commit whose tree is compared with this one")
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="a server's database to connect to; the compared ones are made beside it and dropped")
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.url, args.out)
        return
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    sys.exit(0 if compare(args.old, engines, args.postgres_url) else 1)


if __name__ == "__main__":
    main()

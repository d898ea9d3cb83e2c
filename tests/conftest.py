"""Test set-up: settings that can only reach test databases, and the `db` fixture over SQLite and PostgreSQL.

SQLite: a migrated template file, copied for each test. PostgreSQL (AIXIN_TEST_POSTGRES_URL,
a database whose name contains "test"): migrated once per run into a fresh schema, emptied
between tests by one server-side DELETE of every table and a reset of the used sequences (TRUNCATE of
every table took 0.15 s a test). Passwords and PINs are hashed with a cheap argon2 setting in the
test processes (the shop's own takes 40 ms a hash and a test makes several); a server or CLI the
tests start as a process hashes as a shop does. Without the URL the PostgreSQL half is skipped on a
developer's machine and is an error in CI; so are the tests that need a CJK font (`cjk_font`) without one.
Every database test ends with verify() == [].
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

# Before anything imports piccolo_conf or the settings: no test can reach a real shop's database.
_SCRATCH = Path(tempfile.mkdtemp(prefix="aixin-tests-"))
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)
(_SCRATCH / "escpos").mkdir()
os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(_SCRATCH / "escpos")  # per process: xdist workers must not share it
os.environ["AIXIN_CONFIG"] = str(Path(__file__).parent / "test-config.toml")
os.environ["AIXIN_DATABASE_URL"] = f"sqlite:///{_SCRATCH}/piccolo-conf.sqlite"
os.environ["AIXIN_SERVER_DATA_DIR"] = str(_SCRATCH / "var")
os.environ["AIXIN_PRINTER_PATH"] = str(_SCRATCH / "print")
os.environ["AIXIN_LABELS_PATH"] = str(_SCRATCH / "labels")

import asyncio  # noqa: E402

import asyncpg  # noqa: E402
import hypothesis  # noqa: E402

import pytest  # noqa: E402

from shop.database import (  # noqa: E402
    ShopSQLiteEngine, bind, close_database, engine_for, fetch_rows, migrate, open_database, run,
)
from shop.settings import load_settings  # noqa: E402
from shop.staff import _hasher as _SHOP_HASHER  # noqa: E402

POSTGRES_URL = os.environ.get("AIXIN_TEST_POSTGRES_URL", "")
IN_CI = bool(os.environ.get("CI"))
# pytest-xdist runs the suite in several processes: each gets its own database beside the one named
# (test → test_gw0, test_gw1…), created on the same server when missing.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_BASE_POSTGRES_URL = POSTGRES_URL
if POSTGRES_URL and _WORKER:
    _parts = urlsplit(POSTGRES_URL)
    POSTGRES_URL = _parts._replace(path=f"{_parts.path.rstrip('/')}_{_WORKER}").geturl()

# Hypothesis: no per-example deadline (a loaded CI machine is slow, not wrong); examples are bounded per test.
hypothesis.settings.register_profile("aixin", deadline=None)
hypothesis.settings.load_profile("aixin")


def _check_test_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    if "test" not in name:
        raise pytest.UsageError(f"AIXIN_TEST_POSTGRES_URL must name a test database (its name contains 'test'): {name!r}")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"

    async def build() -> None:
        engine = engine_for(f"sqlite:///{path}")
        await open_database(engine)
        await migrate(engine)
        await close_database(engine)

    asyncio.run(build())
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> str:
    """Migrate the test database once per run, from an empty schema."""
    if not POSTGRES_URL:
        if IN_CI:
            pytest.fail("CI must test PostgreSQL too: set AIXIN_TEST_POSTGRES_URL")
        pytest.skip("AIXIN_TEST_POSTGRES_URL is not set: PostgreSQL half skipped on this machine")
    _check_test_database(POSTGRES_URL)

    async def build() -> None:
        if POSTGRES_URL != _BASE_POSTGRES_URL:
            await _create_database_if_missing()
        engine = engine_for(POSTGRES_URL)
        try:
            await open_database(engine)
        except OSError as error:
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable: {error}")
        await engine.run_ddl("DROP SCHEMA IF EXISTS public CASCADE")
        await engine.run_ddl("CREATE SCHEMA public")
        await migrate(engine)
        await close_database(engine)

    asyncio.run(build())
    return POSTGRES_URL


async def _create_database_if_missing() -> None:
    """This worker's database (test_gw0…) on the server of AIXIN_TEST_POSTGRES_URL."""
    name = urlsplit(POSTGRES_URL).path.lstrip("/")
    try:
        connection = await asyncpg.connect(_BASE_POSTGRES_URL)
    except OSError as error:
        pytest.fail(f"PostgreSQL at {_BASE_POSTGRES_URL} is unreachable: {error}")
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await connection.execute(f'CREATE DATABASE "{name}"')
    except asyncpg.DuplicateDatabaseError:
        pass
    finally:
        await connection.close()


# One round trip: the books' triggers refuse DELETE, so they are passed (replica role) for emptying a test
# database; setval() resets a used sequence without rewriting it as ALTER SEQUENCE … RESTART would.
_EMPTY_POSTGRES = """
DO $$
DECLARE r record;
BEGIN
  SET LOCAL session_replication_role = replica;
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration' LOOP
    EXECUTE format('DELETE FROM public.%I', r.tablename);
  END LOOP;
  FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL LOOP
    PERFORM setval(format('public.%I', r.sequencename)::regclass, 1, false);
  END LOOP;
END $$;
"""


async def _truncate_postgres(engine) -> None:
    async with engine.transaction():
        await run(engine, _EMPTY_POSTGRES)


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes():
    """argon2 at its least cost in this process: a test's logins and staff take microseconds, not 40 ms each."""
    from argon2 import PasswordHasher

    import shop.staff

    shop.staff._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield


@pytest.fixture(scope="session", autouse=True)
def _handler_signatures_parsed_once():
    """Litestar parses every handler's signature for each app it builds (0.3 s of the 0.6 s an app of ours takes),
    and a web test builds one: here each handler's signature is parsed once per process. The handlers and their
    namespaces are the same in every app the tests build; without litestar's ParsedSignature.from_fn (another
    version) the apps are built as they are in a shop."""
    from litestar.utils import signature

    parse = getattr(getattr(signature, "ParsedSignature", None), "from_fn", None)
    if parse is None:
        yield
        return
    parse = parse.__func__
    parsed = {}

    def key_of(cls, fn, signature_namespace):
        fn = getattr(fn, "__func__", fn)
        code = getattr(fn, "__code__", None)
        if code is None or getattr(fn, "__closure__", None) is None:
            return cls, fn, tuple(sorted(signature_namespace))
        # a function made anew for each app (litestar's OPTIONS handler of each path): its signature is its code's,
        # with its own defaults and annotations
        return (cls, code, id(fn.__globals__), fn.__defaults__, tuple(sorted((fn.__kwdefaults__ or {}).items())),
                tuple(fn.__annotations__.items()), tuple(sorted(signature_namespace)))

    def from_fn(cls, fn, signature_namespace):
        try:
            key = key_of(cls, fn, signature_namespace)
            return parsed[key]
        except KeyError:
            parsed[key] = got = parse(cls, fn, signature_namespace)
            return got
        except TypeError:  # an unhashable callable, default or annotation
            return parse(cls, fn, signature_namespace)

    signature.ParsedSignature.from_fn = classmethod(from_fn)
    yield
    signature.ParsedSignature.from_fn = classmethod(parse)


@pytest.fixture(scope="session", autouse=True)
def _handler_models_built_once(_handler_signatures_parsed_once):
    """After the signatures, what litestar builds from them for each handler of each app (a msgspec struct of its
    parameters, and the model of the arguments a request gives it: 0.1 s of an app), built once per process for the
    same inputs: the parsed signature (the same object, above), the dependencies (each the same function, none
    cached across requests), path parameters, decoders and DTO. Another litestar version: apps built as a shop's."""
    try:
        from litestar._kwargs.kwargs_model import KwargsModel
        from litestar._signature.model import SignatureModel
    except ImportError:
        yield
        return
    make_struct = SignatureModel.create.__func__
    make_kwargs = KwargsModel.create_for_signature_model.__func__
    structs, kwargs_models = {}, {}

    def decoder_key(decoder):  # a (predicate, decoder) pair; a plugin's partial(f, strict=False) is made for each app
        return tuple((part.func, part.args, tuple(sorted(part.keywords.items())))
                     if isinstance(part, functools.partial) else part for part in decoder)

    def create(cls, dependency_name_set, fn, parsed_signature, type_decoders, data_dto=None):
        try:  # what create() reads of fn: its name and module
            key = (cls, getattr(fn, "__name__", None), getattr(fn, "__module__", None), id(parsed_signature),
                   frozenset(dependency_name_set), tuple(map(decoder_key, type_decoders or ())), data_dto)
            return structs[key][1]
        except KeyError:
            got = make_struct(cls, dependency_name_set, fn, parsed_signature, type_decoders, data_dto)
            structs[key] = (parsed_signature, got)  # the signature kept: its id is not reused
            return got
        except TypeError:
            return make_struct(cls, dependency_name_set, fn, parsed_signature, type_decoders, data_dto)

    def create_for_signature_model(cls, signature_model, parsed_signature, dependencies, path_parameters,
                                   layered_parameters, ctx=None):
        args = (signature_model, parsed_signature, dependencies, path_parameters, layered_parameters, ctx)
        if any(provide.use_cache for provide in dependencies.values()):  # a cached value is the app's own
            return make_kwargs(cls, *args)
        try:
            key = (cls, signature_model, id(parsed_signature),
                   tuple(sorted((name, provide.dependency, provide.sync_to_thread)
                                for name, provide in dependencies.items())),
                   frozenset(path_parameters), tuple(sorted(layered_parameters.items())))
            return kwargs_models[key][1]
        except KeyError:
            got = make_kwargs(cls, *args)
            kwargs_models[key] = (parsed_signature, got)
            return got
        except TypeError:
            return make_kwargs(cls, *args)

    SignatureModel.create = classmethod(create)
    KwargsModel.create_for_signature_model = classmethod(create_for_signature_model)
    yield
    SignatureModel.create = classmethod(make_struct)
    KwargsModel.create_for_signature_model = classmethod(make_kwargs)


@pytest.fixture
def shop_argon2(monkeypatch):
    """The shop's own argon2 setting, for a test of the hashes themselves."""
    import shop.staff

    monkeypatch.setattr(shop.staff, "_hasher", _SHOP_HASHER)


@pytest.fixture(scope="session")
def cjk_font() -> str:
    """The machine's CJK font (with Latin letters), for printers that print Chinese as images: looked for when a
    test asks, skipped without one on a developer's machine, an error in CI."""
    from printing.profiles import SetupError
    from printing.raster_text import find_font

    try:
        return find_font()
    except SetupError:
        missing = "no CJK font in the usual places (printing/raster_text.py: FONT_CANDIDATES)"
        if IN_CI:
            pytest.fail(f"{missing}: .ci/run installs Debian's fonts-wqy-microhei (apt-get install fonts-wqy-microhei)")
        pytest.skip(f"{missing} (Debian: apt-get install fonts-wqy-microhei)")


def pytest_collection_modifyitems(config, items):
    """A test marked postgres_only is not collected for SQLite: what it checks does not exist there."""
    kept, dropped = [], []
    for item in items:
        on_sqlite = getattr(item, "callspec", None) is not None and item.callspec.params.get("database_url") == "sqlite"
        (dropped if on_sqlite and item.get_closest_marker("postgres_only") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "shop.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_schema")


@pytest.fixture
def settings(tmp_path, database_url):
    """The test shop's settings, on this test's database, printing into this test's folder."""
    return load_settings(environ={
        "AIXIN_CONFIG": os.environ["AIXIN_CONFIG"],
        "AIXIN_DATABASE_URL": database_url,
        "AIXIN_SERVER_DATA_DIR": str(tmp_path / "var"),
        "AIXIN_PRINTER_PATH": str(tmp_path / "print"),
        "AIXIN_LABELS_PATH": str(tmp_path / "labels"),
    })


@pytest.fixture
async def db(settings):
    """An open, migrated, empty database bound to every table; verify() must find nothing at the end."""
    from pos.verify import verify

    engine = engine_for(settings.database.url)
    await open_database(engine)
    if not isinstance(engine, ShopSQLiteEngine):
        await _truncate_postgres(engine)
    bind(engine)
    yield engine
    problems = await verify()
    await close_database(engine)
    assert problems == [], f"the books are wrong after this test: {problems}"


class Goods:
    """The test shop's catalogue, made through the shop's own operations."""

    shop_id: int
    cashier_id: int
    manager_id: int
    till_id: int
    session_id: int  # T1's open session
    maker_id: int
    coat: str  # a one-off donated coat, ¥35.00, 1 on hand (in-store code)
    book: str  # a donated book, ¥12.00, 3 on hand
    noodles: str  # packaged food with its maker's EAN-13, ¥12.50, 40 on hand
    coasters: str  # a consigned handicraft, ¥5.00, 12 on hand, maker's share 80%
    codes: dict[str, str]


@pytest.fixture
async def goods(db, settings) -> Goods:
    from donations.makers import consign_goods, register_maker
    from inventory.barcodes import in_store_code
    from inventory.catalogue import add_category, add_item
    from pos.sessions import open_session
    from pos.tills import add_till
    from shop.shops import ensure_shop
    from shop.staff import Role, create_staff

    g = Goods()
    g.shop_id = await ensure_shop(settings.shop)
    g.cashier_id = (await create_staff(shop_id=g.shop_id, username="cashier", password="cashier-pw",
                                       role=Role.CASHIER, display_name="小张")).id
    g.manager_id = (await create_staff(shop_id=g.shop_id, username="manager", password="manager-pw",
                                       role=Role.MANAGER, display_name="陈姐")).id
    g.till_id = await add_till(shop_id=g.shop_id, code="T1", name="一号收银台")
    # The till is open (a float of ¥0, so the drawer holds just what is sold): a sale needs an open session.
    g.session_id = (await open_session(shop_id=g.shop_id, till_id=g.till_id, staff_id=g.cashier_id, float_fen=0)).id
    clothes = await add_category(shop_id=g.shop_id, code="clothes", name="衣物", source="donated")
    books = await add_category(shop_id=g.shop_id, code="books", name="图书", source="donated",
                               fund_percent=50, maker_percent=0)
    food = await add_category(shop_id=g.shop_id, code="food", name="食品", source="purchased")
    await add_category(shop_id=g.shop_id, code="crafts", name="手工艺品", source="handicraft")
    g.coat, g.book, g.coasters = in_store_code(1), in_store_code(2), in_store_code(3)
    g.noodles = "6901234500011"
    await add_item(shop_id=g.shop_id, barcode=g.coat, name="儿童羽绒服（九成新）", category_id=clothes,
                   price_fen=3500, one_off=True)
    await add_item(shop_id=g.shop_id, barcode=g.book, name="新华字典", category_id=books, price_fen=1200, quantity=3)
    await add_item(shop_id=g.shop_id, barcode=g.noodles, name="红烧牛肉面 5连包", category_id=food,
                   price_fen=1250, quantity=40)
    g.maker_id = await register_maker(shop_id=g.shop_id, name="王阿姨")
    await consign_goods(shop_id=g.shop_id, maker_id=g.maker_id, category_code="crafts", name="手工编织杯垫",
                        price_fen=500, quantity=12, staff_id=None)  # the next in-store code: in_store_code(3)
    g.codes = {"coat": g.coat, "book": g.book, "noodles": g.noodles, "coasters": g.coasters}
    return g

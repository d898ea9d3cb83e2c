import asyncio
import contextlib
from pathlib import Path

import httpx
import pytest

from printing.queue import PrintWorker, recent_jobs
from web.app import create_app


async def print_queued(app) -> None:
    """Every due job of the app's print worker printed, by passes of the worker run here until one prints nothing:
    the test waits for the worker, never for the clock. (The worker's own loop runs too; `running` lets one pass
    run at a time, so none of its jobs is still on its way when this returns.)"""
    while await app.state["shopfront"].printing.print_due():
        pass


async def all_printed(app, shop_id: int, ref: str) -> None:
    """Every print job of the document `ref` printed ("print again" while one still waits makes none)."""
    await print_queued(app)
    jobs = await recent_jobs(shop_id=shop_id, ref=ref)
    assert jobs and all(job.status == "printed" for job in jobs), f"{ref} did not print: {jobs}"


class Till:
    """A logged-in browser: the session cookie, and the CSRF token sent with every write."""

    def __init__(self, app, client: httpx.AsyncClient, print_folder) -> None:
        self.app = app
        self.client = client
        self.print_folder = print_folder

    @property
    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    async def login(self, username: str, password: str):
        await self.client.get("/login")
        return await self.client.post("/login", data={"username": username, "password": password,
                                                      "_csrf_token": self.csrf}, follow_redirects=False)

    async def printed(self, pattern: str) -> list:
        """The receipt files matching `pattern`, once the print worker has printed every due job."""
        await print_queued(self.app)
        return sorted(self.print_folder.glob(pattern))

    async def get(self, url: str, **kwargs):
        return await self.client.get(url, **kwargs)

    async def put_json(self, url: str, json):
        return await self.client.put(url, json=json, headers={"x-csrftoken": self.csrf})

    async def post(self, url: str, json=None, **kwargs):
        return await self.client.post(url, json=json, headers={"x-csrftoken": self.csrf}, **kwargs)


@contextlib.asynccontextmanager
async def running(app):
    """The app's own start-up and shut-down around the requests a test sends it (pytest runs a fixture's set-up
    and tear-down in two tasks, so the app's lifespan is run by hand). The print worker's passes take turns, its
    own loop's and the test's (`print_queued`), so a test that ran one knows every due job is done."""
    one_pass_at_a_time(app.state["shopfront"].printing)
    for hook in app.on_startup:
        await hook(app)
    try:
        yield app
    finally:
        for hook in app.on_shutdown:
            await hook(app)


def one_pass_at_a_time(worker: PrintWorker) -> None:
    """The worker's print_due() made to wait while another pass of it runs (it never waits for a clock)."""
    turn = asyncio.Lock()
    print_due = worker.print_due

    async def in_turn() -> int:
        async with turn:
            return await print_due()

    worker.print_due = in_turn


def client_of(app, address: str = "127.0.0.1") -> httpx.AsyncClient:
    """Real HTTP requests through the ASGI app, from `address`, served in the test's own event loop (so the app
    and the test share one database engine and its PostgreSQL pool)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)),
                             base_url="http://testserver.local")


@pytest.fixture
async def browser(db, settings, goods):
    """A client of the test shop's app (logged out), with the catalogue of `goods`."""
    async with running(create_app(settings, engine=db)) as app, client_of(app) as client:
        yield Till(app, client, Path(settings.printer.path))


class Shop:
    """The test shop's app, and browsers opened on it from any address: `await shop.browser("10.0.0.7")`."""

    def __init__(self, app, print_folder: Path) -> None:
        self.app, self.print_folder, self.clients = app, print_folder, []

    async def browser(self, address: str = "127.0.0.1") -> Till:
        client = client_of(self.app, address)
        self.clients.append(client)
        return Till(self.app, client, self.print_folder)

    async def logged_in(self, username: str, password: str, address: str = "127.0.0.1") -> Till:
        till = await self.browser(address)
        response = await till.login(username, password)
        assert response.status_code in (302, 303), response.text
        return till


@pytest.fixture
async def shop(db, settings, goods):
    async with running(create_app(settings, engine=db)) as app:
        opened = Shop(app, Path(settings.printer.path))
        yield opened
        for client in opened.clients:
            await client.aclose()


@pytest.fixture
async def cashier(browser):
    response = await browser.login("cashier", "cashier-pw")
    assert response.status_code in (302, 303), response.text
    return browser


@pytest.fixture
async def manager(browser):
    response = await browser.login("manager", "manager-pw")
    assert response.status_code in (302, 303), response.text
    return browser

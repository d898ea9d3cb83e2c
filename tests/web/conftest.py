import asyncio
import contextlib
from pathlib import Path

import httpx
import pytest

from printing.queue import recent_jobs
from web.app import create_app


async def all_printed(shop_id: int, ref: str, timeout: float = 5.0) -> None:
    """Once every print job of the document `ref` is printed ("print again" while one still waits makes none)."""
    for _ in range(int(timeout / 0.02)):
        if (jobs := await recent_jobs(shop_id=shop_id, ref=ref)) and all(job.status == "printed" for job in jobs):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{ref} did not print")


class Till:
    """A logged-in browser: the session cookie, and the CSRF token sent with every write."""

    def __init__(self, client: httpx.AsyncClient, print_folder) -> None:
        self.client = client
        self.print_folder = print_folder

    @property
    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    async def login(self, username: str, password: str):
        await self.client.get("/login")
        return await self.client.post("/login", data={"username": username, "password": password,
                                                      "_csrf_token": self.csrf}, follow_redirects=False)

    async def printed(self, pattern: str, timeout: float = 5.0) -> list:
        """The receipt files the print worker wrote matching `pattern`, once there are some."""
        folder = self.print_folder
        for _ in range(int(timeout / 0.02)):
            if files := sorted(folder.glob(pattern)):
                return files
            await asyncio.sleep(0.02)
        return []

    async def get(self, url: str, **kwargs):
        return await self.client.get(url, **kwargs)

    async def put_json(self, url: str, json):
        return await self.client.put(url, json=json, headers={"x-csrftoken": self.csrf})

    async def post(self, url: str, json=None, **kwargs):
        return await self.client.post(url, json=json, headers={"x-csrftoken": self.csrf}, **kwargs)


@contextlib.asynccontextmanager
async def running(app):
    """The app's own start-up and shut-down around the requests a test sends it (pytest runs a fixture's set-up
    and tear-down in two tasks, so the app's lifespan is run by hand)."""
    for hook in app.on_startup:
        await hook(app)
    try:
        yield app
    finally:
        for hook in app.on_shutdown:
            await hook(app)


def client_of(app, address: str = "127.0.0.1") -> httpx.AsyncClient:
    """Real HTTP requests through the ASGI app, from `address`, served in the test's own event loop (so the app
    and the test share one database engine and its PostgreSQL pool)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)),
                             base_url="http://testserver.local")


@pytest.fixture
async def browser(db, settings, goods):
    """A client of the test shop's app (logged out), with the catalogue of `goods`."""
    async with running(create_app(settings, engine=db)) as app, client_of(app) as client:
        yield Till(client, Path(settings.printer.path))


class Shop:
    """The test shop's app, and browsers opened on it from any address: `await shop.browser("10.0.0.7")`."""

    def __init__(self, app, print_folder: Path) -> None:
        self.app, self.print_folder, self.clients = app, print_folder, []

    async def browser(self, address: str = "127.0.0.1") -> Till:
        client = client_of(self.app, address)
        self.clients.append(client)
        return Till(client, self.print_folder)

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

import asyncio
from pathlib import Path

import httpx
import pytest

from web.app import create_app


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


@pytest.fixture
async def browser(db, settings, goods):
    """A client of the test shop's app (logged out), with the catalogue of `goods`.

    Real HTTP requests through the ASGI app, served in the test's own event loop (so the
    app and the test share one database engine and its PostgreSQL pool).
    """
    app = create_app(settings, engine=db)
    for hook in app.on_startup:  # the app's own start-up (pytest runs set-up and tear-down in two tasks)
        await hook(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local") as client:
        yield Till(client, Path(settings.printer.path))
    for hook in app.on_shutdown:
        await hook(app)


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

"""Security headers on every answer, Secure cookies behind HTTPS ([server] https), and a missing or stale CSRF
token answered as an expired page, not as a role that may not."""

from pathlib import Path

import httpx
import msgspec

from tests.web.conftest import Till, running
from web.app import create_app


async def test_every_kind_of_answer_carries_the_security_headers(manager):
    for url in ("/login", "/manager", "/api/printing/jobs", "/static/till.js", "/no-such-page"):
        response = await manager.get(url)
        assert response.headers["x-content-type-options"] == "nosniff", url
        assert response.headers["x-frame-options"] == "DENY", url
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], url
        assert response.headers["referrer-policy"] == "same-origin", url
        assert "strict-transport-security" not in response.headers, url  # plain HTTP: no HSTS
    # the API documentation loads its viewers from a CDN: no CSP there, the rest as everywhere
    docs = await manager.get("/schema/swagger")
    assert "content-security-policy" not in docs.headers and docs.headers["x-frame-options"] == "DENY"
    # and no cookie is Secure on plain HTTP, or the till could never log in
    assert all("secure" not in c.lower() for c in (await manager.get("/login")).headers.get_list("set-cookie"))


async def test_behind_https_cookies_are_secure_and_browsers_keep_to_https(db, settings, goods):
    # given the shop configured as reached over HTTPS
    https = msgspec.structs.replace(settings, server=msgspec.structs.replace(settings.server, https=True))
    async with running(create_app(https, engine=db)) as app:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://shop.test") as client:
            browser = Till(app, client, Path(settings.printer.path))
            # when the manager logs in
            form = await client.get("/login")
            login = await browser.login("manager", "manager-pw")
            # then both the CSRF cookie and the session cookie are Secure, and HSTS is sent
            cookies = form.headers.get_list("set-cookie") + login.headers.get_list("set-cookie")
            assert any(c.startswith("csrftoken=") and "secure" in c.lower() for c in cookies), cookies
            assert any(c.startswith("aixin_session=") and "secure" in c.lower() for c in cookies), cookies
            assert form.headers["strict-transport-security"].startswith("max-age=")


async def test_a_write_without_its_csrf_token_says_the_page_expired(manager):
    # given a page whose CSRF token is gone (open since before a restart, or another browser's)
    manager.client.cookies.delete("csrftoken")
    # when it posts
    response = await manager.client.post("/api/printing/jobs/1/reprint", headers={"x-csrftoken": "stale"})
    # then it is told the page expired, in the person's language
    assert response.status_code == 403
    assert response.json()["code"] == "page-expired" and "刷新" in response.json()["detail"]

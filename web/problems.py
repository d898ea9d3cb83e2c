"""What a person is told when a request is refused or fails: a problem (application/problem+json) in their language,
or, for a page opened without logging in, the login page. create_app registers the three exception handlers.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException, ValidationException
from litestar.response import Redirect

from shop.database import is_disk_full
from shop.errors import DomainError
from web.i18n import domain_error_message, error_message
from web.shopfront import locale_of

log = logging.getLogger("aixin")


def problem(request: Request, status: int, code: str, detail: str, **extra: Any) -> Response:
    body = {"type": f"urn:aixin:error:{code}", "title": code, "status": status, "detail": detail,
            "code": code, **extra}
    return Response(body, status_code=status, media_type="application/problem+json")


def _wants_page(request: Request) -> bool:
    return not request.url.path.startswith("/api") and request.method == "GET"


def on_domain_error(request: Request, error: DomainError) -> Response:
    params = {k: v for k, v in error.params.items() if isinstance(v, (str, int, bool))}
    return problem(request, error.status, str(error.code), domain_error_message(locale_of(request), error),
                   params=params)


def on_http_error(request: Request, error: HTTPException) -> Response:
    locale = locale_of(request)
    if isinstance(error, NotAuthorizedException):
        if _wants_page(request):
            return Redirect(f"/login?next={request.url.path}")
        return problem(request, 401, "not-logged-in", error_message(locale, "not-logged-in", {}))
    if isinstance(error, PermissionDeniedException):
        if error.detail == CSRF_FAILED:  # a page open since before a restart or a logout, or a forged form
            return problem(request, 403, "page-expired", error_message(locale, "page-expired", {}))
        return problem(request, 403, "forbidden", error_message(locale, "forbidden", {}))
    if isinstance(error, ValidationException):
        reasons = "; ".join(
            f"{e.get('key') or ''} {e.get('message', '')}".strip() for e in (error.extra or []) if isinstance(e, dict)
        ) or str(error.detail)
        return problem(request, 400, "malformed-request",
                       error_message(locale, "malformed-request", {"reason": reasons}))
    if error.status_code == 404:
        return problem(request, 404, "not-found", error_message(locale, "not-found", {}))
    return problem(request, error.status_code, "http-error", str(error.detail))


CSRF_FAILED = "CSRF token verification failed"  # what Litestar's CSRF middleware raises, word for word


def on_server_error(request: Request, error: Exception) -> Response:
    if is_disk_full(error):  # rolled back whole; the next write works once there is room again, with no restart
        log.error("the disk is full: %s %s was not saved (%s)", request.method, request.url.path, error)
        return problem(request, 507, "disk-full", error_message(locale_of(request), "disk-full", {}))
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return problem(request, 500, "server-error", error_message(locale_of(request), "server-error", {}))

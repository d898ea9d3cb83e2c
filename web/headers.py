"""Security headers on every answer: no framing, no sniffing, no referrer leaving the shop, scripts and styles
only from the shop's own server; behind HTTPS ([server] https = true), browsers told to keep to it."""

from __future__ import annotations

from litestar.types import Message, Scope

_ALWAYS = (
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
    # The pages' scripts and styles are the shop's own files; a few pages still carry a small inline script or a
    # confirm() on a form, hence 'unsafe-inline' for scripts. Images: the shop's own and data: (label previews).
    ("content-security-policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                                "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
                                "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"),
)
_HTTPS = (("strict-transport-security", "max-age=31536000"),)


def security_headers(*, https: bool):
    """A Litestar `before_send` hook: it sees every answer, a 404 for an unknown path too (route middleware
    does not). The headers go in as the raw bytes ASGI carries, made once; a header the answer already has
    (a page's own policy) is kept."""
    headers = tuple((name.encode(), value.encode()) for name, value in _ALWAYS + (_HTTPS if https else ()))
    # /schema's API documentation pages (Scalar, Swagger) load their viewers from a CDN: no CSP there
    documentation = tuple(h for h in headers if h[0] != b"content-security-policy")

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        answer = message.setdefault("headers", [])
        if not isinstance(answer, list):
            answer = message["headers"] = list(answer)
        present = {name.lower() for name, _ in answer}
        answer.extend(h for h in (documentation if scope["path"].startswith("/schema") else headers)
                      if h[0] not in present)

    return before_send

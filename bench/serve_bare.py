"""The reference for the HTTP benchmark: a bare Litestar app with one trivial endpoint,
GET /hello -> {"hello": "world", "n": 1}, run by uvicorn exactly like the real app (one worker):

    .venv/bin/python -m uvicorn --app-dir bench serve_bare:app \
        --host 127.0.0.1 --port 8101 --workers 1 --no-access-log --log-level warning

(The "stack floor", the real app's middleware before a constant answer, is serve_app.py:floor.)
"""

from __future__ import annotations

from litestar import Litestar, get


@get("/hello", sync_to_thread=False)
def hello() -> dict[str, object]:
    return {"hello": "world", "n": 1}


app = Litestar(route_handlers=[hello], openapi_config=None)

"""The till's side of the catalogue feed, in Debian's chromium: 300,000 items into IndexedDB, then the till ready
with the server gone.

    .venv/bin/python bench/catalogue_feed_browser_bench.py                 # SQLite, 300,000 items
    .venv/bin/python bench/catalogue_feed_browser_bench.py --items 30000

What it does:
  1. a fresh SQLite shop (`aixin demo` and --items items, as bench/catalogue_feed_bench.py makes them) served by the
     real app (uvicorn, one worker, 127.0.0.1), the demo cashier logged in (the session cookie given to the browser);
  2. a page of the shop's origin with the till's own store (web/static/till_store.js, loaded from the server) walks
     the whole catalogue into IndexedDB with AixinTillStore.syncCatalogue, fetching pages as till.js does: the time
     from the first request to the last page committed, the items stored, and the origin's storage use;
  3. the server is stopped; a new tab of the same origin, answered by Playwright as the till's service worker
     answers it (a page and till_store.js from memory, nothing from the network), opens the store and prices
     codes from it: the time from navigation to the first code priced ("the till ready offline") and a lookup's
     median and slowest over 200 random codes;
  4. prints the numbers and writes JSON (--json, default bench/results/catalogue_feed_browser.json).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from catalogue_feed_bench import add_items_sqlite  # noqa: E402
from http_bench import (  # noqa: E402
    AIXIN, Server, app_env, code_fingerprint, extra_codes, free_port, fresh_database, log, login, uvicorn_command,
)

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]
STUB = "<!doctype html><html><head><meta charset='utf-8'><title>till</title></head><body></body></html>"

WALK = """async ({limit}) => {
  const started = performance.now();
  let pages = 0, slowestFetch = 0;
  const fetchPage = async ({since, after, limit, day}) => {
    const query = new URLSearchParams({since, after, limit});
    if (day) query.set("day", day);
    const asked = performance.now();
    const response = await fetch("/api/till/catalogue?" + query, {credentials: "same-origin"});
    if (!response.ok) throw new Error("catalogue " + response.status);
    const page = await response.json();
    slowestFetch = Math.max(slowestFetch, performance.now() - asked);
    pages += 1;
    return page;
  };
  const done = await AixinTillStore.syncCatalogue(fetchPage, {limit});
  const ms = performance.now() - started;
  const count = await AixinTillStore.itemCount();
  const estimate = navigator.storage && navigator.storage.estimate ? await navigator.storage.estimate() : {};
  return {ms, pages, slowestFetch, count, version: done.version, usage: estimate.usage || null};
}"""

READY = """async (codes) => {
  await AixinTillStore.open();
  const catalogue = await AixinTillStore.catalogue();
  const first = await AixinTillStore.item(codes[0]);
  const ready = performance.now();  // since this tab's navigation began
  const times = [];
  let found = 0;
  for (const code of codes) {
    const asked = performance.now();
    if (await AixinTillStore.item(code)) found += 1;
    times.push(performance.now() - asked);
  }
  return {ready, version: catalogue.version, firstPrice: first && first.price_fen, found, times};
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description="the till's IndexedDB copy of a large catalogue (see the docstring)")
    parser.add_argument("--items", type=int, default=300_000)
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--json", default=str(BENCH / "results" / "catalogue_feed_browser.json"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="aixin-feed-browser-"))
    results: dict = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "items": args.items,
                     "limit": args.limit, "code": code_fingerprint()}
    server = None
    try:
        url = fresh_database("sqlite", workdir, "")
        env = app_env(url, workdir)
        subprocess.run([AIXIN, "demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        codes = extra_codes(args.items)
        add_items_sqlite(url[len("sqlite:///"):], codes)
        port = free_port()
        origin = f"http://127.0.0.1:{port}"
        server = Server("app", uvicorn_command("serve_app:app", port, factory=True), env, port, "/login",
                        workdir / "app.log")
        server.wait_ready()
        cookies = login(port)
        store_js = (ROOT / "web" / "static" / "till_store.js").read_text()

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            context = browser.new_context()
            context.add_cookies([{"name": name, "value": value, "url": origin} for name, value in cookies.items()])
            page = context.new_page()
            page.route(f"{origin}/bench/till", lambda route: route.fulfill(body=STUB, content_type="text/html"))
            page.goto(f"{origin}/bench/till")
            page.add_script_tag(url="/static/till_store.js")
            walk = page.evaluate(WALK, {"limit": args.limit})
            results["walk"] = {"seconds": round(walk["ms"] / 1000, 2), "pages": walk["pages"], "items": walk["count"],
                               "slowest_fetch_ms": round(walk["slowestFetch"], 1), "storage_mb":
                               walk["usage"] and round(walk["usage"] / 2**20, 1)}
            log(f"IndexedDB: {walk['count']} items in {walk['ms'] / 1000:.1f} s ({walk['pages']} pages, slowest fetch "
                f"{walk['slowestFetch']:.0f} ms), storage {results['walk']['storage_mb']} MB")
            page.close()

            server.stop()
            server = None
            offline = context.new_page()

            def as_the_worker(route):  # the service worker's cache: the page and its script, nothing else
                path = route.request.url.removeprefix(origin)
                if path == "/bench/till":
                    route.fulfill(body=STUB.replace("<body>", f"<body><script>{store_js}</script>"),
                                  content_type="text/html")
                else:
                    route.abort("connectionrefused")

            offline.route(f"{origin}/**", as_the_worker)
            offline.goto(f"{origin}/bench/till")
            sample = random.Random(3).sample(codes, 200)
            ready = offline.evaluate(READY, sample)
            results["offline"] = {"ready_ms": round(ready["ready"], 1), "version": ready["version"],
                                  "found": ready["found"], "lookup_median_ms": round(statistics.median(ready["times"]), 2),
                                  "lookup_max_ms": round(max(ready["times"]), 2)}
            log(f"offline: ready (store open, first code priced) {ready['ready']:.0f} ms after navigation; "
                f"{ready['found']}/200 codes found, lookup median {results['offline']['lookup_median_ms']} ms, "
                f"slowest {results['offline']['lookup_max_ms']} ms")
            browser.close()
        return 0
    finally:
        if server is not None:
            server.stop()
        out = Path(args.json)
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    sys.exit(main())

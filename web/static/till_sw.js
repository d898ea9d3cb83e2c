// The till's service worker (served at /till-sw.js, scope /till): when the server or the network is gone, a reload
// of the till still shows the page as it was last rendered for this cashier (network first, this cache as the
// fallback), with its scripts, styles and words. The API is never answered from here: till.js decides what to do
// when the server does not answer.
"use strict";
const CACHE = "aixin-till-v1";
const PAGE = "/till";
const FILES = ["/static/aixin.js", "/static/till.js", "/static/till_returns.js", "/static/till_store.js",
               "/static/aixin.css"];
const WAIT_MS = 4000;  // a network that hangs rather than refuses: the cached copy after this long

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(FILES);
    await keepPage(cache, await fetch(PAGE, { credentials: "same-origin" }).catch(() => null));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith("aixin-till-") && name !== CACHE) await caches.delete(name);
    await self.clients.claim();  // the page that registered it is served by it from now on, without a reload
  })());
});

// Only the till page as a cashier sees it: not a redirect to the login page, not an error.
async function keepPage(cache, response) {
  if (response && response.ok && !response.redirected && response.type === "basic") {
    await cache.put(PAGE, response.clone());
  }
  return response;
}

async function fromNetwork(request) {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), WAIT_MS);
  try {
    return await fetch(request, { signal: stop.signal });
  } finally { clearTimeout(timer); }
}

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fromNetwork(request);
    if (response.status < 500) {
      if (key === PAGE) await keepPage(cache, response);
      else if (response.ok) await cache.put(key, response.clone());
      return response;
    }
    return (await cache.match(key)) || response;  // the server is there but failing: the copy is better
  } catch (error) {
    const kept = await cache.match(key);
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && (url.pathname === PAGE || url.pathname === PAGE + "/")) {
    event.respondWith(networkFirst(request, PAGE));
  } else if (FILES.includes(url.pathname)) {
    event.respondWith(networkFirst(request, url.pathname));
  }
});

// What every page's script shares: money in integer fen (never a float), and the JSON API with the CSRF header.
"use strict";
// crypto.randomUUID exists only in a secure context: a till reaching the server over plain http:// on the LAN gets a
// version-4 UUID from crypto.getRandomValues (there in every context) for its idempotency keys (the till's sales and
// returns, the intake desk's donations): every page with a script loads this file first.
if (!crypto.randomUUID) {
  crypto.randomUUID = () => {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
}
window.Aixin = (() => {
  function yuan(fen) {
    const sign = fen < 0 ? "-" : "";
    fen = Math.abs(fen);
    return `${sign}¥${Math.floor(fen / 100).toLocaleString("en-US")}.${String(fen % 100).padStart(2, "0")}`;
  }
  // "12.5" -> 1250 fen, without floating point; null when it is not an amount.
  function fenOf(text) {
    const m = /^\s*[¥￥]?\s*(\d{1,8})(?:\.(\d{0,2}))?\s*$/.exec(text);
    return m ? Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0")) : null;
  }
  // A JSON call as this page's user; a lapsed login goes back to the login page, then here.
  async function api(csrf, method, url, body) {
    const response = await fetch(url, {
      method, credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrftoken": csrf, "accept": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(() => ({}));
    if (response.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); }
    return { ok: response.ok, status: response.status, data };
  }
  return { yuan, fenOf, api };
})();

// The till's own store in the browser (IndexedDB, its raw API): the shop's catalogue, kept up to date by catalogue
// version, so a scan is priced when the server does not answer; and the journal of offline sales, each written
// with its till number in one transaction before the screen says it is done. Plain JavaScript, beside till.js.
"use strict";
window.AixinTillStore = (() => {
  const NAME = "aixin-till", VERSION = 1;
  // items: ItemRow by barcode (GET /api/till/catalogue); meta: {key, value} (catalogue version and day, a walk in
  // progress, the per-till counters); journal: the offline sales not yet accepted, by their order of making (seq);
  // settle: the ones the server held or refused, kept for a manager (never dropped).
  let opened = null;
  function open() {
    opened ??= new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("items", { keyPath: "barcode" });
        db.createObjectStore("meta", { keyPath: "key" });
        db.createObjectStore("journal", { keyPath: "seq" });
        db.createObjectStore("settle", { keyPath: "seq" });
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => { db.close(); opened = null; };
        resolve(db);
      };
      request.onerror = () => { opened = null; reject(request.error); };
    });
    return opened;
  }
  // One transaction over `stores`; `work(tx)` queues requests; resolves with what `work` returned once committed.
  // Durability "strict" (on disk when it completes) unless said otherwise: a catalogue page can be fetched again.
  async function inTransaction(stores, mode, work, durability = "strict") {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(stores, mode, { durability });
      let result;
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
      Promise.resolve(work(tx)).then((value) => { result = value; }, (error) => { try { tx.abort(); } catch (_) { /* committed already */ } reject(error); });
    });
  }
  const req = (request) => new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

  async function meta(key) {
    return inTransaction(["meta"], "readonly", async (tx) => {
      const row = await req(tx.objectStore("meta").get(key));
      return row ? row.value : undefined;
    });
  }
  const item = (barcode) => inTransaction(["items"], "readonly", (tx) => req(tx.objectStore("items").get(barcode)));
  const itemCount = () => inTransaction(["items"], "readonly", (tx) => req(tx.objectStore("items").count()));
  // Test and bench use: rows straight into the store (e.g. an item the server has never heard of).
  const putItems = (rows) => inTransaction(["items"], "readwrite", (tx) => {
    const items = tx.objectStore("items");
    for (const row of rows) items.put(row);
  });

  // -- the catalogue: since=0 walks the whole of it a page at a time; since=V walks what changed after V -----------
  // The walk is kept in meta ("walk") after each page, so a reload half-way carries on where it was. The version
  // is the first page's; it becomes the catalogue's only when the walk is done.
  async function syncCatalogue(fetchPage, { limit = 2000 } = {}) {
    let walk = await meta("walk");
    const done = (await meta("catalogue")) || { version: 0, day: null };
    // a copy made before pages carried the rotation has no intake days to age its prices by: walked once again
    if (!walk && done.version && !done.rotation) walk = { since: 0, day: null, after: 0, version: null, fresh: true };
    if (!walk) walk = { since: done.version, day: done.day, after: 0, version: null };
    let pages = 0, changed = 0;
    for (;;) {
      const page = await fetchPage({ since: walk.since, after: walk.after, limit, day: walk.day });
      if (page.full && walk.since !== 0) {  // too far behind to be brought up to date: the whole of it again
        walk = { since: 0, day: null, after: 0, version: null, fresh: true };
        continue;
      }
      const version = walk.version ?? page.version;
      const next = page.next_after ?? null;
      await inTransaction(["items", "meta"], "readwrite", (tx) => {
        const items = tx.objectStore("items");
        if (walk.fresh && walk.after === 0) items.clear();  // what was withdrawn meanwhile goes too
        for (const row of page.items) items.put(row);
        for (const barcode of page.removed || []) items.delete(barcode);
        const store = tx.objectStore("meta");
        if (next === null) {
          store.put({ key: "catalogue", value: { version, day: page.day, synced_at: Date.now(),
                                                 rotation: page.rotation || null } });
          store.delete("walk");
        } else {
          store.put({ key: "walk", value: { ...walk, after: next, version } });
        }
      }, next === null ? "strict" : "relaxed");
      pages += 1; changed += page.items.length + (page.removed || []).length;
      if (next === null) return { version, day: page.day, pages, changed };
      walk = { ...walk, after: next, version };
    }
  }
  const catalogue = async () => (await meta("catalogue")) || { version: 0, day: null };

  // -- an item's price on another shop day, offline past midnight (inventory/rotation.py, the same sums) -----------
  // A markdown step moves at the shop's midnight: age = days from the shop day it came in (came_in_day) to `day`;
  // the largest step reached; list price × (100 − percent) // 100, in whole fen (exact: no float division).
  const DAY_MS = 86400000;
  const daysBetween = (from, to) => Math.round((Date.parse(to + "T00:00:00Z") - Date.parse(from + "T00:00:00Z"))
                                               / DAY_MS);
  function priceOn(item, rotation, day) {
    if (!item.came_in_day || !rotation) return { ...item, removal_due: false };
    const age = daysBetween(item.came_in_day, day);
    const percent = rotation.steps.reduce((most, step) => (age >= 7 * step.weeks ? Math.max(most, step.percent) : most),
                                          0);
    const gross = item.list_price_fen * (100 - percent);
    return { ...item, price_fen: (gross - (gross % 100)) / 100, markdown_percent: percent,
             removal_due: rotation.remove_after_weeks > 0 && age >= 7 * rotation.remove_after_weeks };
  }
  // The shop's date now (YYYY-MM-DD) in its zone, as the server counts days; the browser's own date without one.
  function shopDay(zone, at = new Date()) {
    let parts;
    try {
      parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone || undefined, year: "numeric", month: "2-digit",
                                                 day: "2-digit" }).formatToParts(at);
    } catch (_) {  // a zone this browser does not know
      parts = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(at);
    }
    const part = (type) => parts.find((p) => p.type === type).value;
    return `${part("year")}-${part("month")}-${part("day")}`;
  }
  // The item as the copy prices it today (with `today`, the shop's date): the server's price while the copy is of
  // today; once the shop's date is later than the copy's day, priced for today from its intake day and the steps.
  async function itemToday(barcode) {
    const [found, done] = await Promise.all([item(barcode), catalogue()]);
    if (!found) return undefined;
    const rotation = done.rotation || null;
    const today = shopDay(rotation && rotation.zone);
    const priced = priceOn(found, rotation, today);
    if (!done.day || today <= done.day) return { ...found, removal_due: priced.removal_due, today };
    return { ...priced, today };
  }

  // -- the journal -------------------------------------------------------------------------------------------------
  // The till's number and the sale's record in one transaction: two tabs or a reload never get the same number,
  // and no number is given to a sale that was not kept.
  function recordSale(sale) {
    return inTransaction(["meta", "journal"], "readwrite", async (tx) => {
      const store = tx.objectStore("meta");
      const counter = ((await req(store.get("counter:" + sale.till))) || { value: 0 }).value + 1;
      const seq = ((await req(store.get("seq"))) || { value: 0 }).value + 1;
      store.put({ key: "counter:" + sale.till, value: counter });
      store.put({ key: "seq", value: seq });
      const kept = { ...sale, seq, offline_number: sale.till + "-" + String(counter).padStart(7, "0") };
      tx.objectStore("journal").add(kept);
      return kept;
    });
  }
  // The server has this number from another sale (another browser on this till, or this store wiped and counting
  // from 1 again): the sale takes this till's next number, in one transaction with the counter, under the same key.
  function renumber(sale) {
    return inTransaction(["meta", "journal"], "readwrite", async (tx) => {
      const store = tx.objectStore("meta");
      const counter = ((await req(store.get("counter:" + sale.till))) || { value: 0 }).value + 1;
      store.put({ key: "counter:" + sale.till, value: counter });
      const again = { ...sale, offline_number: sale.till + "-" + String(counter).padStart(7, "0"),
                      numbered_first: sale.numbered_first || sale.offline_number };
      tx.objectStore("journal").put(again);
      return again;
    });
  }
  const all = (name) => inTransaction([name], "readonly", (tx) => req(tx.objectStore(name).getAll()));
  const waiting = () => all("journal");  // by seq: the order they were made
  const waitingCount = () => inTransaction(["journal"], "readonly", (tx) => req(tx.objectStore("journal").count()));
  const toSettle = () => all("settle");
  const sent = (seq) => inTransaction(["journal"], "readwrite", (tx) => { tx.objectStore("journal").delete(seq); });
  // Held by the server, or refused: out of the journal into the list to settle, in one transaction.
  const setAside = (sale, outcome) => inTransaction(["journal", "settle"], "readwrite", (tx) => {
    tx.objectStore("journal").delete(sale.seq);
    tx.objectStore("settle").put({ ...sale, ...outcome, set_aside_at: new Date().toISOString() });
  });
  // A refused sale reported to the server for a manager (`refusal`: its id there), or a report the server would not
  // take (`failed`: its code): not reported again either way; still listed here.
  const reported = (seq, { refusal = null, failed = "" } = {}) => inTransaction(["settle"], "readwrite", async (tx) => {
    const settle = tx.objectStore("settle"), sale = await req(settle.get(seq));
    if (sale) settle.put({ ...sale, reported: refusal !== null, refusal, report_failed: failed });
  });
  // The server's highest offline number for this till (T1-0000123): the counter goes past it, so that a browser
  // whose count was lost, or a second browser at the till, seldom gives a number the server has already.
  function countFrom(till, number) {
    const prefix = till.toUpperCase() + "-";
    if (!number || !number.toUpperCase().startsWith(prefix)) return Promise.resolve(undefined);
    const last = Number(number.slice(prefix.length));
    if (!Number.isSafeInteger(last)) return Promise.resolve(undefined);
    return inTransaction(["meta"], "readwrite", async (tx) => {
      const store = tx.objectStore("meta");
      const counter = ((await req(store.get("counter:" + till))) || { value: 0 }).value;
      if (last > counter) store.put({ key: "counter:" + till, value: last });
      return Math.max(last, counter);
    });
  }

  return { open, meta, item, itemCount, putItems, syncCatalogue, catalogue, priceOn, shopDay, itemToday,
           recordSale, renumber, waiting,
           waitingCount, toSettle, sent, setAside, reported, countFrom };
})();

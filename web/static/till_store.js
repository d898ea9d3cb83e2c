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
          store.put({ key: "catalogue", value: { version, day: page.day, synced_at: Date.now() } });
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

  return { open, meta, item, itemCount, putItems, syncCatalogue, catalogue, recordSale, renumber, waiting,
           waitingCount, toSettle, sent, setAside };
})();

// The till: a cart kept in the page, a scan field that keeps focus, cash, and an
// idempotent submit. Plain JavaScript, no build step.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const words = JSON.parse($("words").textContent);
  const fundWords = JSON.parse($("fund-words").textContent);
  let csrf = $("till").dataset.csrf;  // renewed when a page kept offline outlived its token (refreshToken)
  const scan = $("scan"), cash = $("cash"), message = $("message");
  // Restored after a reload, so a half-scanned cart or an unanswered submit is not lost.
  let cart = JSON.parse(localStorage.getItem("aixin.cart") || "null") || newCart();
  let busy = false;
  // The change of the sale just made stays in the big figure until the next scan: the cashier counts it out then.
  let lastChange = null;

  function newCart() { return { key: crypto.randomUUID(), lines: [] }; }
  function save() { localStorage.setItem("aixin.cart", JSON.stringify(cart)); }
  const { yuan, fenOf } = window.Aixin;
  // With discounts the server prices the cart (quoted); without, the sum of the lines is the total.
  const listTotal = () => cart.lines.reduce((sum, l) => sum + l.price_fen * l.quantity, 0);
  const total = () => (hasOverrides() && quoted ? quoted.total_fen : listTotal());
  const fenPerPoint = Number($("till").dataset.fenPerPoint || "100");
  const pointsFen = () => (cart.points ? cart.points.points * fenPerPoint : 0);
  const due = () => Math.max(0, total() - pointsFen());  // what cash pays: points pay first
  function say(text, kind) { message.textContent = text; message.className = "message " + (kind || ""); }
  function focusScan() { if (document.activeElement !== cash) scan.focus(); }

  function render() {
    const body = $("lines");
    body.replaceChildren();
    cart.lines.forEach((line, index) => {
      const row = body.insertRow();
      row.dataset.barcode = line.barcode;
      const name = row.insertCell();
      name.textContent = line.name;
      if (line.warning) { const w = document.createElement("small"); w.className = "warn"; w.textContent = " " + line.warning; name.append(w); }
      const price = row.insertCell(); price.className = "num"; price.textContent = yuan(line.price_fen);
      const qty = row.insertCell(); qty.className = "num qty";
      const minus = button("−", "qty-down", () => setQuantity(index, line.quantity - 1));
      const input = document.createElement("input");
      input.value = line.quantity; input.className = "qty-input"; input.inputMode = "numeric";
      input.setAttribute("aria-label", "qty");
      input.addEventListener("change", () => setQuantity(index, parseInt(input.value, 10)));
      input.addEventListener("keydown", (e) => { if (e.key === "Enter") { input.blur(); scan.focus(); } });
      const plus = button("+", "qty-up", () => setQuantity(index, line.quantity + 1));
      qty.append(minus, input, plus);
      const amount = row.insertCell(); amount.className = "num"; amount.textContent = yuan(line.price_fen * line.quantity);
      showLineDiscount(line, index, amount);
      row.insertCell().append(button("%", "discount", () => openDiscount(index)),
                              button("✕", "remove", () => { cart.lines.splice(index, 1); say(words.removed + ": " + line.name); update(); }));
    });
    $("total").textContent = yuan(total());
    showPoints();
    const given = fenOf(cash.value);
    if (given === null && lastChange !== null && !cart.lines.length) { $("change").textContent = yuan(lastChange); return; }
    $("change").textContent = given === null ? "¥0.00" : yuan(Math.max(0, given - due()));
  }
  function button(text, cls, action) {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = text; b.className = cls;
    b.addEventListener("click", () => { action(); focusScan(); });
    return b;
  }
  function update() { save(); render(); requote(); }
  function setQuantity(index, quantity) {
    if (!Number.isInteger(quantity) || quantity < 1) { cart.lines.splice(index, 1); }
    else { cart.lines[index].quantity = Math.min(quantity, 9999); }
    update();
  }

  const api = (method, url, body) => window.Aixin.api(csrf, method, url, body);
  // As api(), with a time limit: a network that hangs is a server that does not answer. `quiet`: a lapsed login
  // does not leave the page (the background's calls).
  const LOOKUP_MS = 3000, SALE_MS = 10000, SEND_MS = 15000, PAGE_MS = 30000;
  async function ask(method, url, body, ms, quiet) {
    const stop = new AbortController(), timer = setTimeout(() => stop.abort(), ms);
    try {
      const response = await fetch(url, {
        method, credentials: "same-origin", signal: stop.signal,
        headers: { "content-type": "application/json", "x-csrftoken": csrf, "accept": "application/json" },
        body: body ? JSON.stringify(body) : undefined,
      });
      const data = await response.json().catch(() => ({}));
      if (response.status === 401 && !quiet) { location.href = "/login?next=" + encodeURIComponent(location.pathname); }
      return { ok: response.ok, status: response.status, data };
    } finally { clearTimeout(timer); }
  }

  // What the cashier should know about a scanned item: marked down, expired, due off the shelf, none left.
  function warningsOf(item) {
    const said = [];
    if (item.markdown_percent) said.push(words.marked_down.replace("{percent}", item.markdown_percent).replace("{price}", yuan(item.list_price_fen)));
    if (item.expired) said.push(words.expired.replace("{date}", item.expires_on));
    if (item.removal_due) said.push(words.removal_due);
    if (item.on_hand <= 0) said.push(words.out_of_stock);
    return said.join(" ");
  }

  // Scans still being looked up, in the order they came: a scanner's codes and the Enter after them
  // can arrive faster than the answers, and the total must wait for every one of them.
  let lookups = Promise.resolve();
  function afterLookups(work) {
    lookups = lookups.then(work).catch(() => say(words.offline, "error"));
    return lookups;
  }

  async function addCode(code) {
    lastChange = null;
    const existing = cart.lines.find((l) => l.barcode === code || l.typed === code);
    if (existing) { existing.quantity += 1; say(words.added + ": " + existing.name + " × " + existing.quantity, "ok"); update(); return; }
    const answer = online ? await ask("GET", "/api/till/items/" + encodeURIComponent(code), null, LOOKUP_MS)
      .catch(() => null) : null;
    if (!answer || answer.status >= 500) { wentOffline(); await addFromStore(code); return; }
    cameOnline();
    const { ok, data } = answer;
    if (!ok) { say(data.detail || words.offline, "error"); return; }
    const again = cart.lines.find((l) => l.barcode === data.barcode);
    if (again) { again.quantity += 1; }
    else {
      cart.lines.push({ barcode: data.barcode, typed: code, name: data.name, price_fen: data.price_fen, quantity: 1,
                        warning: warningsOf(data) });
    }
    const alarming = data.expired || data.removal_due;
    say(words.added + ": " + data.name + " " + yuan(data.price_fen) + (alarming ? " — " + warningsOf(data) : ""),
        alarming ? "warn" : "ok");
    update();
  }

  async function complete() {
    if (busy) return;
    if (!cart.lines.length) { say(words.cart_empty, "error"); scan.focus(); return; }
    const given = cash.value.trim() === "" && due() === 0 ? 0 : fenOf(cash.value);
    if (given === null && cash.value.trim() !== "") {  // "abc", "5O": not an amount, whatever the total
      say(fill(words.not_an_amount, { text: cash.value.trim() }), "error"); cash.focus(); cash.select(); return;
    }
    if (given === null || given < due()) { say(words.not_enough, "error"); cash.focus(); cash.select(); return; }
    if (!online) { await sellOffline(given); return; }  // the server did not answer the last time: no waiting on it
    if (hasOverrides() && !quoted) { say(words.pricing, "error"); requote(); return; }
    busy = true;
    let answer = null;
    try {
      answer = await askRenewing("POST", "/api/sales", {
        till: $("till-code").value, idempotency_key: cart.key, cash_given_fen: given, expected_total_fen: total(),
        lines: cart.lines.map((l) => ({ barcode: l.barcode, quantity: l.quantity, ...(l.override || {}) })),
        ...tenderAndOverrides(),
      }, SALE_MS);
      if (answer.status >= 500) answer = null;  // rolled back by the server: the journal keeps it instead
    } catch (error) {
      answer = null;  // no answer (refused, cut, or too slow)
    } finally { busy = false; }
    if (!answer) {
      // The sale goes into this browser's journal under the same key: one that did reach the server before its
      // answer was lost is then a replay of that key, never a second sale.
      wentOffline();
      await sellOffline(given);
      return;
    }
    cameOnline();
    const { ok, status, data } = answer;
    if (!ok) {
      say(data.detail || words.offline, "error");
      if (status === 409 && data.code === "idempotency-key-reused") { cart.key = crypto.randomUUID(); save(); }
      if (data.code === "manager-pin-needed" || data.code === "bad-pin") { askPin(); }
      return;
    }
    $("last").hidden = false;
    $("last-number").textContent = data.number;
    $("last-change").textContent = yuan(data.change_fen);
    $("last-fund").textContent = fundWords.fund.replace("{amount}", yuan(data.fund_fen));
    $("last-receipt").href = "/sales/" + data.number + "/receipt";
    $("last-receipt").hidden = $("reprint").hidden = false; $("print-offline").hidden = true;
    say(words.complete + " " + data.number + " · " + words.change + " " + yuan(data.change_fen)
        + (data.points ? " · " + words.points_used.replace("{points}", data.points).replace("{left}", data.points_left) : ""), "ok");
    cart = newCart(); cash.value = ""; pin.value = ""; quoted = null; closePoints(); lastChange = data.change_fen; update();
    scan.focus();
  }

  // A label missing or unreadable: the cashier types the name, or its pinyin initials ("axb" for 爱心杯).
  const found = $("found");
  async function search(text) {
    if (!online) { say(words.offline_no_search, "error"); return; }
    const { ok, data } = await api("GET", "/api/till/search?q=" + encodeURIComponent(text));
    if (!ok) { say(data.detail || words.offline, "error"); return; }
    if (data.length === 1) { addCode(data[0].barcode); return; }
    if (!data.length) { say(words.nothing_found.replace("{text}", text), "error"); return; }
    found.replaceChildren(...data.map((item) => {
      const choice = document.createElement("li");
      const pick = button(`${item.name} · ${yuan(item.price_fen)} · ${item.category}`, "found-item", () => {
        found.hidden = true; addCode(item.barcode);
      });
      pick.dataset.barcode = item.barcode;
      choice.append(pick);
      return choice;
    }));
    found.hidden = false;
    say(words.choose_found.replace("{count}", data.length));
  }
  found.addEventListener("keydown", (event) => {  // arrows move between the choices, Escape goes back
    const choices = [...found.querySelectorAll("button")], at = choices.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && at < choices.length - 1) { event.preventDefault(); choices[at + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? choices[at - 1] : scan).focus(); }
    if (event.key === "Escape") { found.hidden = true; scan.focus(); }
  });

  scan.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && !found.hidden) { event.preventDefault(); found.querySelector("button").focus(); return; }
    if (event.key !== "Enter") return;
    event.preventDefault();
    const code = scan.value.trim();
    scan.value = "";
    found.hidden = true;
    if (code && /[^0-9\s-]/.test(code)) { search(code); return; }  // letters: a name or its pinyin
    if (code) { afterLookups(() => addCode(code)); return; }
    afterLookups(() => {
      if (!cart.lines.length) { say(words.cart_empty, "error"); return; }
      cash.value = (due() / 100).toFixed(2);  // exact cash, ready to overwrite
      cash.focus(); cash.select(); render();
      say(words.pay_prompt);
    });
  });
  cash.addEventListener("input", render);
  cash.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); complete(); }
    if (event.key === "Escape") { scan.focus(); }
  });
  $("complete").addEventListener("click", complete);
  $("reprint").addEventListener("click", async () => {
    const { ok, data } = await api("POST", "/api/sales/" + $("last-number").textContent + "/reprint");
    say(ok ? (data.already_waiting ? words.reprint_waiting : words.reprint_queued) : (data.detail || words.offline),
        ok ? "ok" : "error");
    scan.focus();
    watchPrinter();
  });
  // The banner: while the till's printer fails, say so; the sale goes on, receipts wait in the queue.
  async function watchPrinter() {
    try {
      const { ok, data } = await api("GET", "/api/printing/health?till=" + encodeURIComponent($("till-code").value));
      const banner = $("printer-banner");
      banner.hidden = !(ok && data.failing);
      if (ok && data.failing) {
        banner.textContent = words.printer_failing.replace("{error}", data.error).replace("{waiting}", data.waiting);
      }
    } catch (error) { /* the next look will tell */ }
  }
  // This till's receipts and refund slips that failed to print: listed until they have printed, one button prints
  // them all again (a copy of each, 重打; one still waiting to print is not queued twice).
  const unprintedUrl = () => "/api/till/tills/" + encodeURIComponent($("till-code").value) + "/unprinted";
  const inFewWords = (text) => (text.length > 60 ? text.slice(0, 59) + "…" : text);
  async function watchUnprinted() {
    try {
      const { ok, data } = await api("GET", unprintedUrl());
      if (!ok) return;
      $("unprinted").hidden = !data.length;
      $("unprinted-list").replaceChildren(...data.map((doc) => {
        const item = document.createElement("li");
        item.dataset.number = doc.number;
        const name = doc.document === "refund slip" ? words.unprinted_slip : words.unprinted_receipt;
        const tried = doc.status === "failed" || doc.attempts > 0;
        item.textContent = name.replace("{number}", doc.number) + " · " + doc.time + " · "
          + (tried ? inFewWords(doc.error) : words.unprinted_again);
        return item;
      }));
    } catch (error) { /* the next look will tell */ }
  }
  $("print-unprinted").addEventListener("click", async () => {
    const again = $("print-unprinted");
    again.disabled = true;
    try {
      const { ok, data } = await api("POST", unprintedUrl() + "/reprint");
      const said = ok ? words.unprinted_reprinted.replace("{queued}", data.queued.length)
        .replace("{waiting}", data.already_waiting.length) : (data.detail || words.offline);
      say(said, ok ? "ok" : "error");
    } catch (error) {
      say(words.offline, "error");
    } finally { again.disabled = false; }
    watchUnprinted(); watchPrinter(); scan.focus();
  });
  function watchPrinting() { watchPrinter(); watchUnprinted(); }
  if ($("till-code")) $("till-code").addEventListener("change", watchPrinting);
  watchPrinting();
  setInterval(watchPrinting, 5000);
  $("clear").addEventListener("click", () => {
    if (cart.lines.length && confirm(words.confirm_clear)) { cart = newCart(); cash.value = ""; quoted = null; closePoints(); update(); }
    scan.focus();
  });

  // -- discounts and price overrides: a line's "%" button, or the whole sale; the server prices the cart ------
  let quoted = null, quoting = 0;
  const pin = $("pin");
  function hasOverrides() { return Boolean(cart.discount) || cart.lines.some((l) => l.override); }
  async function requote() {
    if (!hasOverrides() && !cart.points && $("points-form").hidden) { quoted = null; $("pin-row").hidden = !(cart.points && cart.points.household_ref); return; }
    const asked = ++quoting;
    const { ok, data } = await api("POST", "/api/sales/quote", {
      lines: cart.lines.map((l) => ({ barcode: l.barcode, quantity: l.quantity, ...(l.override || {}) })),
      sale_discount: cart.discount || null,
    }).catch(() => ({ ok: false, data: {} }));
    if (asked !== quoting) return;  // a newer cart is being priced
    if (!ok) { quoted = null; say(data.detail || words.offline, "error"); return; }
    quoted = data;
    $("pin-row").hidden = !(data.needs_manager || (cart.points && cart.points.household_ref));
    render();
  }
  function showLineDiscount(line, index, cell) {
    const q = quoted ? quoted.lines[index] : null;
    if (!q || q.barcode !== line.barcode) return;
    if (!q.accepts_points && (cart.points || !$("points-form").hidden)) {  // its category takes cash only
      const note = document.createElement("small");
      note.className = "warn cash-only"; note.textContent = " " + words.cash_only;
      cell.parentElement.cells[0].append(note);
    }
    if (!hasOverrides()) return;
    cell.textContent = yuan(q.value_fen);
    if (q.discount_fen || q.unit_price_fen !== q.price_now_fen) {
      const note = document.createElement("small");
      note.className = "discount-note";
      note.textContent = (q.unit_price_fen !== q.price_now_fen ? " " + words.price_changed_to.replace("{price}", yuan(q.unit_price_fen)) : "")
        + (q.discount_fen ? " −" + yuan(q.discount_fen) : "");
      cell.append(note);
    }
  }
  function tenderAndOverrides() {
    const extra = {};
    if (cart.discount) extra.sale_discount = cart.discount;
    if (cart.points) extra.points = cart.points.household_ref
      ? { points: cart.points.points, household_ref: cart.points.household_ref }
      : { points: cart.points.points, member: cart.points.member };
    if (pin.value.trim()) extra.manager_pin = pin.value.trim();
    return extra;
  }
  function askPin() { $("pin-row").hidden = false; pin.value = ""; pin.focus(); }
  pin.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    if (!cash.value.trim()) cash.value = (due() / 100).toFixed(2);  // exact cash, ready to overwrite
    cash.focus(); cash.select();
  });
  const dialog = $("discount-dialog");
  let discounting = null;  // a line's index, or "sale"
  function openDiscount(index) {
    discounting = index;
    const current = index === "sale" ? (cart.discount || {}) : (cart.lines[index].override || {});
    $("discount-title").textContent = index === "sale" ? words.discount_sale : cart.lines[index].name;
    $("discount-price-row").hidden = index === "sale";
    $("discount-price").value = current.override_price_fen != null ? (current.override_price_fen / 100).toFixed(2) : "";
    $("discount-percent").value = current.discount_percent ?? current.percent ?? "";
    const amount = current.discount_fen ?? current.amount_fen;
    $("discount-amount").value = amount != null ? (amount / 100).toFixed(2) : "";
    $("discount-reason").value = current.reason || "";
    dialog.returnValue = "";  // Escape closes it with no answer
    dialog.showModal();
    (index === "sale" ? $("discount-percent") : $("discount-price")).focus();
  }
  $("sale-discount").addEventListener("click", () => { if (cart.lines.length) openDiscount("sale"); });
  dialog.addEventListener("close", () => {
    const how = dialog.returnValue;
    if (how === "remove") {
      if (discounting === "sale") delete cart.discount; else if (cart.lines[discounting]) delete cart.lines[discounting].override;
    } else if (how === "ok") {
      const price = $("discount-price").value.trim() ? fenOf($("discount-price").value) : null;
      const percent = $("discount-percent").value.trim() ? parseInt($("discount-percent").value, 10) : null;
      const amount = $("discount-amount").value.trim() ? fenOf($("discount-amount").value) : null;
      const reason = $("discount-reason").value.trim();
      if (discounting === "sale") {
        if (percent !== null || amount !== null) cart.discount = { percent, amount_fen: amount, reason };
      } else if (cart.lines[discounting] && (price !== null || percent !== null || amount !== null)) {
        cart.lines[discounting].override = { override_price_fen: price, discount_percent: percent, discount_fen: amount, reason };
      }
    }
    quoted = null; update(); scan.focus();
  });

  // -- paying with points (F2): the member's card or number, then how many points; cash pays the rest -------
  const member = $("member"), points = $("points");
  let fundMode = false, payer = null;  // payer: {member, name, points} or {household_ref, points} (the balance)
  function openPoints() {
    if (!cart.lines.length) { say(words.cart_empty, "error"); scan.focus(); return; }
    if (!online) { say(words.offline_no_points, "error"); scan.focus(); return; }
    $("points-form").hidden = false; member.value = ""; points.value = ""; $("member-info").textContent = "";
    member.focus();
  }
  function closePoints() {
    delete cart.points; payer = null; fundMode = false;
    $("points-form").hidden = true; $("member-label").textContent = words.member_prompt; $("member-info").textContent = "";
  }
  function showPoints() {
    const box = $("points-paid");
    box.textContent = cart.points ? words.points_paying.replace("{points}", cart.points.points).replace("{amount}", yuan(pointsFen()))
      + " · " + (cart.points.household_ref || cart.points.name || cart.points.member) : "";
    $("due").textContent = yuan(due());
  }
  async function findPayer() {
    const code = member.value.trim();
    if (!code) return;
    let found;
    if (fundMode) {
      const { ok, data } = await api("GET", "/api/till/fund-points");
      if (!ok) { say(data.detail || words.offline, "error"); return; }
      found = { household_ref: code.toUpperCase(), name: words.fund, points: data.points };
      $("pin-row").hidden = false;
    } else {
      const { ok, data } = await api("GET", "/api/till/members/" + encodeURIComponent(code));
      if (!ok) {  // the desk's sentence says "find them by name", which the till cannot do
        say(data.code === "unknown-member" ? fill(words.member_not_found, { member: code }) : data.detail || words.offline,
            "error");
        member.select(); return;
      }
      found = { member: data.number, name: data.name, points: data.points };
    }
    payer = found;
    if (!quoted) await requoteNow();
    const most = quoted ? quoted.most_points : Math.floor(total() / fenPerPoint);
    const cashOnly = quoted && quoted.lines.some((l) => !l.accepts_points);
    $("member-info").textContent = words.member_balance.replace("{name}", found.name).replace("{points}", found.points)
      .replace("{most}", most) + (cashOnly ? " " + words.cash_only_goods : "");
    render();
    if (most === 0) { say(words.no_points_goods, "error"); }
    points.value = String(Math.min(found.points, most));
    points.focus(); points.select();
  }
  async function requoteNow() {
    const { ok, data } = await api("POST", "/api/sales/quote", {
      lines: cart.lines.map((l) => ({ barcode: l.barcode, quantity: l.quantity, ...(l.override || {}) })),
      sale_discount: cart.discount || null,
    });
    if (ok) quoted = data;
  }
  function usePoints() {
    const wanted = parseInt(points.value, 10);
    if (!payer) { member.focus(); return; }
    const most = quoted ? quoted.most_points : Math.floor(total() / fenPerPoint);
    if (Number.isInteger(wanted) && wanted > Math.min(payer.points, most)) {  // never show more paid than can be
      say(fill(wanted > payer.points ? words.points_over_balance : words.points_over_goods,
               { name: payer.name, points: payer.points, most }), "error");
      points.focus(); points.select(); return;
    }
    if (!Number.isInteger(wanted) || wanted <= 0) { delete cart.points; }
    else { cart.points = { ...payer, points: wanted }; }
    save(); render();
    cash.value = (due() / 100).toFixed(2);  // the rest in cash, exact, ready to overwrite
    if (cart.points && cart.points.household_ref && !pin.value) { askPin(); return; }
    cash.focus(); cash.select();
    say(words.pay_prompt);
  }
  member.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); findPayer(); }
    if (event.key === "Escape") { closePoints(); render(); scan.focus(); }
  });
  points.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); usePoints(); }
    if (event.key === "Escape") { closePoints(); render(); scan.focus(); }
  });
  $("points-open").addEventListener("click", openPoints);
  $("points-clear").addEventListener("click", () => { closePoints(); update(); scan.focus(); });
  $("fund-mode").addEventListener("click", () => {
    openPoints(); fundMode = true; $("member-label").textContent = words.household_prompt; member.focus();
  });

  // -- parked carts: put this cart aside (F4), serve the next customer, resume it at any till -------------
  async function park() {
    if (!cart.lines.length) { say(words.cart_empty, "error"); return; }
    const note = prompt(words.park_note) ?? null;
    if (note === null) { scan.focus(); return; }
    const { ok, data } = await api("POST", "/api/parked", {
      till: $("till-code").value, note,
      lines: cart.lines.map((l) => ({ barcode: l.barcode, quantity: l.quantity, name: l.name, price_fen: l.price_fen, ...(l.override || {}) })),
    });
    if (!ok) { say(data.detail || words.offline, "error"); return; }
    say(words.parked, "ok");
    cart = newCart(); cash.value = ""; quoted = null; closePoints(); update(); listParked(); scan.focus();
  }
  async function resume(id) {
    if (cart.lines.length) { say(words.finish_first, "error"); return; }
    const { ok, data } = await api("POST", "/api/parked/" + id + "/resume");
    if (!ok) { say(data.detail || words.offline, "error"); listParked(); return; }
    cart = newCart();
    cart.lines = data.lines.map((l) => {
      const override = {};
      for (const k of ["override_price_fen", "discount_percent", "discount_fen", "reason"]) if (l[k] != null) override[k] = l[k];
      return { barcode: l.barcode, typed: l.barcode, name: l.name, price_fen: l.price_fen, quantity: l.quantity,
               ...(Object.keys(override).length ? { override } : {}) };
    });
    say(words.resumed, "ok"); update(); listParked(); scan.focus();
  }
  async function listParked() {
    const { ok, data } = await api("GET", "/api/parked").catch(() => ({ ok: false }));
    if (!ok) return;
    $("parked-box").hidden = !data.length;
    $("parked").replaceChildren(...data.map((p) => {
      const item = document.createElement("li");
      const take = button(`${p.till} · ${p.created_at.slice(11, 16)} · ${p.pieces} · ${yuan(p.total_fen)}${p.note ? " · " + p.note : ""}`,
                          "resume", () => resume(p.id));
      take.dataset.parked = p.id;
      item.append(take);
      return item;
    }));
  }
  $("park").addEventListener("click", park);

  // -- the cashier switch (换人): F9, the button, or [till] idle_lock_minutes without input lock the till ----------
  // The cart stays (in localStorage), shown to the next person only as its count. They scan their staff card or type
  // their username, then their PIN (POST /api/till/cashier): the browser's session becomes theirs, and the page is
  // loaded again, so the header shows their name and their pages, and the cart comes back. Locked, a reload stays
  // locked; a refusal leaves it locked.
  const lock = $("lock"), lockWho = $("lock-who"), lockPin = $("lock-pin"), lockSaid = $("lock-message");
  const idleMs = Number(lock.dataset.idleMinutes || "0") * 60000;
  const BADGE = /^ST[0-9]{12}$/i;  // a staff card's code as the scanner types it (shop/staff.py is_badge)
  let lastInput = Date.now();
  function lockTill() {
    if (lock.open) return;
    localStorage.setItem("aixin.locked", "1");
    $("lock-count").textContent = cart.lines.reduce((count, line) => count + line.quantity, 0);
    $("till").style.visibility = "hidden";
    lockWho.value = ""; lockPin.value = ""; lockSaid.textContent = "";
    lock.showModal();
    lockWho.focus();
  }
  async function unlock() {
    const typed = lockWho.value.trim();
    if (!typed) { lockWho.focus(); return; }
    if (!lockPin.value) { lockPin.focus(); return; }
    const body = { pin: lockPin.value, ...(BADGE.test(typed) ? { badge: typed } : { username: typed }) };
    lockPin.value = "";
    const answer = await ask("POST", "/api/till/cashier", body, SALE_MS, true).catch(() => null);
    if (!answer || !answer.ok) {
      lockSaid.textContent = answer && answer.data.detail ? answer.data.detail : words.offline;
      if (answer && answer.data.code === "wrong-cashier-pin") { lockPin.focus(); }
      else { lockWho.focus(); lockWho.select(); }
      return;
    }
    csrf = answer.data.csrf_token;
    localStorage.removeItem("aixin.locked");
    location.reload();
  }
  lock.addEventListener("cancel", (event) => event.preventDefault());  // Escape does not unlock
  lockWho.addEventListener("keydown", (event) => {  // a scanner's Enter after the badge: on to the PIN
    if (event.key !== "Enter") return;
    event.preventDefault();
    if (lockWho.value.trim()) lockPin.focus();
  });
  $("lock-form").addEventListener("submit", (event) => { event.preventDefault(); unlock(); });
  $("switch-cashier").addEventListener("click", lockTill);
  for (const kind of ["keydown", "pointerdown"]) document.addEventListener(kind, () => { lastInput = Date.now(); }, true);
  if (idleMs) setInterval(() => { if (Date.now() - lastInput >= idleMs) lockTill(); }, Math.min(idleMs, 15000));
  if (localStorage.getItem("aixin.locked")) lockTill();

  document.addEventListener("keydown", (event) => {
    if (lock.open) return;  // the till's keys wait for the next cashier
    if (event.key === "F2") { event.preventDefault(); openPoints(); }
    if (event.key === "F4") { event.preventDefault(); park(); }
    if (event.key === "F9") { event.preventDefault(); lockTill(); }
  });
  listParked();
  // -- offline: the browser's copy of the catalogue, and the journal of sales made while the server does not answer --
  // Scans go to the server while it answers, and to the copy (IndexedDB, till_store.js) from the first time it does
  // not, until it answers again (the heartbeat below). A sale made then gets this till's own number and is kept in
  // the journal before the screen says it is done; back online the journal is sent oldest first, one at a time.
  const store = window.AixinTillStore;
  let online = true, waitingNow = 0, refusedNow = 0, lastSync = 0, beating = false;
  const tillNow = () => ($("till-code") ? $("till-code").value : "");
  const fill = (text, values) => Object.entries(values).reduce((t, [k, v]) => t.split("{" + k + "}").join(v), text);
  function wentOffline() { if (online) { online = false; showOffline(); } }
  function cameOnline() { if (!online) { online = true; showOffline(); heartbeat(); } }
  function isoNow() {  // the till's clock, with its offset: the server books the sale at the time it was made
    const d = new Date(), offset = -d.getTimezoneOffset(), p = (n, w = 2) => String(n).padStart(w, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:`
      + `${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}${offset >= 0 ? "+" : "-"}${p(Math.floor(Math.abs(offset) / 60))}:`
      + p(Math.abs(offset) % 60);
  }
  const shortTime = (iso) => iso.slice(0, 10) + " " + iso.slice(11, 16);

  async function addFromStore(code) {
    // priced for the shop's today: past midnight the copy's prices of yesterday are aged a day (till_store.js)
    const item = await store.itemToday(code).catch(() => undefined);
    if (!item) { say(fill(words.offline_unknown_item, { code }), "error"); return; }
    const seen = { ...item, expired: Boolean(item.expires_on && item.expires_on < item.today) };
    const alarming = seen.expired || seen.removal_due;
    const again = cart.lines.find((l) => l.barcode === item.barcode);
    if (again) { again.quantity += 1; }
    else {
      cart.lines.push({ barcode: item.barcode, typed: code, name: item.name, price_fen: item.price_fen, quantity: 1,
                        warning: warningsOf(seen) });
    }
    say(words.added + ": " + item.name + " " + yuan(item.price_fen) + (alarming ? " — " + warningsOf(seen) : ""),
        alarming ? "warn" : "ok");
    update();
  }

  async function sellOffline(given) {
    if (busy) return;
    if (cart.points) { say(words.offline_no_points, "error"); return; }
    if (hasOverrides()) { say(words.offline_no_discount, "error"); return; }
    if (!tillNow()) { say(words.offline, "error"); return; }
    busy = true;
    try {
      const totalFen = listTotal();
      let kept;
      try {
        kept = await store.recordSale({
          till: tillNow(), idempotency_key: cart.key, made_at: isoNow(), cash_given_fen: given,
          lines: cart.lines.map((l) => ({ barcode: l.barcode, quantity: l.quantity, unit_price_fen: l.price_fen })),
          shown: { names: cart.lines.map((l) => l.name), total_fen: totalFen, change_fen: given - totalFen },
        });
      } catch (error) {  // the browser refused to keep it: nothing is said done, the cart stays
        say(words.offline_not_kept, "error"); return;
      }
      $("last").hidden = false;
      $("last-number").textContent = kept.offline_number;
      $("last-change").textContent = yuan(given - totalFen);
      $("last-fund").textContent = "";
      $("last-receipt").hidden = $("reprint").hidden = true;
      $("print-offline").hidden = false;
      fillReceipt(kept);
      say(fill(words.offline_sale_done, { number: kept.offline_number, change: yuan(given - totalFen) }), "ok");
      cart = newCart(); cash.value = ""; pin.value = ""; quoted = null; closePoints(); lastChange = given - totalFen;
      update();
      scan.focus();
      await showOffline();
    } finally { busy = false; }
  }
  // The customer's paper at once: the browser prints this view (the receipt printer's copy comes when the sale
  // reaches the server, also marked 离线销售).
  function fillReceipt(sale) {
    const view = $("offline-receipt");
    const line = (text, cls) => { const p = document.createElement("p"); p.textContent = text; if (cls) p.className = cls; return p; };
    view.replaceChildren(
      line(words.offline_receipt, "offline-mark"),
      line(sale.offline_number + " · " + fill(words.offline_sold_at, { time: shortTime(sale.made_at) })),
      ...sale.lines.map((l, i) => line(`${sale.shown.names[i]}  ${l.quantity} × ${yuan(l.unit_price_fen)}  `
                                        + yuan(l.quantity * l.unit_price_fen))),
      line(words.total + " " + yuan(sale.shown.total_fen), "offline-total"),
      line(words.cash_given + " " + yuan(sale.cash_given_fen) + " · " + words.change + " " + yuan(sale.shown.change_fen)),
    );
  }
  $("print-offline").addEventListener("click", () => {
    document.body.classList.add("printing-offline");
    window.print();
    document.body.classList.remove("printing-offline");
    scan.focus();
  });

  // The banner, and the sales the server held or refused: kept here, shown until a manager has settled them.
  async function showOffline() {
    waitingNow = await store.waitingCount().catch(() => waitingNow);
    const aside = await store.toSettle().catch(() => []);
    refusedNow = aside.filter((s) => s.status === "refused" && !s.reported).length;  // only in this browser
    const banner = $("offline-banner");
    const text = !online ? fill(words.offline_banner, { count: waitingNow })
      : waitingNow && loginNeeded ? fill(words.login_to_send, { count: waitingNow })
      : waitingNow ? fill(words.sending_banner, { count: waitingNow })
      : (window.isSecureContext ? "" : words.needs_https);
    banner.textContent = text; banner.hidden = !text;
    banner.dataset.waiting = waitingNow; banner.dataset.online = online;
    showCounts();
    $("offline-settle").hidden = !aside.length;
    $("offline-settle-list").replaceChildren(...aside.map((sale) => {
      const item = document.createElement("li");
      item.dataset.number = sale.offline_number; item.dataset.status = sale.status;
      item.dataset.reported = Boolean(sale.reported);
      const said = sale.status === "held" ? words.settle_held
        : sale.reported ? words.settle_refused_reported : words.settle_refused;
      item.textContent = fill(said, {
        number: sale.offline_number, time: shortTime(sale.made_at), total: yuan(sale.shown.total_fen),
        detail: sale.detail || sale.reason || "" });
      return item;
    }));
  }

  // What this session's offline sales came to: the server's count of those that arrived, and this browser's of
  // those still in it (GET /api/till/tills/{code}/offline; not asked while offline).
  async function showCounts() {
    const counts = $("offline-counts");
    if (!online || !tillNow()) { counts.hidden = true; return; }
    const answer = await ask("GET", "/api/till/tills/" + encodeURIComponent(tillNow()) + "/offline", null, LOOKUP_MS, true)
      .catch(() => null);
    if (!answer || !answer.ok) { counts.hidden = !waitingNow; counts.textContent = fill(words.offline_counts_here, { waiting: waitingNow }); return; }
    const { received, held, to_settle, last_number } = answer.data;
    await store.countFrom(tillNow(), last_number).catch(() => null);  // the next offline number past the server's
    counts.hidden = !(received || waitingNow);
    counts.textContent = fill(words.offline_counts, { received, held, to_settle, waiting: waitingNow });
  }

  // Back online: oldest first, one at a time, each with its key and the time it was made. One tab sends at a time
  // (navigator.locks: a lock held by a tab is let go when the tab closes or crashes); the server's idempotency key
  // makes a repeat harmless anyway.
  const KEEP_TRYING = new Set(["not-logged-in", "forbidden", "page-expired", "not-found", "http-error"]);
  let loginNeeded = false;
  // A page shown from the cache after the browser was closed carries a CSRF token whose cookie went with the
  // browser: the till page fetched again gives a fresh pair (and is kept for the next offline reload).
  async function refreshToken() {
    const response = await fetch("/till", { credentials: "same-origin" }).catch(() => null);
    if (!response || !response.ok || response.redirected) return false;
    if (window.caches) await caches.open("aixin-till-v1").then((c) => c.put("/till", response.clone())).catch(() => null);
    const token = /data-csrf="([^"]+)"/.exec(await response.text());
    if (!token) return false;
    csrf = $("till").dataset.csrf = token[1];
    for (const field of document.querySelectorAll("input[name=_csrf_token]")) field.value = token[1];  // log out
    return true;
  }
  // As ask(), once more with a renewed token when the page's had expired: same body, same key, so never twice.
  async function askRenewing(method, url, body, ms, quiet) {
    const answer = await ask(method, url, body, ms, quiet);
    if (answer.data.code !== "page-expired" || !(await refreshToken())) return answer;
    return ask(method, url, body, ms, quiet);
  }
  // printed_number: renumbered since it was made, the number on the customer's paper (the server prints it too).
  const bodyOf = (sale) => ({ till: sale.till, offline_number: sale.offline_number, made_at: sale.made_at,
                              idempotency_key: sale.idempotency_key, lines: sale.lines, cash_given_fen: sale.cash_given_fen,
                              ...(sale.numbered_first && sale.numbered_first !== sale.offline_number
                                ? { printed_number: sale.numbered_first } : {}) });
  async function sendJournal() {
    let failing = 0;  // server errors in a row: one sale the server cannot take must not hold back the others
    for (let sale of await store.waiting()) {
      let answer;
      try {
        for (let tries = 0; ; tries += 1) {
          answer = await askRenewing("POST", "/api/till/offline-sales", bodyOf(sale), SEND_MS, true);
          if (answer.data.code !== "offline-number-taken" || tries >= 1000) break;
          sale = await store.renumber(sale);  // its number is another sale's: the next one, same key
        }
      } catch (error) { wentOffline(); return; }
      const { status, data } = answer;
      loginNeeded = data.code === "not-logged-in";
      if (status >= 500) {  // kept in the journal, tried again next time; two in a row: the server is failing
        if (++failing >= 2) return;
        continue;
      }
      failing = 0;
      cameOnline();
      if (status === 200 || status === 201) { await store.sent(sale.seq); }
      else if (status === 202) { await store.setAside(sale, { status: "held", reason: data.reason, detail: data.detail }); }
      else if (status === 408 || status === 429 || KEEP_TRYING.has(data.code)) { return; }  // not about the sale: later
      else {
        await store.setAside(sale, { status: "refused", reason: data.code, detail: data.detail || data.title,
                                     params: data.params || {}, reported: false });
        await reportRefused();
      }
      await showOffline();
    }
  }
  // A sale the server refused is reported to it for a manager (POST /api/till/offline-refusals): the sale as it was
  // sent, with the refusal. Once: marked reported when the server has it (a second report of its key, from another
  // tab, answers the first); until then tried again with each heartbeat. It stays on this till's list either way.
  async function reportRefused() {
    let told = false;
    for (const sale of await store.toSettle().catch(() => [])) {
      if (sale.status !== "refused" || sale.reported || sale.report_failed) continue;
      let answer;
      try {
        answer = await askRenewing("POST", "/api/till/offline-refusals", {
          ...bodyOf(sale), code: sale.reason || "refused", detail: sale.detail || "", params: sale.params || {},
        }, SEND_MS, true);
      } catch (error) { return; }  // no answer: with the next heartbeat
      const { status, data } = answer;
      if (status >= 500 || status === 408 || status === 429 || KEEP_TRYING.has(data.code)) break;  // later
      if (status === 200 || status === 201) await store.reported(sale.seq, { refusal: data.id });
      else await store.reported(sale.seq, { failed: data.code || String(status) });  // kept here, shown as not reported
      told = true;
    }
    if (told) await showOffline();
  }
  async function sendWaiting() {
    if (!(await store.waitingCount().catch(() => 0))) return;
    if (navigator.locks) await navigator.locks.request("aixin-till-journal", { ifAvailable: true }, (lock) => lock && sendJournal());
    else await sendJournal();  // no Web Locks outside a secure context: the server's idempotency alone
  }
  async function syncCatalogue() {
    try {
      const done = await store.syncCatalogue(async ({ since, after, limit, day }) => {
        const query = new URLSearchParams({ since, after, limit });
        if (day) query.set("day", day);
        const { ok, status, data } = await ask("GET", "/api/till/catalogue?" + query, null, PAGE_MS, true);
        if (!ok) throw Object.assign(new Error("catalogue " + status), { status });
        return data;
      });
      lastSync = Date.now();
      $("till").dataset.catalogueVersion = done.version;
      cameOnline();
    } catch (error) {
      if (!error.status || error.status >= 500) wentOffline();
    }
  }
  // Every 5 s while offline or sales wait, else every minute: the catalogue's changes, then the journal.
  async function heartbeat() {
    if (beating) return;
    beating = true;
    try {
      await syncCatalogue();
      if (online) await sendWaiting();
      if (online) await reportRefused();
      await showOffline();
    } finally { beating = false; }
  }
  // (The browser tests beat faster: window.aixinHeartbeatMs, set before the page's scripts run.)
  setInterval(() => { if (!online || waitingNow || Date.now() - lastSync > 60000) heartbeat(); },
              window.aixinHeartbeatMs || 5000);

  // The Z waits for this browser's sales to reach the server (till.js runs before till_returns.js, so this click
  // handler comes first and can stop the close dialog opening).
  $("close-till").addEventListener("click", (event) => {
    if (waitingNow) {
      event.stopImmediatePropagation();
      say(fill(words.z_waiting, { count: waitingNow }), "error");
    } else if (refusedNow && !confirm(fill(words.z_refused, { count: refusedNow }))) {
      event.stopImmediatePropagation();
    }
  });
  // Logging out: warned while sales wait; the page kept for offline use is forgotten (no till for the next person).
  const logout = document.querySelector("form[action='/login/out']");
  if (logout) logout.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (waitingNow && !confirm(fill(words.logout_waiting, { count: waitingNow }))) return;
    if (window.caches) await caches.open("aixin-till-v1").then((cache) => cache.delete("/till")).catch(() => null);
    logout.submit();
  });
  if (window.isSecureContext && "serviceWorker" in navigator) {
    const controlled = () => { if (navigator.serviceWorker.controller) $("till").dataset.serviceWorker = "controls"; };
    navigator.serviceWorker.addEventListener("controllerchange", controlled);
    navigator.serviceWorker.register("/till-sw.js", { scope: "/till" }).then(controlled, () => null);
  }
  showOffline();
  heartbeat();

  // The scan field keeps focus: a click anywhere but the cash field or a control brings it back.
  document.addEventListener("click", (event) => {
    if (!event.target.closest("input, select, button, a")) scan.focus();
  });
  render();
  requote();
  scan.focus();
  $("till").dataset.ready = "true";  // the scan field listens now (a test's keystrokes must not come before)
})();

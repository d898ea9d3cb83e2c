// The till: a cart kept in the page, a scan field that keeps focus, cash, and an
// idempotent submit. Plain JavaScript, no build step.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const words = JSON.parse($("words").textContent);
  const fundWords = JSON.parse($("fund-words").textContent);
  const csrf = $("till").dataset.csrf;
  const scan = $("scan"), cash = $("cash"), message = $("message");
  // Restored after a reload, so a half-scanned cart or an unanswered submit is not lost.
  let cart = JSON.parse(localStorage.getItem("aixin.cart") || "null") || newCart();
  let busy = false;

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
    const existing = cart.lines.find((l) => l.barcode === code || l.typed === code);
    if (existing) { existing.quantity += 1; say(words.added + ": " + existing.name + " × " + existing.quantity, "ok"); update(); return; }
    const { ok, data } = await api("GET", "/api/till/items/" + encodeURIComponent(code));
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
    if (given === null || given < due()) { say(words.not_enough, "error"); cash.focus(); cash.select(); return; }
    if (hasOverrides() && !quoted) { say(words.pricing, "error"); requote(); return; }
    busy = true;
    try {
      const { ok, status, data } = await api("POST", "/api/sales", {
        till: $("till-code").value, idempotency_key: cart.key, cash_given_fen: given, expected_total_fen: total(),
        lines: cart.lines.map((l) => ({ barcode: l.barcode, quantity: l.quantity, ...(l.override || {}) })),
        ...tenderAndOverrides(),
      });
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
      say(words.complete + " " + data.number + " · " + words.change + " " + yuan(data.change_fen)
          + (data.points ? " · " + words.points_used.replace("{points}", data.points).replace("{left}", data.points_left) : ""), "ok");
      cart = newCart(); cash.value = ""; pin.value = ""; quoted = null; closePoints(); update();
      scan.focus();
    } catch (error) {
      say(words.offline, "error");  // the same key goes again with the next Enter
    } finally { busy = false; }
  }

  // A label missing or unreadable: the cashier types the name, or its pinyin initials ("axb" for 爱心杯).
  const found = $("found");
  async function search(text) {
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
      if (!ok) { say(data.detail || words.offline, "error"); member.select(); return; }
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
  document.addEventListener("keydown", (event) => {
    if (event.key === "F2") { event.preventDefault(); openPoints(); }
    if (event.key === "F4") { event.preventDefault(); park(); }
  });
  listParked();
  // The scan field keeps focus: a click anywhere but the cash field or a control brings it back.
  document.addEventListener("click", (event) => {
    if (!event.target.closest("input, select, button, a")) scan.focus();
  });
  render();
  requote();
  scan.focus();
  $("till").dataset.ready = "true";  // the scan field listens now (a test's keystrokes must not come before)
})();

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
  const total = () => cart.lines.reduce((sum, l) => sum + l.price_fen * l.quantity, 0);
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
      row.insertCell().append(button("✕", "remove", () => { cart.lines.splice(index, 1); say(words.removed + ": " + line.name); update(); }));
    });
    $("total").textContent = yuan(total());
    const given = fenOf(cash.value);
    $("change").textContent = given === null ? "¥0.00" : yuan(Math.max(0, given - total()));
  }
  function button(text, cls, action) {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = text; b.className = cls;
    b.addEventListener("click", () => { action(); focusScan(); });
    return b;
  }
  function update() { save(); render(); }
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
    const given = fenOf(cash.value);
    if (given === null || given < total()) { say(words.not_enough, "error"); cash.focus(); cash.select(); return; }
    busy = true;
    try {
      const { ok, status, data } = await api("POST", "/api/sales", {
        till: $("till-code").value, idempotency_key: cart.key, cash_given_fen: given, expected_total_fen: total(),
        lines: cart.lines.map((l) => ({ barcode: l.barcode, quantity: l.quantity })),
      });
      if (!ok) {
        say(data.detail || words.offline, "error");
        if (status === 409 && data.code === "idempotency-key-reused") { cart.key = crypto.randomUUID(); save(); }
        return;
      }
      $("last").hidden = false;
      $("last-number").textContent = data.number;
      $("last-change").textContent = yuan(data.change_fen);
      $("last-fund").textContent = fundWords.fund.replace("{amount}", yuan(data.fund_fen));
      $("last-receipt").href = "/sales/" + data.number + "/receipt";
      say(words.complete + " " + data.number + " · " + words.change + " " + yuan(data.change_fen), "ok");
      cart = newCart(); cash.value = ""; update();
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
    if (code) { addCode(code); return; }
    if (!cart.lines.length) { say(words.cart_empty, "error"); return; }
    cash.value = (total() / 100).toFixed(2);  // exact cash, ready to overwrite
    cash.focus(); cash.select(); render();
    say(words.pay_prompt);
  });
  cash.addEventListener("input", render);
  cash.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); complete(); }
    if (event.key === "Escape") { scan.focus(); }
  });
  $("complete").addEventListener("click", complete);
  $("reprint").addEventListener("click", async () => {
    const { ok, data } = await api("POST", "/api/sales/" + $("last-number").textContent + "/reprint");
    say(ok ? words.reprint_queued : (data.detail || words.offline), ok ? "ok" : "error");
    scan.focus();
    watchPrinter();
  });
  // The banner: while the till's printer fails, say so; the sale goes on, receipts wait in the queue.
  async function watchPrinter() {
    try {
      const { ok, data } = await api("GET", "/api/printing/health");
      const banner = $("printer-banner");
      banner.hidden = !(ok && data.failing);
      if (ok && data.failing) {
        banner.textContent = words.printer_failing.replace("{error}", data.error).replace("{waiting}", data.waiting);
      }
    } catch (error) { /* the next look will tell */ }
  }
  watchPrinter();
  setInterval(watchPrinter, 5000);
  $("clear").addEventListener("click", () => {
    if (cart.lines.length && confirm(words.confirm_clear)) { cart = newCart(); cash.value = ""; update(); }
    scan.focus();
  });
  // The scan field keeps focus: a click anywhere but the cash field or a control brings it back.
  document.addEventListener("click", (event) => {
    if (!event.target.closest("input, select, button, a")) scan.focus();
  });
  render();
  scan.focus();
})();

// A stock take's count page: the scan field keeps focus; a USB scanner types the digits and Enter,
// and each scan adds one piece; a typed quantity sets the whole count of the item chosen. Counts go
// to the server one after another, in the order scanned. Plain JavaScript, no build step.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const words = JSON.parse($("words").textContent);
  const page = $("stocktake");
  const csrf = page.dataset.csrf;
  const scan = $("scan"), quantity = $("quantity"), message = $("message");
  const api = (method, url, body) => window.Aixin.api(csrf, method, url, body);
  let chosen = null;  // the barcode a typed quantity sets
  let queue = Promise.resolve();

  function fill(text, values) { return text.replace(/\{(\w+)\}/g, (all, name) => (name in values ? values[name] : all)); }
  function say(text, kind) { message.textContent = text; message.className = "message " + (kind || ""); }
  // The server's refusal in words: this page's own sentences first (the server may not know them yet).
  function refusal(data) { return data.detail || words.offline; }
  const signed = (n) => (n > 0 ? "+" + n : String(n));

  function cell(row, text, cls) { const c = row.insertCell(); c.textContent = text; if (cls) c.className = cls; return c; }
  function showLine(line) {
    const body = $("counted").tBodies[0];
    let row = body.querySelector(`tr[data-barcode="${line.barcode}"]`);
    if (!row) { row = document.createElement("tr"); row.dataset.barcode = line.barcode; body.prepend(row); }
    row.replaceChildren();
    row.className = line.difference ? "differs" : "";
    const name = cell(row, line.name + " ");
    const code = document.createElement("small"); code.textContent = line.barcode; name.append(code);
    cell(row, line.location);
    cell(row, line.expected, "num");
    cell(row, line.counted, "num");
    cell(row, signed(line.difference), line.difference ? "num warn" : "num");
    cell(row, line.on_hand, "num");
    const uncounted = $("uncounted") && $("uncounted").querySelector(`tr[data-barcode="${line.barcode}"]`);
    if (uncounted) uncounted.remove();
    choose(line.barcode, line.name);
    summarize();
  }
  function summarize() {
    const rows = [...$("counted").tBodies[0].rows];
    $("count-counted").textContent = rows.length;
    $("count-differs").textContent = rows.filter((r) => r.classList.contains("differs")).length;
    $("count-uncounted").textContent = $("uncounted") ? $("uncounted").tBodies[0].rows.length : 0;
  }
  function choose(barcode, name) {
    chosen = barcode;
    $("chosen-name").textContent = name;
    quantity.disabled = false;
    for (const row of $("counted").tBodies[0].rows) row.classList.toggle("chosen", row.dataset.barcode === barcode);
  }

  // One count at a time, in the order scanned: a fast scanner never overtakes itself.
  function count(barcode, amount, mode) {
    queue = queue.then(async () => {
      try {
        const { ok, data } = await api("POST", `/api/stocktakes/${page.dataset.id}/counts`,
                                       { barcode, quantity: amount, mode });
        if (!ok) { say(refusal(data), "error"); return; }
        showLine(data);
        say(fill(words.counted, data), "ok");
      } catch (error) {
        say(words.offline, "error");
      }
    });
  }

  scan.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const code = scan.value.trim();
    scan.value = "";
    if (code) count(code, 1, "add");
  });
  quantity.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { quantity.value = ""; scan.focus(); return; }
    if (event.key !== "Enter") return;
    event.preventDefault();
    const text = quantity.value.trim();
    if (!chosen) { say(words.choose_first, "error"); scan.focus(); return; }
    if (!/^\d{1,4}$/.test(text)) { say(words.bad_quantity, "error"); quantity.select(); return; }
    count(chosen, Number(text), "set");
    quantity.value = "";
    scan.focus();
  });
  // A click on a counted line chooses it, to type its whole count.
  $("counted").tBodies[0].addEventListener("click", (event) => {
    const row = event.target.closest("tr");
    if (!row) return;
    choose(row.dataset.barcode, row.cells[0].firstChild.textContent.trim());
    quantity.focus();
  });
  $("post-form").addEventListener("submit", (event) => {
    const counts = { counted: $("count-counted").textContent, uncounted: $("count-uncounted").textContent };
    let question = fill(words.confirm_post, counts);
    if ($("zero-uncounted").checked) question += "\n" + fill(words.confirm_zero, counts);
    if (!confirm(question)) { event.preventDefault(); scan.focus(); }
  });
  $("cancel-form").addEventListener("submit", (event) => {
    if (!confirm(words.confirm_cancel)) { event.preventDefault(); scan.focus(); }
  });
  // The scan field keeps focus: a click anywhere but a field, a control or a counted line brings it back.
  document.addEventListener("click", (event) => {
    if (!event.target.closest("input, select, button, a, label, #counted tbody")) scan.focus();
  });
  scan.focus();
})();

// The till's session and returns: "open the till: count the float" when it is closed, the X report, the close
// with the drawer counted and the Z report; and the return screen, opened by scanning a receipt's sale number
// (S and 8 digits, the receipt's barcode) into the scan field. Plain JavaScript, beside till.js.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const words = JSON.parse($("return-words").textContent);
  const { yuan, fenOf } = window.Aixin;
  const api = (method, url, body) => window.Aixin.api($("till").dataset.csrf, method, url, body);  // till.js renews it
  const scan = $("scan"), message = $("message");
  const tillCode = () => ($("till-code") ? $("till-code").value : "");
  const sessionUrl = () => "/api/tills/" + encodeURIComponent(tillCode()) + "/session";
  const fill = (text, values) => Object.entries(values).reduce((t, [k, v]) => t.replace("{" + k + "}", v), text);
  function say(element, text, kind) { element.textContent = text; element.className = "message " + (kind || ""); }
  // Back to the scan field after a dialog. Chromium hands the focus back to it on close but leaves its caret
  // in the dialog, so a scanner's digits would go nowhere: blur and focus again to move the caret too.
  function refocus() { scan.blur(); scan.focus(); scan.setSelectionRange(scan.value.length, scan.value.length); }
  function time(iso) { return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); }
  function signed(fen) { return (fen > 0 ? "+" : "") + yuan(fen); }

  // -- the session -------------------------------------------------------------------------------------------
  async function checkSession() {
    const asked = tillCode();
    if (!asked) return;
    const { ok, data } = await api("GET", sessionUrl()).catch(() => ({ ok: false, data: {} }));
    if (!ok) return;  // offline: the sale's own message says so; the next look will tell
    if (tillCode() !== asked) return;  // another till was chosen meanwhile: its own look answers (an older answer
                                       // coming last must not close the float dialog the chosen till asked for)
    $("session-bar").hidden = false;
    if (data.is_open) {
      $("session-state").textContent = fill(words.open_state, { time: time(data.session.opened_at), float: yuan(data.session.float_fen) });
      $("close-till").disabled = $("x-report").disabled = false;
      if ($("open-dialog").open) $("open-dialog").close();
    } else {
      $("session-state").textContent = words.closed_state;
      $("close-till").disabled = $("x-report").disabled = true;
      showOpen();
    }
  }
  function showOpen() {
    if ($("open-dialog").open) return;  // already asking (the float may be half typed)
    for (const other of document.querySelectorAll("dialog[open]")) other.close();
    $("open-dialog").showModal();
    $("float").value = ""; say($("open-message"), "");
    $("float").focus();
  }
  $("open-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const fen = fenOf($("float").value || "");
    if (fen === null) { say($("open-message"), words.bad_amount, "error"); $("float").select(); return; }
    const { ok, data } = await api("POST", sessionUrl(), { float_fen: fen });
    if (!ok && data.code !== "till-already-open") { say($("open-message"), data.detail, "error"); return; }
    $("open-dialog").close();
    say(message, fill(words.opened, { float: yuan(fen) }), "ok");
    await checkSession();
    refocus();
  });
  $("open-dialog").addEventListener("cancel", (event) => event.preventDefault());  // Escape does not skip the count

  $("x-report").addEventListener("click", async () => {
    // The offline sales this browser still holds: only it knows them, and the X report says how many are still out.
    const store = window.AixinTillStore;
    const unsent = store ? await store.waitingCount().catch(() => 0) : 0;
    const { ok, data } = await api("POST", sessionUrl() + "/x-report?unsent=" + unsent);
    $("x-report-text").textContent = ok ? data.printed.join("\n") : "";
    say($("x-message"), ok ? words.x_printing : data.detail, ok ? "ok" : "error");
    $("x-dialog").showModal();
  });
  $("x-dialog").addEventListener("close", refocus);

  $("close-till").addEventListener("click", () => {
    $("close-dialog").showModal();
    $("z-result").hidden = true; $("close-confirm").hidden = false; $("close-done").hidden = true;
    $("counted").value = ""; $("counted").disabled = false; say($("close-message"), "");
    $("counted").focus();
  });
  $("close-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if ($("close-confirm").hidden) { finishClose(); return; }
    const fen = fenOf($("counted").value || "");
    if (fen === null) { say($("close-message"), words.bad_amount, "error"); $("counted").select(); return; }
    const { ok, data } = await api("POST", sessionUrl() + "/close", { counted_fen: fen });
    if (!ok) { say($("close-message"), data.detail, "error"); return; }
    $("z-expected").textContent = yuan(data.expected_cash_fen);
    $("z-counted").textContent = yuan(data.counted_fen);
    const os = data.over_short_fen;
    $("z-over-short").textContent = signed(os) + " (" + (os > 0 ? words.over : os < 0 ? words.short : words.even) + ")";
    $("z-report").textContent = data.printed.join("\n");
    $("z-result").hidden = false; $("counted").disabled = true;
    say($("close-message"), fill(words.closed_result, { amount: signed(os) }), os ? "warn" : "ok");
    $("close-confirm").hidden = true; $("close-done").hidden = false; $("close-cancel").hidden = true;
    $("close-done").focus();
  });
  function finishClose() { $("close-dialog").close(); $("close-cancel").hidden = false; checkSession(); }
  $("close-done").addEventListener("click", finishClose);
  $("close-cancel").addEventListener("click", () => { $("close-dialog").close(); refocus(); });
  if ($("till-code") && $("till-code").tagName === "SELECT") $("till-code").addEventListener("change", checkSession);

  // -- returns: a receipt's sale number scanned into the scan field opens the return screen --------------------
  document.addEventListener("keydown", (event) => {
    if (event.target !== scan || event.key !== "Enter") return;
    const code = scan.value.trim().toUpperCase();
    if (!/^S\d{8,12}$/.test(code)) return;  // anything else is the sale's (till.js)
    event.preventDefault(); event.stopImmediatePropagation();
    scan.value = "";
    openReturn(code);
  }, true);

  let returning = null;  // {sale, key}
  async function openReturn(number) {
    const { ok, data } = await api("GET", "/api/returns/sales/" + encodeURIComponent(number));
    if (!ok) { say(message, data.detail, "error"); scan.focus(); return; }
    returning = { sale: data, key: crypto.randomUUID(), done: false };
    $("return-title").textContent = fill(words.return_title, { number: data.number });
    $("return-rule").hidden = !data.tenders.some((t) => t.kind === "points");  // how points come back: only if some were paid
    $("return-paid").textContent = data.tenders.map((t) => t.kind === "points"
      ? fill(words.paid_points, { points: t.points, amount: yuan(t.amount_fen), payer: t.member_number || words.the_fund })
      : fill(words.paid_cash, { amount: yuan(t.amount_fen) })).join(" · ");
    const body = $("return-lines");
    body.replaceChildren();
    for (const line of data.lines) {
      const row = body.insertRow();
      row.dataset.line = line.id; row.dataset.barcode = line.barcode;
      row.insertCell().textContent = line.name + " · " + yuan(line.unit_price_fen);
      const sold = row.insertCell(); sold.className = "num"; sold.textContent = line.quantity;
      const left = row.insertCell(); left.className = "num"; left.textContent = line.returnable;
      const now = row.insertCell(); now.className = "num";
      const input = document.createElement("input");
      input.className = "qty-input back-now"; input.inputMode = "numeric"; input.value = "0";
      input.disabled = line.returnable === 0; input.setAttribute("aria-label", line.name);
      now.append(input);
      const goes = document.createElement("select");
      goes.className = "goes";
      for (const [value, text] of [["", words.restock], ["damaged", words.damaged], ["expired", words.expired],
                                   ["unsellable", words.unsellable]]) {
        goes.add(new Option(text, value));
      }
      row.insertCell().append(goes);
    }
    const nothing = data.lines.every((l) => l.returnable === 0);
    say($("return-message"), nothing ? words.nothing_left : words.choose_pieces, nothing ? "error" : "");
    $("return-confirm").hidden = nothing; $("void-row").hidden = data.returned_fen > 0;
    $("return-reason").value = ""; $("void-pin").value = "";
    $("return-dialog").showModal();
    const first = body.querySelector("input:not(:disabled)");
    if (first) { first.focus(); first.select(); }
  }
  $("return-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!returning || returning.done) { closeReturn(); return; }
    const lines = [...$("return-lines").rows].map((row) => {
      const quantity = parseInt(row.querySelector(".back-now").value, 10) || 0;
      const reason = row.querySelector(".goes").value;
      return { line: Number(row.dataset.line), quantity, restock: !reason, write_off_reason: reason };
    }).filter((l) => l.quantity > 0);
    const { ok, data } = await api("POST", "/api/returns", {
      till: tillCode(), sale: returning.sale.number, idempotency_key: returning.key, lines,
      reason: $("return-reason").value, manager_pin: $("void-pin").value,
    });
    if (!ok) {
      say($("return-message"), data.detail, "error");
      // a cash refund past the shop's limit: a manager types their PIN here, and Enter sends it again
      if (data.code === "refund-needs-manager" || data.code === "bad-pin") { $("void-row").hidden = false; $("void-pin").focus(); }
      return;
    }
    showRefund(data, fill(words.refund_cash, { number: data.number, amount: yuan(data.cash_fen) }));
  });
  $("void-sale").addEventListener("click", async () => {
    if (!returning || !confirm(fill(words.confirm_void, { number: returning.sale.number }))) return;
    const { ok, data } = await api("POST", "/api/returns/void", {
      till: tillCode(), sale: returning.sale.number, idempotency_key: returning.key, manager_pin: $("void-pin").value,
    });
    if (!ok) { say($("return-message"), data.detail, "error"); $("void-pin").focus(); return; }
    showRefund(data, fill(words.voided, { number: data.sale, amount: yuan(data.cash_fen) }));
  });
  function showRefund(data, text) {
    returning.done = true;
    const points = data.refunds.filter((r) => r.kind === "points")
      .map((r) => " " + fill(words.refund_points, { points: r.points, payer: r.member_number || words.the_fund })).join("")
      + (data.owed_fen > 0 ? " " + fill(words.refund_owed, { amount: yuan(data.owed_fen) }) : "");
    say($("return-message"), text + points, "ok");
    say(message, text + points, "ok");
    $("return-close").focus();  // first: a focused field that is disabled leaves Chromium's typing nowhere
    $("return-confirm").hidden = true; $("void-row").hidden = true;
    for (const input of $("return-lines").querySelectorAll("input, select")) input.readOnly = input.disabled = true;
  }
  function closeReturn() { $("return-dialog").close(); }
  $("return-close").addEventListener("click", closeReturn);
  $("return-dialog").addEventListener("close", () => { returning = null; refocus(); });

  checkSession();
  // Another screen may close this till (a manager's office PC): look again now and then, and whenever a
  // sale is refused because the till is closed.
  setInterval(() => { if (!document.querySelector("dialog[open]")) checkSession(); }, 30000);
  new MutationObserver(() => { if (message.classList.contains("error")) checkSession(); })
    .observe(message, { attributes: true, attributeFilter: ["class"] });
})();

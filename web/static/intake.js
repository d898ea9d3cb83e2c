// The intake desk: choose the donor, add the items fast with the keyboard, save once, labels print.
// The draft donation (its items, donor and idempotency key) is kept in localStorage, so a reload or
// an unanswered save loses nothing and never records the donation twice. Plain JavaScript, no build step.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const json = (id) => JSON.parse($(id).textContent);
  const words = { ...json("words"), ...json("page-words") };
  const categories = Object.fromEntries(json("categories").map((c) => [c.code, c]));
  const conditions = json("conditions");
  const csrf = $("intake").dataset.csrf;
  const message = $("message");
  const description = $("description"), quantity = $("quantity"), price = $("price"), barcode = $("barcode");
  const expires = $("expires"), refused = $("refused"), reason = $("refused-reason");
  const STORE = "aixin.intake";
  let draft = JSON.parse(localStorage.getItem(STORE) || "null") || newDraft();
  let priceTyped = false;  // the volunteer typed this item's price: category and condition leave it alone
  let lookedUp = "";  // the barcode last looked up, so Enter then blur asks once
  let busy = false;

  function newDraft(keep) {
    return { key: crypto.randomUUID(), donor: null, items: [],
             category: keep ? keep.category : null, condition: keep ? keep.condition : null };
  }
  function store() { localStorage.setItem(STORE, JSON.stringify(draft)); }
  function fill(text, values) { return text.replace(/\{(\w+)\}/g, (all, name) => (name in values ? values[name] : all)); }
  function say(text, kind) { message.textContent = text; message.className = "message intake-message " + (kind || ""); }
  // The server's sentence when a name holds characters the printers lack (saved as typed, printed as □).
  function warn(warnings) { if (warnings && warnings.length) say(message.textContent + " " + warnings.join(" "), "warn"); }
  const { yuan, fenOf } = window.Aixin;
  const plainYuan = (fen) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;  // for the price field
  const pieces = () => draft.items.reduce((sum, i) => sum + (i.refused_reason ? 0 : i.quantity), 0);

  const api = (method, url, body) => window.Aixin.api(csrf, method, url, body);
  // A call that failed on the network says so; a refusal shows the server's sentence.
  async function call(method, url, body) {
    try {
      const answer = await api(method, url, body);
      if (!answer.ok) say(answer.data.detail || words.offline, "error");
      return answer;
    } catch (error) {
      say(words.offline, "error");
      return { ok: false, status: 0, data: {} };
    }
  }

  // -- the donor ---------------------------------------------------------------------------
  function showDonor() {
    const d = draft.donor;
    $("selected-donor").textContent = d ? d.name + (d.phone ? " · " + d.phone : "") : words.anonymous;
    $("anonymous").setAttribute("aria-pressed", String(!d));
  }
  function chooseDonor(donor, text) {
    draft.donor = donor && !donor.anonymous ? { id: donor.id, name: donor.name, phone: donor.phone } : null;
    store(); showDonor();
    $("donor-results").replaceChildren();
    $("donor-search").value = "";
    say(fill(text || words.chosen, { name: draft.donor ? draft.donor.name : words.anonymous }), "ok");
    description.focus();
  }
  let searchTimer = null;
  async function search(pickSingle) {
    clearTimeout(searchTimer);
    const q = $("donor-search").value.trim();
    const results = $("donor-results");
    if (!q) { results.replaceChildren(); return; }
    const { ok, data } = await call("GET", "/api/donors?q=" + encodeURIComponent(q));
    if (!ok || q !== $("donor-search").value.trim()) return;  // a newer search is on its way
    if (pickSingle && data.length === 1) { chooseDonor(data[0]); return; }
    results.replaceChildren(...data.map((donor) => {
      const b = document.createElement("button");
      b.type = "button"; b.className = "donor";
      b.textContent = (donor.name || words.anonymous) + (donor.phone ? " · " + donor.phone : "");
      b.addEventListener("click", () => chooseDonor(donor));
      return b;
    }));
    if (!data.length) { const p = document.createElement("p"); p.textContent = words.no_donor_found; results.append(p); }
  }
  $("donor-search").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(search, 300); });
  $("donor-search").addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); search(true); }
    if (event.key === "ArrowDown") { const first = $("donor-results").querySelector("button"); if (first) { event.preventDefault(); first.focus(); } }
  });
  $("anonymous").addEventListener("click", () => chooseDonor(null));
  async function register() {
    const { ok, data } = await call("POST", "/api/donors", {
      name: $("donor-name").value.trim(), phone: $("donor-phone").value.trim(), may_contact: $("donor-consent").checked });
    if (!ok) return;
    $("donor-name").value = ""; $("donor-phone").value = ""; $("donor-consent").checked = false;
    chooseDonor(data, words.registered);
    warn(data.warnings);
  }
  $("register-donor").addEventListener("click", register);
  for (const id of ["donor-name", "donor-phone"]) {
    $(id).addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); register(); } });
  }

  // -- the item being entered ----------------------------------------------------------------
  function defaultPrice() {
    if (priceTyped) return;
    const category = categories[draft.category];
    const fen = category && draft.condition ? category.prices[draft.condition] : undefined;
    price.value = fen === undefined ? "" : plainYuan(fen);
  }
  function showChoices() {
    for (const b of document.querySelectorAll("button.category, button.condition")) {
      const chosen = b.classList.contains("category") ? b.dataset.code === draft.category
                                                      : b.dataset.condition === draft.condition;
      b.classList.toggle("chosen", chosen);
      b.setAttribute("aria-pressed", String(chosen));
    }
    const perishable = Boolean(categories[draft.category] && categories[draft.category].perishable);
    $("expires-field").hidden = !perishable;
    expires.required = perishable;
  }
  function choose(field, value) { draft[field] = value; store(); showChoices(); defaultPrice(); }
  for (const b of document.querySelectorAll("button.category")) {
    b.addEventListener("click", () => {
      choose("category", b.dataset.code);
      // keyboard: on to the condition when none is chosen yet, else to the description
      (draft.condition ? description : document.querySelector("button.condition")).focus();
    });
  }
  for (const b of document.querySelectorAll("button.condition")) {
    b.addEventListener("click", () => { choose("condition", b.dataset.condition); description.focus(); });
  }
  // One key changes the category (F1–F9) or the condition (Alt+1–4), from anywhere on the desk, even mid-word:
  // neither is a character, so neither collides with typing a description, a Chinese input method, or a barcode
  // scanner (which only sends digits and Enter). The key is shown on each button; the cursor goes back to the
  // description. Alt+digit is read by its physical key, so every keyboard layout gives the same condition.
  const keyed = new Map([...document.querySelectorAll("button[data-key]")].map((b) => [b.dataset.key, b]));
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.isComposing) return;
    const digit = /^Digit([1-9])$/.exec(event.code);
    const name = event.altKey ? (digit ? "Alt+" + digit[1] : "") : /^F[1-9]$/.test(event.key) ? event.key : "";
    const button = keyed.get(name);
    if (!button) return;
    event.preventDefault();  // no browser help page, no tab switch
    if (button.classList.contains("category")) choose("category", button.dataset.code);
    else choose("condition", button.dataset.condition);
    description.focus();
  });
  price.addEventListener("input", () => { priceTyped = price.value.trim() !== ""; });

  async function lookUp() {
    const code = barcode.value.trim();
    if (!code || code === lookedUp) return;
    lookedUp = code;
    let answer;
    try { answer = await api("GET", "/api/intake/items/" + encodeURIComponent(code)); }
    catch (error) { say(words.offline, "error"); lookedUp = ""; return; }
    const { ok, status, data } = answer;
    if (status === 404) { say(words.new_item, "ok"); description.focus(); return; }
    if (!ok) { say(data.detail || words.offline, "error"); barcode.select(); return; }
    barcode.value = data.barcode; lookedUp = data.barcode;
    if (categories[data.category]) choose("category", data.category);
    description.value = data.name;
    price.value = plainYuan(data.price_fen); priceTyped = true;
    say(fill(words.known_item, { name: data.name, price: yuan(data.price_fen) }), "ok");
    (expires.required && !expires.value ? expires : quantity).focus();
  }
  barcode.addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); lookUp(); } });
  barcode.addEventListener("blur", lookUp);
  barcode.addEventListener("input", () => { if (!barcode.value.trim()) lookedUp = ""; });

  function clearEntry() {
    description.value = ""; quantity.value = "1"; barcode.value = ""; expires.value = "";
    refused.checked = false; reason.value = ""; lookedUp = ""; priceTyped = false;
    defaultPrice();
  }
  // Checks what the page can; the server has the last word when the donation is saved.
  function addItem() {
    const wrong = (text, field) => { say(text, "error"); field.focus(); if (field.select) field.select(); };
    const text = description.value.trim();
    const isRefused = refused.checked;
    const count = /^\s*\d{1,4}\s*$/.test(quantity.value) ? Number(quantity.value) : 0;
    const fen = fenOf(price.value);
    if (!draft.category) return wrong(words.choose_category, document.querySelector("button.category"));
    if (!draft.condition) return wrong(words.choose_condition, document.querySelector("button.condition"));
    if (!text) return wrong(words.no_description, description);
    if (count < 1) return wrong(words.bad_quantity, quantity);
    if (isRefused && !reason.value.trim()) return wrong(words.no_reason, reason);
    if (!isRefused && (fen === null || fen < 1)) return wrong(words.bad_price, price);
    if (!isRefused && expires.required && !expires.value) return wrong(words.expiry_needed, expires);
    const item = { category: draft.category, description: text, condition: draft.condition, quantity: count,
                   price_fen: isRefused ? null : fen, barcode: isRefused ? "" : barcode.value.trim(),
                   refused_reason: isRefused ? reason.value.trim() : "" };
    if (!isRefused && expires.required) item.expires_on = expires.value;
    draft.items.push(item);
    store(); render();
    say(words.added + ": " + text + " × " + count, "ok");
    clearEntry();
    description.focus();
  }
  $("add-item").addEventListener("click", addItem);
  for (const field of [description, quantity, price, expires, reason]) {
    field.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      // Enter on an empty description, with items listed: on to saving
      if (field === description && !description.value.trim() && draft.items.length && !barcode.value.trim()) {
        $("save").focus(); say(words.press_save); return;
      }
      addItem();
    });
  }
  refused.addEventListener("change", () => { if (refused.checked) reason.focus(); });
  reason.addEventListener("input", () => { if (reason.value.trim()) refused.checked = true; });

  // -- the list ------------------------------------------------------------------------------
  function render() {
    const body = $("items");
    body.replaceChildren();
    draft.items.forEach((item, index) => {
      const row = body.insertRow();
      row.dataset.description = item.description;
      const what = row.insertCell();
      what.textContent = item.description;
      const notes = [item.barcode, item.expires_on, item.refused_reason && words.refused + ": " + item.refused_reason];
      for (const note of notes.filter(Boolean)) {
        const small = document.createElement("small"); small.className = "note"; small.textContent = " " + note; what.append(small);
      }
      if (item.refused_reason) row.className = "refused";
      row.insertCell().textContent = categories[item.category] ? categories[item.category].name : item.category;
      row.insertCell().textContent = conditions[item.condition] || item.condition;
      const qty = row.insertCell(); qty.className = "num"; qty.textContent = item.quantity;
      const each = row.insertCell(); each.className = "num"; each.textContent = item.price_fen === null ? "—" : yuan(item.price_fen);
      const remove = document.createElement("button");
      remove.type = "button"; remove.className = "remove"; remove.textContent = "✕";
      remove.setAttribute("aria-label", "✕ " + item.description);
      remove.addEventListener("click", () => { draft.items.splice(index, 1); store(); render(); description.focus(); });
      row.insertCell().append(remove);
    });
    $("pieces").textContent = pieces();
    showDonor();
  }
  $("clear").addEventListener("click", () => {
    if (draft.items.length && confirm(words.confirm_clear)) { draft.items = []; store(); render(); }
    description.focus();
  });

  // -- saving: one click, labels print with it -------------------------------------------------
  async function saveDonation() {
    if (busy) return;
    if (!draft.items.length) { say(words.no_items, "error"); description.focus(); return; }
    busy = true;
    $("save").disabled = true;
    try {
      const { ok, status, data } = await api("POST", "/api/donations", {
        idempotency_key: draft.key, donor_id: draft.donor ? draft.donor.id : null, items: draft.items,
        print_labels: true, print_slip: false });
      if (!ok) {
        say(data.detail || words.offline, "error");
        if (status === 409 && data.code === "donation-key-reused") { draft.key = crypto.randomUUID(); store(); }
        return;
      }
      const donation = data.donation;
      const accepted = donation.lines.reduce((sum, l) => sum + (l.refused_reason ? 0 : l.quantity), 0);
      say(fill(words.saved, { number: donation.number, pieces: accepted, labels: data.label_codes.length }), "ok");
      warn(data.warnings);
      draft = newDraft(draft);
      store(); render(); clearEntry();
      $("done").hidden = false;
      $("last-number").textContent = donation.number;
      $("print-labels").hidden = !data.label_codes.length;
      $("slip").textContent = "";
      $("donor-search").focus();
      const slip = await call("GET", "/api/donations/" + donation.number + "/slip");
      if (slip.ok) $("slip").textContent = slip.data.join("\n");
    } catch (error) {
      say(words.offline, "error");  // everything is kept; the same key goes again with the next save
    } finally {
      busy = false;
      $("save").disabled = false;
    }
  }
  $("save").addEventListener("click", saveDonation);
  $("print-slip").addEventListener("click", async () => {
    const { ok } = await call("POST", "/api/donations/" + $("last-number").textContent + "/slip");
    if (ok) say(words.slip_printing, "ok");
  });
  $("print-labels").addEventListener("click", async () => {
    const { ok } = await call("POST", "/api/donations/" + $("last-number").textContent + "/labels");
    if (ok) say(words.labels_printing, "ok");
  });

  showChoices();
  defaultPrice();
  render();
  (draft.items.length ? description : $("donor-search")).focus();
})();

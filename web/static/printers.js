// The printers page (/manager/printers): each button or form is one call of /api/printers; what
// changes the page's facts (a new printer, a kept profile, an assignment) reloads it. Plain JavaScript.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const page = $("printers-page");
  const words = JSON.parse($("words").textContent);
  const message = $("message");
  const api = (method, url, body) => window.Aixin.api(page.dataset.csrf, method, url, body);

  function say(text, kind) { message.textContent = text; message.className = "message " + (kind || ""); }
  async function call(method, url, body, reload) {
    say("…");
    let result;
    try { result = await api(method, url, body); } catch (e) { say(words.offline, "error"); return null; }
    if (!result.ok) { say(result.data.detail || words.offline, "error"); return null; }
    if (reload) { sessionStorage.setItem("printers-message", reload); location.reload(); return result; }
    say(words.sent, "ok");
    return result;
  }
  const kept = sessionStorage.getItem("printers-message");
  if (kept) { sessionStorage.removeItem("printers-message"); say(kept, "ok"); }

  // Adding: the address box explains itself for each kind of connection.
  const add = $("add-printer"), hint = $("address-hint");
  const showHint = () => { hint.textContent = hint.dataset[add.kind.value]; };
  add.kind.addEventListener("change", showHint);
  showHint();
  add.addEventListener("submit", (event) => {
    event.preventDefault();
    const address = add.address.value.trim();
    const connection = add.kind.value === "tcp" ? "tcp://" + address : add.kind.value + ":" + address;
    call("POST", "/api/printers/", { name: add.name.value, connection }, words.saved);
  });
  for (const use of document.querySelectorAll("button.use-found")) {  // a printer plugged into this PC
    use.addEventListener("click", () => {
      add.kind.value = use.dataset.kind; add.address.value = use.dataset.address; showHint(); add.name.focus();
    });
  }

  for (const card of document.querySelectorAll("article.printer")) {
    const url = "/api/printers/" + card.dataset.id;
    for (const button of card.querySelectorAll("button.action")) {
      button.addEventListener("click", () => {
        const action = button.dataset.action;
        if (action === "test-page") call("POST", url + "/test-page");
        else if (action === "drawer") call("POST", url + "/drawer", { pin: Number(button.dataset.pin) });
        else if (action === "sample") call("POST", url + "/sample");
        else if (action === "remove" && confirm(button.dataset.confirm)) call("DELETE", url, null, words.saved);
      });
    }
    const choice = card.querySelector("form.choice");
    choice.addEventListener("submit", (event) => {
      event.preventDefault();
      const line = choice.querySelector("input[name=line]:checked"), ruler = choice.querySelector("input[name=ruler]:checked");
      if (!line || !ruler) { say(words.choose, "error"); return; }
      call("POST", url + "/choice", { line: Number(line.value), ruler: Number(ruler.value) }, words.saved);
    });
    const more = card.querySelector("form.profile-form");
    more.addEventListener("submit", (event) => {
      event.preventDefault();
      const profile = {
        encoding: more.encoding.value, chinese_mode: more.chinese_mode.value === "true",
        columns: Number(more.columns.value), raster_chinese: more.raster_chinese.value === "true",
        cut: more.cut.checked, drawer: more.drawer.checked, drawer_pin: Number(more.drawer_pin.value),
        drawer_on_ms: Number(more.drawer_on_ms.value), drawer_off_ms: Number(more.drawer_off_ms.value),
        native_barcodes: more.native_barcodes.checked,
      };
      call("PUT", url, { profile }, words.saved);
    });
  }

  for (const select of document.querySelectorAll("select.place")) {
    select.addEventListener("change", () => {
      call("PUT", "/api/printers/places", { place: select.dataset.place,
        printer_id: select.value ? Number(select.value) : null }, words.saved);
    });
  }
})();

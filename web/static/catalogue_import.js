// The catalogue import: send the CSV file, then show every line to correct, or the progress until it is in.
// The import runs on the server: the page asks how far it is every 300 ms (and again after a reload).
// Plain JavaScript, no build step.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const json = (id) => JSON.parse($(id).textContent);
  const words = json("words");
  const errors = json("errors");
  const page = $("catalogue-import");
  const csrf = page.dataset.csrf;
  const maxBytes = Number(page.dataset.maxBytes);
  const input = $("file"), button = $("import-button"), message = $("message");
  const STORE = "aixin.catalogue-import";  // the import being followed, so a reload picks it up again
  const POLL_MS = 300;

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (all, name) => (name in values ? values[name] : all));
  }
  function say(text, kind) { message.textContent = text; message.className = "message " + (kind || ""); }
  function busy(on) { button.disabled = on; input.disabled = on; }
  const count = (n) => Number(n).toLocaleString();
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function clearResults() {
    for (const id of ["problems-section", "progress-section", "summary"]) $(id).hidden = true;
  }

  function showProblems(problems, total) {
    const cells = (p) => [[p.line, "num"], [p.column, ""], [p.detail, ""]].map(([text, kind]) => {
      const td = document.createElement("td");
      td.textContent = text;
      if (kind) td.className = kind;
      return td;
    });
    $("problems").tBodies[0].replaceChildren(...problems.map((p) => {
      const tr = document.createElement("tr");
      tr.append(...cells(p));
      return tr;
    }));
    const more = total - problems.length;
    $("problems-more").textContent = more > 0 ? fill(words.more_problems, { more: count(more) }) : "";
    $("problems-section").hidden = false;
  }

  function showProgress(done, total) {
    const bar = $("progress");
    bar.max = Math.max(total, 1);
    bar.value = done;
    $("progress-text").textContent = fill(words.progress, { done: count(done), total: count(total) });
    $("progress-section").hidden = false;
  }

  function showSummary(summary) {
    for (const cell of $("summary").querySelectorAll("[data-count]")) cell.textContent = count(summary[cell.dataset.count]);
    const labels = $("labels-needed");
    labels.hidden = !summary.in_store_codes;
    labels.textContent = fill(words.labels, { count: count(summary.in_store_codes) });
    $("summary").hidden = false;
    say(fill(words.done, Object.fromEntries(Object.entries(summary).map(([key, n]) => [key, count(n)]))), "ok");
  }

  // Ask how far the import is until it is done or failed.
  async function follow(id) {
    sessionStorage.setItem(STORE, String(id));
    busy(true);
    let unanswered = 0;
    try {
      for (;;) {
        let answer;
        try {
          answer = await window.Aixin.api(csrf, "GET", `/api/catalogue/imports/${id}`);
        } catch (error) {
          if (++unanswered > 20) { say(words.offline, "error"); return; }
          await pause(POLL_MS);
          continue;
        }
        unanswered = 0;
        if (!answer.ok) { say(answer.data.detail || words.offline, "error"); sessionStorage.removeItem(STORE); return; }
        const state = answer.data;
        showProgress(state.done, state.total);
        if (state.status === "done") { sessionStorage.removeItem(STORE); showSummary(state.summary); return; }
        if (state.status === "failed") {
          sessionStorage.removeItem(STORE);
          say((state.error && state.error.detail) || words.failed, "error");
          return;
        }
        say(words.importing, "");
        await pause(POLL_MS);
      }
    } finally {
      busy(false);
    }
  }

  async function upload(event) {
    event.preventDefault();
    clearResults();
    const file = input.files[0];
    if (!file) { say(errors["csv-no-file"], "error"); input.focus(); return; }
    if (file.size > maxBytes) {
      say(fill(errors["csv-too-large"], { maximum_mb: Math.floor(maxBytes / (1024 * 1024)) }), "error");
      return;
    }
    const body = new FormData();
    body.append("file", file);
    busy(true);
    say(words.checking, "");
    let response, data;
    try {
      // multipart: not window.Aixin.api, which sends JSON; the browser sets the content type and its boundary
      response = await fetch("/api/catalogue/imports", {
        method: "POST", credentials: "same-origin", body,
        headers: { "x-csrftoken": csrf, "accept": "application/json" },
      });
      data = await response.json().catch(() => ({}));
    } catch (error) {
      busy(false);
      say(words.offline, "error");
      return;
    }
    if (response.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); return; }
    if (!response.ok) {
      busy(false);
      say(data.detail || words.offline, "error");
      if (Array.isArray(data.problems)) showProblems(data.problems, data.count || data.problems.length);
      return;
    }
    say(words.importing, "");
    showProgress(0, data.total);
    await follow(data.id);
  }

  $("import-form").addEventListener("submit", upload);
  const following = sessionStorage.getItem(STORE);
  if (following) follow(following);
})();

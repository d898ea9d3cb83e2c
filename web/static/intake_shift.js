// The intake volunteer's shift (issue 20): one button opens it when they sit down and closes it when they leave;
// at the close its hours go into their linked love-bank member's passbook, for a coordinator to approve.
(() => {
  const bar = document.getElementById("intake-shift");
  if (!bar) return;
  const csrf = document.getElementById("intake").dataset.csrf;
  const words = JSON.parse(document.getElementById("shift-words").textContent);
  const button = document.getElementById("shift-button");
  const state = document.getElementById("shift-state");
  let open = null;

  function show(shift) {
    open = shift;
    const since = shift ? new Date(shift.opened_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
    state.textContent = shift ? words.open.replace("{time}", since) : words.closed;
    button.textContent = shift ? words.close : words.start;
    button.setAttribute("aria-pressed", shift ? "true" : "false");
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    const result = await window.Aixin.api(csrf, "POST", open ? "/api/intake/shift/close" : "/api/intake/shift/open");
    button.disabled = false;
    if (!result.ok) { state.textContent = result.data.detail || words.failed; return; }
    if (open) {
      show(null);
      state.textContent = result.data.hours ? words.recorded.replace("{hours}", result.data.hours) : words.ended;
    } else {
      show(result.data);
    }
  });

  window.Aixin.api(csrf, "GET", "/api/intake/shift").then((result) => { if (result.ok) show(result.data); });
})();

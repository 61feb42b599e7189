// Small behaviours of the web UI that would otherwise need inline script (forbidden by the CSP).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target && target.matches && target.matches("select[data-autosubmit]")) {
    target.form.submit();
  }
});

// Boards refresh themselves (hx-trigger="every 30s" on [data-refresh]); a refresh would wipe an answer being typed,
// so it is skipped while a form inside the board has focus or unsent input.
document.addEventListener("input", function (event) {
  var form = event.target && event.target.closest ? event.target.closest("[data-refresh] form") : null;
  if (form) { form.setAttribute("data-dirty", ""); }
});
document.addEventListener("htmx:beforeRequest", function (event) {
  var elt = event.detail && event.detail.elt;
  if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-refresh")) { return; }
  var active = document.activeElement;
  if (elt.querySelector("form[data-dirty]") || (active && elt.contains(active) && active.closest("form"))) {
    event.preventDefault();
  }
  // A board in a hidden tab is not refreshed (every refresh reads, and audits, every person on it) ...
  if (document.hidden) { event.preventDefault(); }
});
// ... and it catches up as soon as the tab is shown again.
document.addEventListener("visibilitychange", function () {
  if (document.hidden || !window.htmx) { return; }
  document.querySelectorAll("[data-refresh]").forEach(function (board) { window.htmx.trigger(board, "board-refresh"); });
});

// After a form swaps its row or card in place (the answer on the municipality's board, an alert's actions), the
// pressed button is gone: focus moves to the field in error, or to the new state (data-focus-target), so keyboard
// and screen-reader users stay where they were.
document.addEventListener("htmx:afterSettle", function (event) {
  var config = event.detail && event.detail.requestConfig;
  var source = config && config.elt;
  var id = source && source.getAttribute ? source.getAttribute("data-focus-after") : null;
  var region = id ? document.getElementById(id) : null;
  if (!region) { return; }
  var target = region.querySelector("[aria-invalid=true]") || region.querySelector("[data-focus-target]");
  if (target) { target.focus(); }
});

// After a previous/next link fetches another page of a board, the pressed link is gone with the old page: focus
// moves to the same link on the new page (or the other one at either end), so the keyboard user keeps paging.
document.addEventListener("htmx:afterSettle", function (event) {
  var config = event.detail && event.detail.requestConfig;
  var source = config && config.elt;
  var rel = source && source.closest && source.closest(".pager") ? source.getAttribute("rel") : null;
  if (rel !== "next" && rel !== "prev") { return; }
  var target = document.querySelector(".pager a[rel=" + rel + "]") || document.querySelector(".pager a");
  if (target) { target.focus(); }
});

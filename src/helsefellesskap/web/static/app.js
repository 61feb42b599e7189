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
});

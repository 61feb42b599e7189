// Small behaviours of the web UI that would otherwise need inline script (forbidden by the CSP).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target && target.matches && target.matches("select[data-autosubmit]")) {
    target.form.submit();
  }
});

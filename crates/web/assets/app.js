// hamstride's one script: small enhancements only; every page works without it.
// - Buttons marked data-print print the page (a result or a plan for the physio).
// - A button marked data-confirm asks first (deleting a diary entry).
// - A 0-10 slider shows its number as it moves (the scale under it shows them all anyway),
//   and moving it unticks its "Skip this one" box.
// - After a refused answer, focus moves to the message so it is read out and seen.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  // A score starts skipped (0 is a real score); moving its slider gives it.
  document.querySelectorAll("input[type=range]").forEach(function (r) {
    var out = document.getElementById(r.id + "-value");
    var skip = r.form && r.form.querySelector("input[name=skip][value=" + r.id + "]");
    var show = function () {
      var skipped = skip && skip.checked;
      if (out) { out.textContent = skipped ? "–" : r.value; }
      r.setAttribute("aria-valuetext", skipped ? "skipped" : r.value + " out of 10");
    };
    r.addEventListener("input", function () {
      if (skip) { skip.checked = false; }
      show();
    });
    if (skip) { skip.addEventListener("change", show); }
    show();
  });
  document.querySelectorAll("[data-confirm]").forEach(function (b) {
    b.addEventListener("click", function (e) {
      if (!window.confirm(b.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
  var err = document.querySelector(".errors .error");
  if (err) {
    err.setAttribute("tabindex", "-1");
    err.focus();
  }
});

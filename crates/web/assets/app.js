// hamstride's one script: small enhancements only; every page works without it.
// - Buttons marked data-print print the page (a result or a plan for the physio).
// - A 0-10 slider shows its number as it moves (the scale under it shows them all anyway).
// - After a refused answer, focus moves to the message so it is read out and seen.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("input[type=range]").forEach(function (r) {
    var out = document.getElementById(r.id + "-value");
    var show = function () {
      if (out) { out.textContent = r.value; }
      r.setAttribute("aria-valuetext", r.value + " out of 10");
    };
    r.addEventListener("input", show);
    show();
  });
  var err = document.querySelector(".errors .error");
  if (err) {
    err.setAttribute("tabindex", "-1");
    err.focus();
  }
});

// hamstride's one script: small enhancements only; every page works without it.
// - Buttons marked data-print print the page (a result or a plan for the physio).
// - After a refused answer, focus moves to the message so it is read out and seen.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  var err = document.querySelector(".errors .error");
  if (err) {
    err.setAttribute("tabindex", "-1");
    err.focus();
  }
});

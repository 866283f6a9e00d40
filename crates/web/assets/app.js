// hamstride's one script: small enhancements only; every page works without it.
// - Buttons marked data-print print the page (a result or a plan for the physio).
// - A button marked data-confirm asks first (deleting a diary entry).
// - A 0-10 slider shows its number as it moves (the scale under it shows them all anyway),
//   and moving it unticks its "Skip this one" box.
// - After a refused answer, focus moves to the message so it is read out and seen.
// - Files dropped on the import field fill its file input; the import form uploads with a
//   progress bar, then shows the page the server answered.
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
  // Files dragged onto the import field fill its file input, as if picked.
  var zone = document.getElementById("drop-zone");
  var input = document.getElementById("files");
  if (zone && input && window.DataTransfer) {
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (e) {
        e.preventDefault();
        zone.classList.add("over");
      });
    });
    ["dragleave", "drop"].forEach(function (t) {
      zone.addEventListener(t, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length) {
        input.files = e.dataTransfer.files;
        input.dispatchEvent(new Event("change"));
      }
    });
  }
  var up = document.getElementById("import-form");
  var box = document.getElementById("upload-progress");
  if (up && box && window.XMLHttpRequest && window.FormData) {
    up.addEventListener("submit", function (e) {
      e.preventDefault();
      var bar = document.getElementById("upload-bar");
      var text = document.getElementById("upload-text");
      var xhr = new XMLHttpRequest();
      var say = function (msg) { text.textContent = msg; };
      xhr.open("POST", up.action);
      var shown = -1;
      xhr.upload.addEventListener("progress", function (ev) {
        if (ev.lengthComputable) {
          var pct = Math.floor(ev.loaded / ev.total * 100);
          bar.value = pct;
          // Said in steps of 5 so a screen reader is not flooded.
          if (pct >= 100) { say("Uploaded. Reading your files…"); } else if (pct - shown >= 5) {
            shown = pct;
            say("Uploading… " + pct + "%");
          }
        }
      });
      xhr.addEventListener("load", function () {
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener("error", function () {
        say("The upload stopped. Check that hamstride is still running, then try again.");
        up.querySelector("button[type=submit]").disabled = false;
      });
      box.hidden = false;
      say("Uploading… 0%");
      up.querySelector("button[type=submit]").disabled = true;
      xhr.send(new FormData(up));
    });
  }
  var err = document.querySelector(".errors .error");
  if (err) {
    err.setAttribute("tabindex", "-1");
    err.focus();
  }
});

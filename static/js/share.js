// Sharing and invitation links: copy a new link to the clipboard. Without this file the link stays
// selectable in its read-only field.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.querySelector("[data-copy-status]");
    if (!input) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(input).then(function () {
        button.textContent = "Copied";
        if (status) { status.textContent = "The link is on your clipboard."; }
      }, function () {
        input.focus();
        input.select();
        if (status) { status.textContent = "Copying was blocked: press Ctrl+C (⌘C on a Mac) to copy the selected link."; }
      });
    });
  });
});

function copy(input) {
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(input.value);
  }
  input.focus();
  input.select();
  return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy"));
}

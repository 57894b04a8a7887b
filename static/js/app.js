// Small progressive enhancements. Pages work without this file.
"use strict";

document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary of a refused form so screen readers announce it.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) {
    summary.focus();
  }
});

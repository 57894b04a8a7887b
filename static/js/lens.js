// Lens question pages: "None of these" (a choice whose id ends in _no) excludes every other
// choice of its question. Runs on the checkbox itself, before the autosave script (listening
// on the question) reads the inputs, so the saved answer is already consistent.
"use strict";

(function () {
  function exclusive(event) {
    var box = event.target;
    if (!box.checked) { return; }
    var fieldset = box.closest("fieldset[data-question]");
    var isNone = box.hasAttribute("data-none-of-these");
    fieldset.querySelectorAll('input[type="checkbox"][name="' + CSS.escape(box.name) + '"]').forEach(function (other) {
      if (other === box) { return; }
      if (isNone || other.hasAttribute("data-none-of-these")) { other.checked = false; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("fieldset[data-question] [data-choices] input[type=checkbox]").forEach(function (box) {
      box.addEventListener("change", exclusive);
    });
  });
})();

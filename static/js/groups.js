// Long workflow pages: one group of questions (a pattern) open at a time, each with its own
// "n of m answered" (kept current by autosave.js). Without this file every group is shown.
"use strict";

(function () {
  function setOpen(group, open) {
    group.classList.toggle("is-collapsed", !open);
    var button = group.querySelector("[data-group-toggle]");
    if (button) { button.setAttribute("aria-expanded", open ? "true" : "false"); }
  }

  function openOnly(groups, target) {
    groups.forEach(function (group) { setOpen(group, group === target); });
  }

  function unfinished(group) {
    return group.querySelector("fieldset[data-question][data-answered='0'], .question-invalid, .question-conflict");
  }

  function wire() {
    var groups = Array.prototype.slice.call(document.querySelectorAll("[data-group]"));
    if (groups.length < 3) { return; }
    groups.forEach(function (group) {
      var head = group.querySelector(".group-head h3");
      if (!head) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "group-toggle";
      button.setAttribute("data-group-toggle", "");
      if (group.id) { button.setAttribute("aria-controls", group.id); }
      var icon = document.createElement("span");
      icon.className = "group-toggle-icon";
      icon.setAttribute("aria-hidden", "true");
      while (head.firstChild) { button.appendChild(head.firstChild); }
      button.insertBefore(icon, button.firstChild);
      head.appendChild(button);
      button.addEventListener("click", function () {
        if (group.classList.contains("is-collapsed")) {
          openOnly(groups, group);
          head.scrollIntoView({ block: "start" });
        } else {
          setOpen(group, false);
        }
      });
    });
    var first = groups.filter(unfinished)[0] || groups[0];
    var wanted = window.location.hash && document.querySelector(window.location.hash);
    openOnly(groups, (wanted && wanted.closest("[data-group]")) || first);
    document.querySelectorAll(".group-toc a").forEach(function (link) {
      link.addEventListener("click", function () {
        var target = document.querySelector(link.getAttribute("href"));
        var group = target && target.closest("[data-group]");
        if (group) { openOnly(groups, group); }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();

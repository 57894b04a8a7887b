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

  // Question ids hold dots ("q-timeouts.run-deadline"): look them up by id, never as a selector.
  function byHash(hash) {
    if (!hash || hash.length < 2) { return null; }
    try { return document.getElementById(decodeURIComponent(hash.slice(1))); } catch (e) { return null; }
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
    // each group but the last ends with a button to the next one: with one question per
    // pattern, answering the page is "answer, next", never a hunt for the following header
    groups.forEach(function (group, n) {
      var next = groups[n + 1];
      var title = next && next.querySelector(".group-head h3");
      if (!title) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button group-next";
      button.setAttribute("data-group-next", "");
      button.textContent = "Next: " + title.textContent.trim();
      button.addEventListener("click", function () {
        openOnly(groups, next);
        var toggle = next.querySelector("[data-group-toggle]");
        next.querySelector(".group-head").scrollIntoView({ block: "start" });
        if (toggle) { toggle.focus({ preventScroll: true }); }
      });
      group.appendChild(button);
    });
    // after a file review, the first group holding a suggestion; else the first unfinished one
    var suggested = window.location.hash === "#automation" &&
      groups.filter(function (g) { return g.querySelector(".suggestion"); })[0];
    var first = suggested || groups.filter(unfinished)[0] || groups[0];
    var wanted = byHash(window.location.hash);
    openOnly(groups, (wanted && wanted.closest("[data-group]")) || first);
    // any link to a question (contents, a finding's "because", a suggestion) opens its group
    function follow(hash) {
      var target = byHash(hash);
      var group = target && target.closest("[data-group]");
      if (group && group.classList.contains("is-collapsed")) { openOnly(groups, group); }
    }
    window.addEventListener("hashchange", function () { follow(window.location.hash); });
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href^='#']");
      if (link) { follow(link.getAttribute("href")); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();

// Plan tracking on the results page: each plan step shows its status (an icon and a word)
// and the "marked done, but the answers still show it" flag. The data comes from a JSON block
// the page carries (#plan-tracking-data); without scripts the summary above the plan says it.
(function () {
  "use strict";

  var ICONS = {planned: "◔", in_progress: "◑", done: "●", risk_accepted: "◆"};

  function badge(item) {
    var span = document.createElement("span");
    span.className = "track-status track-" + item.status;
    var icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = (ICONS[item.status] || "○") + " ";
    span.appendChild(icon);
    span.appendChild(document.createTextNode(item.label));
    return span;
  }

  function flag(text) {
    var span = document.createElement("span");
    span.className = "track-flag";
    span.textContent = "⚠ " + text;
    return span;
  }

  function decorate() {
    var source = document.getElementById("plan-tracking-data");
    if (!source) return;
    var items = JSON.parse(source.textContent);
    document.querySelectorAll(".plan-item a.plan-title").forEach(function (link) {
      var item = items[decodeURIComponent(link.getAttribute("href").slice(1))];
      if (!item) return;
      var meta = link.closest(".plan-item").querySelector(".plan-meta");
      if (!meta) return;
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(badge(item));
      if (item.flag) meta.appendChild(flag(item.flag));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", decorate);
  } else {
    decorate();
  }
})();

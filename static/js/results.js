// Results page enhancements; the page works without them.
// 1. Open the finding a link points at (#finding-...), on load and on every jump.
// 2. "Download PDF" shows progress while the PDF is made, and the reason when it fails.
// 3. "Show findings for" narrows the plan and the findings to the system or one workflow.
// 4. A finding card fetches its body (causes, why, fix, verify, reading) when it opens, in
//    place of the link to the report, which has it for readers without JavaScript.
(function () {
  "use strict";

  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) return;
    var target = document.getElementById(id);
    if (!target) return;
    var details = target.tagName === "DETAILS" ? target : target.querySelector("details");
    if (details && !details.open) {
      details.open = true;
      target.scrollIntoView();
    }
  }

  function fileName(disposition) {
    var match = /filename="([^"]+)"/.exec(disposition || "");
    return match ? match[1] : "reliability-review.pdf";
  }

  function errorText(html, status) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var message = page.querySelector(".error-page h1 + p");
    var text = message ? message.textContent.trim() : "";
    return text || "The PDF could not be made (error " + status + "). Try again in a minute.";
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function download(link, status) {
    link.setAttribute("aria-disabled", "true");
    link.classList.add("is-busy");
    status.className = "pdf-status is-busy";
    status.textContent = "Preparing the PDF… a new version takes a few seconds.";
    fetch(link.href, { credentials: "same-origin", headers: { Accept: "application/pdf" } })
      .then(function (response) {
        if (response.status === 202) {  // queued or rendering: ask again in a moment
          return new Promise(function (resolve) { window.setTimeout(resolve, 2000); })
            .then(function () { return "again"; });
        }
        if (!response.ok) {
          return response.text().then(function (html) {
            throw new Error(errorText(html, response.status));
          });
        }
        var name = fileName(response.headers.get("Content-Disposition"));
        return response.blob().then(function (blob) {
          save(blob, name);
          status.className = "pdf-status is-done";
          status.textContent = "PDF downloaded: " + name;
        });
      })
      .then(function (outcome) {
        if (outcome === "again") {
          download(link, status);
          return "again";
        }
      })
      .catch(function (error) {
        status.className = "pdf-status is-failed";
        status.textContent = (error && error.message && error.message !== "Failed to fetch")
          ? error.message
          : "The download failed. Check the connection, then try again.";
      })
      .then(function (outcome) {
        if (outcome === "again") return;
        link.removeAttribute("aria-disabled");
        link.classList.remove("is-busy");
      });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-pdf-download]");
    var status = document.getElementById("pdf-status");
    if (!link || !status || !window.fetch || event.button !== 0 ||
        event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (link.getAttribute("aria-disabled") !== "true") download(link, status);
  });

  function visible(root, selector) {
    return Array.prototype.filter.call(root.querySelectorAll(selector), function (el) {
      return !el.hidden;
    }).length;
  }

  // A long plan bucket lists its first actions; the rest are only counted (their scopes in
  // data-folded) and found among the findings below.
  function folded(root, scope) {
    return Array.prototype.reduce.call(root.querySelectorAll("[data-folded]"), function (sum, more) {
      return sum + JSON.parse(more.getAttribute("data-folded")).filter(function (s) {
        return !scope || s === scope;
      }).length;
    }, 0);
  }

  function recount(scope) {
    document.querySelectorAll("[data-count-of]").forEach(function (count) {
      var root = document.querySelector(count.getAttribute("data-count-of"));
      if (root) count.textContent = visible(root, "[data-scope]") + folded(root, scope);
    });
    document.querySelectorAll(".plan-more").forEach(function (more) {
      var left = folded(more.parentNode, scope);
      more.hidden = left === 0;
      more.querySelector("[data-folded-count]").textContent = left;
    });
    document.querySelectorAll("[data-bucket-heading]").forEach(function (heading) {
      var next = heading.nextElementSibling, any = false;
      while (next && next.hasAttribute("data-scope")) {
        any = any || !next.hidden;
        next = next.nextElementSibling;
      }
      heading.hidden = !any;
    });
  }

  function applyScope(select) {
    var scope = select.value;
    document.querySelectorAll("[data-scope]").forEach(function (item) {
      item.hidden = Boolean(scope) && item.getAttribute("data-scope") !== scope;
    });
    recount(scope);
    var shown = visible(document.getElementById("findings"), "[data-scope]");
    document.getElementById("scope-filter-status").textContent =
      shown + (shown === 1 ? " finding" : " findings") + " shown for " +
      select.options[select.selectedIndex].text + ".";
  }

  function setUpFilter() {
    var box = document.querySelector("[data-scope-filter]");
    if (!box) return;
    var select = box.querySelector("select");
    box.hidden = false;
    select.addEventListener("change", function () { applyScope(select); });
    if (select.value) applyScope(select);  // the browser kept a choice on reload
  }

  // A finding card carries its summary; its body comes from
  // <section data-finding-bodies="…/findings/"> + the card's id when it first opens. Until
  // then (and if that fails) the body holds a link to the report, which has it in full.
  function loadBody(details) {
    var body = details.querySelector("[data-finding-body]");
    var card = details.closest(".finding-card");
    var section = details.closest("[data-finding-bodies]");
    if (!body || !card || !section || !window.fetch || body.hasAttribute("aria-busy")) return;
    body.setAttribute("aria-busy", "true");
    fetch(section.getAttribute("data-finding-bodies") + encodeURIComponent(card.id),
          { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        body.innerHTML = html;
        body.removeAttribute("data-finding-body");
      })
      .catch(function () {
        if (body.querySelector(".finding-failed")) return;
        var note = document.createElement("p");
        note.className = "finding-failed small muted";
        note.textContent =
          "This finding could not be loaded here; the link above opens it in the report.";
        body.appendChild(note);
      })
      .then(function () { body.removeAttribute("aria-busy"); });
  }

  // "toggle" does not bubble: listen in the capture phase for every card's <details>.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.tagName === "DETAILS" && details.open) loadBody(details);
  }, true);
  document.addEventListener("DOMContentLoaded", setUpFilter);
  document.addEventListener("DOMContentLoaded", openTarget);
  window.addEventListener("hashchange", openTarget);
})();

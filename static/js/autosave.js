// Autosave for the question pages: each question saves on its own as the person answers.
// The page works without this file (one form, Save button, Post/Redirect/Get).
// States per question, announced politely: saving, saved, failed (with retry), conflict.
"use strict";

(function () {
  var RETRY_DELAYS = [2000, 4000, 8000, 16000, 30000];
  var TYPING_DELAY = 900;

  function Question(form, fieldset) {
    this.form = form;
    this.el = fieldset;
    this.id = fieldset.getAttribute("data-question");
    this.state = fieldset.querySelector("[data-save-state]");
    this.version = fieldset.querySelector("[data-version]");
    this.orig = fieldset.querySelector("[data-orig]");
    this.saving = false;
    this.again = false;
    this.dirty = false;
    this.attempt = 0;
    this.timer = null;
    this.retryButton = null;
  }

  Question.prototype.inputs = function () {
    var prefix = this.id + "-";
    return Array.prototype.filter.call(this.el.querySelectorAll("input, textarea, select"), function (el) {
      return el.name && el.name.indexOf(prefix) === 0;
    });
  };

  Question.prototype.field = function (suffix) {
    return this.el.querySelector('[name="' + CSS.escape(this.id + "-" + suffix) + '"]');
  };

  Question.prototype.show = function (kind, text) {
    this.el.setAttribute("data-state", kind);
    this.state.className = "save-state state-" + kind;
    this.state.textContent = text;
  };

  Question.prototype.schedule = function (delay) {
    var self = this;
    this.dirty = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.save(); }, delay);
  };

  Question.prototype.naBlocked = function () {
    var na = this.field("na");
    var reason = this.field("na_reason");
    return na && na.checked && reason && !reason.value.trim();
  };

  Question.prototype.body = function () {
    var data = new FormData();
    data.append("csrf_token", csrfToken(this.form));
    data.append("scope", this.form.getAttribute("data-scope"));
    data.append("question", this.id);
    this.inputs().forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      data.append(el.name, el.value);
    });
    return data;
  };

  Question.prototype.save = function () {
    clearTimeout(this.timer);
    if (this.saving) { this.again = true; return; }
    if (this.naBlocked()) { this.show("waiting", "Say why it does not apply, then it saves."); return; }
    this.removeRetry();
    this.saving = true;
    this.again = false;
    this.dirty = false;
    this.show("saving", "Saving…");
    var self = this;
    fetch(this.form.getAttribute("data-autosave-url"), {
      method: "POST",
      body: this.body(),
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(this.form), "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        self.handle(response.status, json);
      });
    }, function () {
      self.failed("No connection.");
    }).then(function () {
      self.saving = false;
      if (self.again) { self.save(); }
    });
  };

  Question.prototype.handle = function (status, json) {
    if (status === 200) {
      if (json.not_asked) { applyRelevance(this.form, json.not_asked); }
      return this.saved(json.answer, json.progress);
    }
    if (status === 409 && json.theirs) { return this.conflict(json); }
    if (status === 400) {
      this.attempt = 0;
      return this.show("failed", "Not saved: " + (json.message || "check this answer."));
    }
    if (status === 401 || status === 403 || status === 404) {
      return this.show("failed", "Not saved: " + (json.detail || "you can no longer edit this. Reload the page."));
    }
    this.failed("The server could not save it.");
  };

  Question.prototype.saved = function (answer, progress) {
    this.attempt = 0;
    var answered = answer.choices.length > 0 || answer.na_reason !== null;
    this.el.setAttribute("data-answered", answered ? "1" : "0");
    updateCounts(this.el, progress || []);
    this.version.value = answer.version;
    this.orig.value = answer.orig;
    this.clearConflict();
    this.updatePreview(answer.note_html);
    if (this.dirty) { return; }  // typed more while saving: the next save is on its way
    var when = new Date();
    var hh = String(when.getHours()).padStart(2, "0");
    var mm = String(when.getMinutes()).padStart(2, "0");
    this.show("saved", "Saved at " + hh + ":" + mm);
  };

  Question.prototype.updatePreview = function (html) {
    var box = this.el.querySelector("[data-note-preview]");
    if (!box) { return; }
    box.querySelector("[data-note-html]").innerHTML = html;  // sanitized by the server (nh3)
    box.hidden = !html;
  };

  Question.prototype.failed = function (reason) {
    var delay = RETRY_DELAYS[Math.min(this.attempt, RETRY_DELAYS.length - 1)];
    this.attempt += 1;
    this.show("failed", "Not saved. " + reason + " Trying again in " + Math.round(delay / 1000) + " s.");
    this.addRetry();
    this.schedule(delay);
  };

  Question.prototype.addRetry = function () {
    if (this.retryButton) { return; }
    var self = this;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-small retry-button";
    button.textContent = "Retry now";
    button.addEventListener("click", function () { self.attempt = 0; self.save(); });
    this.state.parentNode.appendChild(button);
    this.retryButton = button;
  };

  Question.prototype.removeRetry = function () {
    if (this.retryButton) { this.retryButton.remove(); this.retryButton = null; }
  };

  // --- conflicts --------------------------------------------------------------------------

  function text(tag, className, content) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (content) { el.textContent = content; }
    return el;
  }

  function describe(value) {
    if (value.na_reason !== null && value.na_reason !== undefined) { return "Not applicable: " + value.na_reason; }
    if (!value.choices.length) { return "Not answered"; }
    return value.choices.map(function (c) { return c.label; }).join("; ");
  }

  Question.prototype.clearConflict = function () {
    var old = this.el.querySelector("[data-conflict]");
    if (old) { old.remove(); }
    this.el.classList.remove("question-conflict");
  };

  Question.prototype.conflict = function (json) {
    this.clearConflict();
    var theirs = json.theirs;
    var panel = text("div", "conflict-panel");
    panel.setAttribute("data-conflict", "");
    panel.setAttribute("role", "alert");
    panel.appendChild(text("h4", "conflict-title", "Someone else saved this question while you were editing"));
    var values = text("div", "conflict-values");
    var who = "Their answer, saved" + (theirs.updated_by ? " by " + theirs.updated_by : "") +
      (theirs.updated_at ? " on " + theirs.updated_at : "");
    var left = text("div", "conflict-value");
    left.appendChild(text("p", "conflict-label", who));
    left.appendChild(text("p", "", describe(theirs)));
    if (theirs.note_html) {
      var note = text("div", "note-preview");
      note.innerHTML = theirs.note_html;  // sanitized by the server (nh3)
      left.appendChild(note);
    }
    var right = text("div", "conflict-value conflict-mine");
    right.appendChild(text("p", "conflict-label", "Your answer, not saved yet"));
    right.appendChild(text("p", "", describe(json.mine)));
    if (json.mine.note) { right.appendChild(text("p", "conflict-note-raw", json.mine.note)); }
    values.appendChild(left);
    values.appendChild(right);
    panel.appendChild(values);
    var actions = text("div", "conflict-actions");
    var keep = text("button", "button button-primary button-small", "Keep mine");
    var use = text("button", "button button-small", "Use theirs");
    keep.type = use.type = "button";
    var self = this;
    keep.addEventListener("click", function () {
      self.version.value = theirs.version;
      self.clearConflict();
      self.save();
    });
    use.addEventListener("click", function () { self.useTheirs(theirs); });
    actions.appendChild(keep);
    actions.appendChild(use);
    panel.appendChild(actions);
    var legend = this.el.querySelector(".question-help") || this.el.querySelector("legend");
    legend.insertAdjacentElement("afterend", panel);
    this.el.classList.add("question-conflict");
    this.show("conflict", "Not saved: someone else changed this answer. Choose which to keep.");
    keep.focus();
  };

  Question.prototype.useTheirs = function (theirs) {
    var ids = theirs.choices.map(function (c) { return c.id; });
    var prefix = this.id + "-choice";
    this.inputs().forEach(function (el) {
      if (el.name === prefix) { el.checked = ids.indexOf(el.value) !== -1; }
    });
    var na = this.field("na");
    var reason = this.field("na_reason");
    if (na) { na.checked = theirs.na_reason !== null; }
    if (reason) { reason.value = theirs.na_reason || ""; }
    this.field("note").value = theirs.note || "";
    this.version.value = theirs.version;
    this.orig.value = theirs.orig;
    this.clearConflict();
    this.updatePreview(theirs.note_html);
    syncNa(this);
    this.show("saved", "Their answer is kept.");
  };

  // --- wiring -----------------------------------------------------------------------------

  // Questions that earlier answers make irrelevant (ask_if) hide, with the reason in their
  // place; those that apply again come back with whatever was answered before.
  function applyRelevance(form, notAsked) {
    form.querySelectorAll("fieldset[data-question]").forEach(function (fieldset) {
      var id = fieldset.getAttribute("data-question");
      var reason = Object.prototype.hasOwnProperty.call(notAsked, id) ? notAsked[id] : null;
      var line = form.querySelector("[data-not-asked-line='" + CSS.escape(id) + "']");
      fieldset.hidden = reason !== null;
      fieldset.toggleAttribute("data-not-asked", reason !== null);
      if (line) {
        line.hidden = reason === null;
        line.querySelector("[data-not-asked-reason]").textContent = reason || "";
      }
    });
    form.querySelectorAll(".question-group").forEach(function (group) {
      var first = group.querySelector("fieldset[data-question]");
      if (first) { updateCounts(first, []); }
    });
  }

  // The group's "n of m answered" from the page (questions that apply only), the stepper's
  // from the server's counts.
  function updateCounts(fieldset, progress) {
    var group = fieldset.closest(".question-group");
    var count = group && group.querySelector("[data-group-count]");
    if (count) {
      var asked = group.querySelectorAll("fieldset[data-question]:not([data-not-asked])");
      var done = group.querySelectorAll("fieldset[data-question][data-answered='1']:not([data-not-asked])").length;
      count.textContent = done + " of " + asked.length + " answered";
      var toc = document.querySelector("[data-toc-count='" + CSS.escape(group.getAttribute("data-group") || "") + "']");
      if (toc) { toc.textContent = done + "/" + asked.length; }
    }
    progress.forEach(function (step) {
      var item = document.querySelector(".stepper-item[data-step='" + step.id + "']");
      if (!item || !step.total) { return; }
      var label = item.querySelector("[data-step-count]");
      var bar = item.querySelector("[data-step-bar]");
      var marker = item.querySelector(".stepper-marker");
      var done = step.answered >= step.total;
      if (label) { label.textContent = step.answered + " of " + step.total + " answered"; }
      if (bar) { bar.value = step.answered; bar.max = step.total; }
      item.classList.toggle("is-done", done);
      if (marker) { marker.textContent = done ? "\u2713" : marker.getAttribute("data-number"); }
    });
  }

  function csrfToken(form) {
    var input = form.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  function syncNa(question) {
    var na = question.field("na");
    if (!na) { return; }
    var block = question.el.querySelector("[data-na-reason]");
    block.hidden = !na.checked;
    question.el.querySelector("[data-choices]").classList.toggle("is-muted", na.checked);
  }

  function wire(form) {
    var questions = {};
    form.querySelectorAll("fieldset[data-question]").forEach(function (fieldset) {
      var q = new Question(form, fieldset);
      questions[q.id] = q;
      syncNa(q);
      fieldset.addEventListener("change", function (event) {
        var target = event.target;
        if (target.hasAttribute("data-na-toggle")) {
          if (target.checked) {
            q.inputs().forEach(function (el) { if (el.name === q.id + "-choice") { el.checked = false; } });
          }
          syncNa(q);
          if (target.checked) { q.field("na_reason").focus(); }
        } else if (target.name === q.id + "-choice" && target.checked) {
          var na = q.field("na");
          if (na && na.checked) { na.checked = false; syncNa(q); }
        }
        q.schedule(target.tagName === "TEXTAREA" || target.type === "text" ? 0 : 150);
      });
      fieldset.addEventListener("input", function (event) {
        if (event.target.tagName === "TEXTAREA" || event.target.type === "text") {
          q.dirty = true;
          q.show("typing", "Unsaved changes…");
          q.schedule(TYPING_DELAY);
        }
      });
    });
    var note = document.querySelector("[data-autosave-note]");
    if (note) { note.textContent = "Answers save as you go. Save sends the whole page at once."; }
    window.addEventListener("beforeunload", function (event) {
      var pending = Object.keys(questions).some(function (id) {
        return questions[id].dirty || questions[id].saving;
      });
      if (pending) { event.preventDefault(); event.returnValue = ""; }
    });
    form.addEventListener("submit", function () {
      Object.keys(questions).forEach(function (id) { clearTimeout(questions[id].timer); questions[id].dirty = false; });
    });
  }

  function revealCurrentStep() {
    // On narrow screens the stepper scrolls sideways: bring the current step into view with
    // the step before it whole (the way back) when both fit, else the current one at the very
    // edge, the one before out of view: never a sliver of a step cut off at the edge.
    var stepper = document.querySelector(".stepper");
    var current = stepper && stepper.querySelector(".is-current");
    if (!current || stepper.scrollWidth <= stepper.clientWidth) { return; }
    var inset = parseFloat(getComputedStyle(stepper).paddingLeft) || 0;
    var left = function (item) { return item.offsetLeft - stepper.offsetLeft; };
    var previous = current.previousElementSibling;
    var start = left(current);
    if (previous && left(current) + current.offsetWidth - left(previous) <= stepper.clientWidth - 2 * inset) {
      var before = previous.previousElementSibling;
      // as much margin as there is without showing the end of the step before that one
      start = left(previous) - (before ? Math.min(inset, left(previous) - left(before) - before.offsetWidth) : inset);
    }
    stepper.scrollLeft = Math.max(0, start);
  }

  // "Accept all" saves every pending suggestion in one request and updates the questions in
  // place: their choice, version and digest (so the next autosave is not a conflict).
  function applyAccepted(item) {
    var fieldset = document.querySelector("fieldset[data-question='" + item.question + "']");
    if (!fieldset) { return; }
    fieldset.querySelectorAll("input[name='" + item.question + "-choice']").forEach(function (el) {
      if (el.value === item.choice) { el.checked = true; }
    });
    var version = fieldset.querySelector("[data-version]");
    var orig = fieldset.querySelector("[data-orig]");
    if (version) { version.value = item.version; }
    if (orig) { orig.value = item.orig; }
    fieldset.setAttribute("data-answered", "1");
    fieldset.querySelectorAll(".suggestion-accept").forEach(function (b) { b.remove(); });
    fieldset.querySelectorAll(".suggestion-pending").forEach(function (li) {
      li.classList.replace("suggestion-pending", "suggestion-applied");
    });
  }

  function wireAcceptAll(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var status = form.querySelector("[data-accept-all-status]");
      var button = form.querySelector("button");
      button.disabled = true;
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                           headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (json) {
          json.accepted.forEach(applyAccepted);
          status.textContent = json.message;  // the server's words, counted as everywhere else
          button.remove();
        })
        .catch(function () {
          button.disabled = false;
          status.textContent = "Not saved: the server did not answer. Try again.";
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    revealCurrentStep();
    var acceptAll = document.querySelector("form[data-accept-all]");
    if (acceptAll && window.fetch && window.FormData) { wireAcceptAll(acceptAll); }
    var form = document.querySelector("form[data-autosave-url]");
    if (form && window.fetch && window.FormData) { wire(form); }
  });
})();

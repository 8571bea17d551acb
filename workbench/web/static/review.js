/* Review screen: keyboard shortcuts (also inside the text box, with Alt), Ctrl+Enter to save
   and move on, live QA while typing, the QA confirmation before sending to review, glossary
   terms marked in the source, concordance search, copying drafts into the editor, lazy engine
   drafts, ticking units for the batch actions. No inline script (CSP): everything is wired
   here. */
(function () {
  "use strict";

  function typing(event) {
    var el = event.target;
    if (!el || !el.tagName) { return false; }
    var tag = el.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable;
  }

  function go(selector) {
    var link = document.querySelector(selector);
    if (link && link.href) { window.location.href = link.href; return true; }
    return false;
  }

  function submitForm(id) {
    var form = document.getElementById(id);
    if (!form) { return false; }
    if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.submit(); }
    return true;
  }

  function copyIntoEditor(text) {
    var editor = document.getElementById("editor");
    if (!editor) { return; }
    editor.value = text;
    editor.focus();
    editor.setSelectionRange(text.length, text.length);
    scheduleCheck();
  }

  function insertAtCursor(text) {
    var editor = document.getElementById("editor");
    if (!editor || !text) { return; }
    var start = editor.selectionStart || 0, end = editor.selectionEnd || 0;
    editor.value = editor.value.slice(0, start) + text + editor.value.slice(end);
    editor.focus();
    editor.setSelectionRange(start + text.length, start + text.length);
    scheduleCheck();
  }

  // Buttons that put a draft, a TM match or a preferred term into the editor; glossary
  // terms marked in the source insert their preferred rendering at the cursor.
  document.addEventListener("click", function (event) {
    var mark = event.target.closest ? event.target.closest("mark.term") : null;
    if (mark) { insertAtCursor(mark.getAttribute("data-text") || ""); return; }
    var button = event.target.closest ? event.target.closest(".copy-text") : null;
    if (!button) { return; }
    event.preventDefault();
    var text = button.getAttribute("data-text") || "";
    if (button.closest("table.terms")) {
      insertAtCursor(text);  // a term goes where the cursor is, not over the wording
      return;
    }
    copyIntoEditor(text);
  });
  document.querySelectorAll("mark.term").forEach(function (mark) {
    mark.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        insertAtCursor(mark.getAttribute("data-text") || "");
      }
    });
  });

  // Live QA of the text being typed (the same checks as on saving), debounced.
  var editorBox = document.getElementById("editor");
  var liveList = document.getElementById("live-findings");
  var checkTimer = null;
  var liveErrors = [];
  // Replace target's content with a same-origin, autoescaped HTML fragment from url.
  function loadFragment(url, target, onError) {
    target.setAttribute("aria-busy", "true");
    fetch(url, {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html;
        target.replaceChildren(template.content);
      })
      .catch(onError)
      .finally(function () { target.removeAttribute("aria-busy"); });
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }
  function findingItem(finding) {
    var item = document.createElement("li");
    item.className = "finding finding-" + finding.severity;
    var badge = document.createElement("span");
    badge.className = "badge badge-" + finding.severity;
    badge.textContent = finding.severity_label || finding.severity;
    item.appendChild(badge);
    item.appendChild(document.createTextNode(" " + finding.message));
    if (finding.suggestion) {
      var fix = document.createElement("span");
      fix.className = "muted";
      fix.textContent = " → “" + finding.suggestion + "”";
      item.appendChild(fix);
    }
    return item;
  }
  function runCheck() {
    if (!editorBox || !editorBox.getAttribute("data-check-url") || !window.fetch) { return; }
    var body = new URLSearchParams();
    var checkedText = editorBox.value;
    body.append("text", checkedText);
    body.append("csrf_token", csrfToken());
    liveList && liveList.setAttribute("aria-busy", "true");
    fetch(editorBox.getAttribute("data-check-url"), {
      method: "POST", credentials: "same-origin", body: body,
      headers: {"X-CSRFToken": csrfToken()}
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        // An answer about text since changed is stale: the check of the new text follows.
        if (!data || editorBox.value !== checkedText) { return; }
        liveErrors = data.findings.filter(function (f) { return f.severity === "error"; });
        editorBox.setAttribute("data-errors", String(liveErrors.length));
        // The stored wording's findings are listed under "QA" already: show the live list
        // once the text in the box is not the stored one.
        if (!liveList || editorBox.value === editorBox.defaultValue) {
          if (liveList) { liveList.replaceChildren(); }
          return;
        }
        liveList.replaceChildren.apply(liveList, data.findings.map(findingItem));
        liveList.setAttribute("data-checked", "1");
      })
      .catch(function () { /* a help only: saving checks again */ })
      .finally(function () { liveList && liveList.removeAttribute("aria-busy"); });
  }
  function scheduleCheck() {
    if (!editorBox) { return; }
    if (checkTimer) { window.clearTimeout(checkTimer); }
    checkTimer = window.setTimeout(runCheck, 400);
  }
  if (editorBox) {
    editorBox.addEventListener("input", scheduleCheck);
    if (editorBox.value.trim()) { runCheck(); }
  }

  // "Send to review" with QA errors: the translator fixes them or confirms.
  var editorForm = document.getElementById("editor-form");
  var confirmBox = document.getElementById("qa-confirm");
  if (editorForm && confirmBox) {
    editorForm.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (!submitter || submitter.id !== "save-submit-button" || !liveErrors.length) { return; }
      event.preventDefault();
      var list = document.getElementById("qa-confirm-list");
      list.replaceChildren.apply(list, liveErrors.map(findingItem));
      confirmBox.hidden = false;
      document.getElementById("qa-confirm-send").focus();
    });
    var fix = document.getElementById("qa-fix");
    if (fix) {
      fix.addEventListener("click", function () {
        confirmBox.hidden = true;
        editorBox.focus();
      });
    }
  }

  function submitWith(buttonId, next) {
    var button = document.getElementById(buttonId);
    var form = button ? button.form : null;
    if (!form) { return false; }
    var goNext = document.getElementById("go-next");
    if (goNext) { goNext.value = next ? "1" : ""; }
    if (typeof form.requestSubmit === "function") { form.requestSubmit(button); } else { button.click(); }
    return true;
  }

  // Concordance: search the memory and approved wording without leaving the unit.
  var concordanceForm = document.getElementById("concordance-form");
  var concordanceResults = document.getElementById("concordance-results");
  function searchConcordance() {
    if (!concordanceForm || !concordanceResults || !window.fetch) { return false; }
    var params = new URLSearchParams(new FormData(concordanceForm));
    if (!(params.get("q") || "").trim()) { return true; }
    params.set("fragment", "1");
    loadFragment(concordanceForm.getAttribute("action") + "?" + params.toString(),
                 concordanceResults, function () { concordanceResults.textContent = ""; });
    return true;
  }
  if (concordanceForm) {
    concordanceForm.addEventListener("submit", function (event) {
      if (searchConcordance()) { event.preventDefault(); }
    });
  }
  var sourceText = document.getElementById("source-text");
  var concordanceBox = document.getElementById("concordance-q");
  if (sourceText && concordanceBox) {
    sourceText.addEventListener("mouseup", function () {
      var selection = window.getSelection ? String(window.getSelection()).trim() : "";
      if (!selection || selection.length > 100) { return; }
      concordanceBox.value = selection;
      searchConcordance();
    });
  }

  // Engine drafts are fetched after the page is shown: neural engines may take a moment.
  var drafts = document.getElementById("engine-drafts");
  if (drafts && drafts.getAttribute("data-src") && window.fetch) {
    loadFragment(drafts.getAttribute("data-src"), drafts,
                 function () { /* keep the link to the drafts page */ });
  }

  // Queue: move a highlight with j/k, open with o/Enter, tick with x.
  var rows = Array.prototype.slice.call(document.querySelectorAll("#queue-table tr.queue-row"));
  var current = -1;
  function highlight(index) {
    if (!rows.length) { return; }
    if (current >= 0) { rows[current].classList.remove("current"); }
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows[current].classList.add("current");
    rows[current].scrollIntoView({block: "nearest"});
  }

  // A click anywhere on a queue row opens the unit (links and checkboxes keep their own job).
  rows.forEach(function (row) {
    row.addEventListener("click", function (event) {
      if (event.target.closest("a, input, button, label")) { return; }
      window.location.href = row.getAttribute("data-href");
    });
  });

  var selectAll = document.getElementById("select-all");
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      document.querySelectorAll("input.bulk-pick").forEach(function (box) {
        box.checked = selectAll.checked;
      });
    });
  }

  var selectClean = document.getElementById("select-clean");
  if (selectClean) {
    selectClean.addEventListener("change", function () {
      document.querySelectorAll("input.bulk-pick").forEach(function (box) {
        box.checked = selectClean.checked && box.getAttribute("data-qa") === "clean";
      });
    });
  }

  document.querySelectorAll("[data-autosubmit]").forEach(function (field) {
    field.addEventListener("change", function () {
      var form = field.form;
      if (form && field.name === "county") {
        var site = form.querySelector("select[name=site]");
        if (site) { site.value = ""; }
      }
      if (form) { form.submit(); }
    });
  });

  // Letters by physical key, so Alt shortcuts work whatever the keyboard layout types.
  function letterOf(event) {
    var code = event.code || "";
    return code.indexOf("Key") === 0 ? code.slice(3).toLowerCase() : event.key;
  }

  document.addEventListener("keydown", function (event) {
    // Ctrl+Enter saves and opens the next unit; with Shift it also sends to review.
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && document.getElementById("editor-form")) {
      event.preventDefault();
      submitWith(event.shiftKey ? "save-submit-button" : "save-button", true);
      return;
    }
    var withAlt = event.altKey && !event.ctrlKey && !event.metaKey;
    if ((event.ctrlKey || event.metaKey || event.altKey) && !withAlt) { return; }
    if (!withAlt && typing(event)) {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    // Inside the text box the same keys work with Alt (Alt+S saves, Alt+J opens the next unit).
    var key = withAlt ? letterOf(event) : event.key;
    if (withAlt && rows.length === 0 && key === "s") {
      if (submitWith("save-button", false)) { event.preventDefault(); }
      return;
    }
    if (rows.length) {
      if (key === "j") { highlight(current + 1); event.preventDefault(); }
      else if (key === "k") { highlight(current - 1); event.preventDefault(); }
      else if ((key === "o" || key === "Enter") && current >= 0) {
        window.location.href = rows[current].getAttribute("data-href");
        event.preventDefault();
      } else if (key === "x" && current >= 0) {
        var box = rows[current].querySelector("input.bulk-pick");
        if (box) { box.checked = !box.checked; }
        event.preventDefault();
      }
      return;
    }
    if (key === "j") { if (go("#next-unit")) { event.preventDefault(); } }
    else if (key === "k") { if (go("#prev-unit")) { event.preventDefault(); } }
    else if (key === "a") { if (submitForm("approve-form")) { event.preventDefault(); } }
    else if (key === "r") {
      var reason = document.getElementById("reject-reason");
      if (reason) {
        event.preventDefault();
        if (reason.value.trim()) { submitForm("reject-form"); } else { reason.focus(); }
      }
    } else if (key === "c") {
      var draft = document.querySelector(".copy-draft");
      if (draft) { copyIntoEditor(draft.getAttribute("data-text") || ""); event.preventDefault(); }
    } else if (key === "e") {
      var editor = document.getElementById("editor");
      if (editor) { editor.focus(); event.preventDefault(); }
    } else if (key === "s") {
      if (submitForm("editor-form")) { event.preventDefault(); }
    }
  });
}());

/* Documents: the segment editor's helpers (use a match, insert a
   placeholder, live QA, split point, Ctrl+Enter), and loading engine drafts. No inline
   script (CSP); everything is wired here from data attributes. Drafting progress is
   jobs.js's (the job box). */
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  /* Rows of the segment table open the editor. */
  document.querySelectorAll("tr.queue-row[data-href]").forEach(function (row) {
    row.addEventListener("click", function (event) {
      if (event.target.closest("a, button, input, form")) { return; }
      window.location.href = row.dataset.href;
    });
  });

  /* Forms that ask before doing something that cannot be undone. */
  document.querySelectorAll("form.js-confirm").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm || "?")) { event.preventDefault(); }
    });
  });

  var editor = document.getElementById("editor");

  function insertAtCursor(value) {
    if (!editor) { return; }
    var start = editor.selectionStart, end = editor.selectionEnd;
    var selected = editor.value.slice(start, end);
    var pair = value.match(/^\{(\d+)\}\{\/\1\}$/);
    // A pair wraps the selected words; a single mark goes where the cursor is.
    var inserted = pair && selected ? "{" + pair[1] + "}" + selected + "{/" + pair[1] + "}" : value;
    editor.value = editor.value.slice(0, start) + inserted + editor.value.slice(end);
    editor.focus();
    editor.selectionStart = editor.selectionEnd = start + inserted.length;
    scheduleCheck();
  }

  document.addEventListener("click", function (event) {
    var use = event.target.closest(".js-use");
    if (use && editor) {
      editor.value = use.dataset.text;
      editor.focus();
      scheduleCheck();
      return;
    }
    var insert = event.target.closest(".js-insert");
    if (insert) { insertAtCursor(insert.dataset.insert); }
  });

  /* Live QA while typing (the server runs the same checks as on save). */
  var checkTimer = null;
  var findingsList = document.getElementById("live-findings");
  function runCheck() {
    if (!editor || !editor.dataset.checkUrl || !findingsList) { return; }
    var body = new URLSearchParams();
    var checkedText = editor.value;
    body.append("text", checkedText);
    body.append("csrf_token", csrfToken());
    fetch(editor.dataset.checkUrl, {method: "POST", credentials: "same-origin", body: body,
                                    headers: {"X-CSRFToken": csrfToken()}})
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (findings) {
        // An answer about text since changed is stale: the check of the new text follows.
        if (editor.value !== checkedText) { return; }
        findingsList.textContent = "";
        findings.forEach(function (finding) {
          var item = document.createElement("li");
          var badge = document.createElement("span");
          badge.className = "badge badge-" + finding.severity;
          badge.textContent = finding.severity_label || finding.severity;
          item.appendChild(badge);
          item.appendChild(document.createTextNode(" " + finding.message));
          findingsList.appendChild(item);
        });
      })
      .catch(function () { /* the check is a help, saving still checks */ });
  }
  function scheduleCheck() {
    if (checkTimer) { window.clearTimeout(checkTimer); }
    checkTimer = window.setTimeout(runCheck, 600);
  }
  if (editor) {
    editor.addEventListener("input", scheduleCheck);
    editor.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        var button = document.getElementById("save-submit");
        if (button) { button.click(); }
      }
    });
  }

  /* Engine drafts load after the page (a neural engine may take a moment). */
  var drafts = document.getElementById("engine-drafts");
  if (drafts && drafts.dataset.url) {
    fetch(drafts.dataset.url, {credentials: "same-origin"})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        drafts.innerHTML = html;  // server-rendered with autoescaping
        if (drafts.dataset.canUse !== "1") {
          drafts.querySelectorAll(".js-use").forEach(function (b) { b.remove(); });
        }
      })
      .catch(function () { drafts.textContent = ""; });
  }

  /* Selecting source text proposes the split point right after the selection. */
  var source = document.getElementById("source-text");
  var splitPosition = document.getElementById("split-position");
  if (source && splitPosition) {
    source.addEventListener("mouseup", function () {
      var selection = window.getSelection();
      if (!selection || selection.isCollapsed) { return; }
      var range = selection.getRangeAt(0);
      var before = document.createRange();
      before.selectNodeContents(source);
      before.setEnd(range.endContainer, range.endOffset);
      // Placeholders are shown as chips with their markup, so the text length matches.
      splitPosition.value = before.toString().length;
    });
  }
})();

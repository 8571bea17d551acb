/* Review screen: keyboard shortcuts, copying drafts into the editor, lazy engine drafts,
   ticking clean units for bulk approval. No inline script (CSP): everything is wired here. */
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
  }

  // Buttons that put a draft, a TM match or a preferred term into the editor.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".copy-text") : null;
    if (!button) { return; }
    event.preventDefault();
    var text = button.getAttribute("data-text") || "";
    var editor = document.getElementById("editor");
    if (editor && button.closest("table.terms")) {
      // A glossary term is inserted at the cursor rather than replacing the wording.
      var start = editor.selectionStart || 0, end = editor.selectionEnd || 0;
      editor.value = editor.value.slice(0, start) + text + editor.value.slice(end);
      editor.focus();
      return;
    }
    copyIntoEditor(text);
  });

  // Engine drafts are fetched after the page is shown: neural engines may take a moment.
  var drafts = document.getElementById("engine-drafts");
  if (drafts && drafts.getAttribute("data-src") && window.fetch) {
    drafts.setAttribute("aria-busy", "true");
    fetch(drafts.getAttribute("data-src"), {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html;  // same-origin, autoescaped server fragment
        drafts.replaceChildren(template.content);
      })
      .catch(function () { /* keep the link to the drafts page */ })
      .finally(function () { drafts.removeAttribute("aria-busy"); });
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

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event)) {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    var key = event.key;
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

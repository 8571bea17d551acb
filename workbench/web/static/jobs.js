/* Job progress boxes (templates/jobs/_box.html): poll each running job's status until it
   ends, then show its result, error or file (or reload the page when the box asks to).
   No inline script (CSP); everything is wired here from data attributes. */
(function () {
  "use strict";

  function setText(box, selector, text) {
    var element = box.querySelector(selector);
    if (element) { element.textContent = text || ""; }
    return element;
  }

  function showIf(box, selector, visible) {
    var element = box.querySelector(selector);
    if (element) { element.hidden = !visible; }
  }

  function showResult(id, state) {
    document.querySelectorAll("[data-job-id='" + id + "'][data-job-result]").forEach(
      function (element) {
        var value = state.result[element.dataset.jobResult];
        element.textContent = value === undefined || value === null ? "" : value;
      });
    document.querySelectorAll("[data-job-id='" + id + "'][data-job-field]").forEach(
      function (element) { element.textContent = state[element.dataset.jobField] || ""; });
    document.querySelectorAll("[data-job-id='" + id + "'][data-job-show-when]").forEach(
      function (element) { element.hidden = element.dataset.jobShowWhen !== state.state; });
  }

  function show(box, state) {
    var bar = box.querySelector(".job-bar");
    if (bar) { bar.value = state.percent; }
    var badge = setText(box, ".job-state", state.state_label);
    if (badge) { badge.className = "badge job-state job-state-" + state.state; }
    setText(box, ".job-count", state.total ? state.done + " / " + state.total : "");
    setText(box, ".job-message", state.message);
    showIf(box, ".job-stale", state.stale);
    setText(box, ".job-error", state.error);
    showIf(box, ".job-error", state.error && state.state !== "done");
    if (state.active) { return false; }
    box.dataset.jobActive = "0";
    box.dataset.jobState = state.state;
    if (box.dataset.jobReload === "1") {
      window.location.reload();
      return true;
    }
    setText(box, ".job-summary", state.summary);
    showIf(box, ".job-summary", Boolean(state.summary));
    showIf(box, ".job-cancel", false);
    showIf(box, ".job-retry", ["failed", "cancelled", "interrupted"].indexOf(state.state) >= 0);
    if (state.file_url) {
      box.querySelector(".job-download").href = state.file_url;
      setText(box, ".job-file", state.file_name);
      showIf(box, ".job-download-box", true);
    }
    showResult(box.dataset.jobId, state);
    return true;
  }

  function follow(box) {
    var url = box.dataset.jobStatusUrl;
    function poll() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (state) { if (!show(box, state)) { window.setTimeout(poll, 700); } })
        .catch(function () { window.setTimeout(poll, 2500); });
    }
    window.setTimeout(poll, 300);
  }

  document.querySelectorAll(".job-box[data-job-status-url]").forEach(function (box) {
    if (box.dataset.jobActive === "1") { follow(box); }
  });
}());

// Export progress: poll the progress endpoint while the export runs, then show the download.
(function () {
  "use strict";
  var box = document.getElementById("export-progress");
  if (!box || box.dataset.status !== "running") { return; }
  var url = box.dataset.progressUrl;
  var bar = document.getElementById("export-bar");
  var statusText = document.getElementById("export-status");
  var count = document.getElementById("export-count");
  var message = document.getElementById("export-message");
  var result = document.getElementById("export-result");
  var download = document.getElementById("export-download");

  function show(state) {
    bar.value = state.percent;
    statusText.textContent = state.status_label;
    count.textContent = state.total ? state.done + " / " + state.total : "";
    message.textContent = state.message || "";
    if (state.status === "running") { return state.stale; }
    box.dataset.status = state.status;
    document.getElementById("export-finished").textContent = state.finished_at || "";
    if (state.status === "done") {
      document.getElementById("export-rows").textContent = state.rows;
      document.getElementById("export-missing").textContent = state.missing;
      document.getElementById("export-file").textContent = state.file_name || "";
      result.hidden = false;
      download.href = state.download_url;
      document.getElementById("export-download-box").hidden = false;
    } else {
      message.classList.add("error");
    }
    return true;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) { if (!show(state)) { window.setTimeout(poll, 700); } })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  poll();
}());

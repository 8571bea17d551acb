// Field survey: read the sign photo as soon as it is chosen (OCR), fill in the texts,
// draw the recognized lines over the photo, ask what cannot be decided, and run the
// QA checks on the texts while the officer corrects them. Also: answer buttons of
// the survey batch page. No inline script (strict CSP); strings come from data-*.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function csrfToken() {
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function post(url, body) {
    return fetch(url, {method: "POST", body: body, credentials: "same-origin",
                       headers: {"X-CSRFToken": csrfToken(), "Accept": "application/json"}})
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) { throw new Error(data.error || response.statusText); }
          return data;
        });
      });
  }

  // Answer buttons (batch page and form): put the answer's text into its field.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-fill]");
    if (!button) { return; }
    var field = document.getElementById(button.dataset.fill);
    if (field) {
      field.value = button.dataset.value;
      field.dispatchEvent(new Event("input", {bubbles: true}));
    }
    var box = button.closest(".question");
    if (box) { box.classList.add("answered"); }
  });

  var root = document.getElementById("ocr");
  if (!root) { return; }
  var form = root.closest("form");
  var photoInput = form.querySelector("input[type=file][name=photo]");
  var statusLine = document.getElementById("ocr-status");
  var preview = document.getElementById("ocr-preview");
  var image = document.getElementById("ocr-image");
  var boxes = document.getElementById("ocr-boxes");
  var questions = document.getElementById("ocr-questions");
  var gps = document.getElementById("ocr-gps");
  var gpsText = document.getElementById("ocr-gps-text");
  var findingsList = document.getElementById("qa-findings");
  var findingsNone = document.getElementById("qa-none");
  var filled = {};  // field name -> the value OCR put there (so edits are never overwritten)

  function setField(name, value) {
    var field = form.elements[name];
    if (!field || !value) { return; }
    if (field.value === "" || field.value === filled[name]) {
      field.value = value;
      filled[name] = value;
      field.classList.add("from-ocr");
    }
  }

  function drawBoxes(result) {
    while (boxes.firstChild) { boxes.removeChild(boxes.firstChild); }
    boxes.setAttribute("viewBox", "0 0 " + result.width + " " + result.height);
    result.lines.forEach(function (line) {
      var polygon = document.createElementNS(SVG, "polygon");
      polygon.setAttribute("points", line.box.map(function (p) { return p.join(","); }).join(" "));
      polygon.setAttribute("class", "ocr-box ocr-" + line.script.toLowerCase());
      var title = document.createElementNS(SVG, "title");
      title.textContent = line.text + " (" + line.script + ", " + Math.round(line.confidence * 100) + "%)";
      polygon.appendChild(title);
      boxes.appendChild(polygon);
    });
  }

  function showQuestions(result) {
    questions.textContent = "";
    result.questions.forEach(function (question) {
      var box = document.createElement("div");
      box.className = "question";
      box.setAttribute("role", "note");
      var text = document.createElement("p");
      text.textContent = question.text;
      box.appendChild(text);
      question.options.forEach(function (option) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button small";
        var target = form.elements[question.field === "zh" ? "zh" : question.field + "_current"];
        if (target) { button.dataset.fill = target.id; }
        button.dataset.value = option.value;
        button.textContent = option.text;
        box.appendChild(button);
      });
      questions.appendChild(box);
    });
  }

  function showFindings(findings) {
    findingsList.textContent = "";
    findings.forEach(function (finding) {
      var item = document.createElement("li");
      var badge = document.createElement("span");
      badge.className = "badge " + (finding.severity === "error" ? "badge-error" : "badge-warning");
      badge.textContent = finding.lang;
      item.appendChild(badge);
      item.appendChild(document.createTextNode(" " + finding.message));
      if (finding.suggestion) {
        var suggestion = document.createElement("em");
        suggestion.textContent = " → " + finding.suggestion;
        item.appendChild(suggestion);
      }
      findingsList.appendChild(item);
    });
    findingsNone.hidden = findings.length > 0;
  }

  function showResult(result) {
    setField("zh", result.zh);
    Object.keys(result.foreign).forEach(function (lang) { setField(lang + "_current", result.foreign[lang]); });
    drawBoxes(result);
    showQuestions(result);
    if (result.gps) {
      gps.hidden = false;
      gpsText.textContent = result.gps[0] + ", " + result.gps[1];
    } else {
      gps.hidden = true;
    }
    var count = result.lines.length;
    statusLine.textContent = count ? root.dataset.done.replace("%(n)s", count) : root.dataset.nothing;
    showFindings(result.findings);
    checkTexts();
  }

  photoInput.addEventListener("change", function () {
    var file = photoInput.files && photoInput.files[0];
    if (!file) { return; }
    image.src = URL.createObjectURL(file);
    preview.hidden = false;
    statusLine.textContent = root.dataset.reading;
    root.classList.add("busy");
    var body = new FormData();
    body.append("photo", file);
    body.append("function", form.elements["function"] ? form.elements["function"].value : "");
    post(root.dataset.ocrUrl, body)
      .then(showResult)
      .catch(function (error) { statusLine.textContent = error.message; })
      .then(function () { root.classList.remove("busy"); });
  });

  var timer = null;
  var latestCheck = 0;
  function checkTexts() {
    var body = new FormData();
    var thisCheck = ++latestCheck;
    ["zh", "function", "en_current", "ru_current", "ja_current", "ko_current"].forEach(function (name) {
      if (form.elements[name]) { body.append(name, form.elements[name].value); }
    });
    post(root.dataset.qaUrl, body).then(function (data) {
      // Only the latest check's answer counts: an earlier one may arrive after it.
      if (thisCheck === latestCheck) { showFindings(data.findings); }
    })
      .catch(function () { /* the checks run again when the sign is saved */ });
  }
  form.addEventListener("input", function (event) {
    if (!/^(zh|function|(en|ru|ja|ko)_current)$/.test(event.target.name || "")) { return; }
    event.target.classList.remove("from-ocr");
    window.clearTimeout(timer);
    timer = window.setTimeout(checkTexts, 400);
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "function") { checkTexts(); }
  });
}());

/// Progressive enhancement only: every form works without it. Served at /static/syncboard.js.
/// It turns <time data-relative> into "in 12 minutes" in the viewer's time zone, follows live run logs, shows the job
/// form's calendars for the chosen kind of job, and takes keyboard focus to a form's errors.
enum ClientScript {
    static let js = #"""
(function () {
  "use strict";
  var rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(undefined, { numeric: "auto" }) : null;
  function relative(date) {
    var seconds = Math.round((date.getTime() - Date.now()) / 1000), abs = Math.abs(seconds);
    var units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
    for (var i = 0; i < units.length; i++) {
      if (abs >= units[i][1]) { return rtf ? rtf.format(Math.round(seconds / units[i][1]), units[i][0]) : date.toLocaleString(); }
    }
    return rtf ? rtf.format(seconds, "second") : date.toLocaleString();
  }
  function refreshTimes() {
    document.querySelectorAll("time[data-relative]").forEach(function (el) {
      var date = new Date(el.getAttribute("datetime"));
      if (isNaN(date)) { return; }
      el.textContent = relative(date);
      el.title = date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
    });
  }
  // A running run's log follows along live (server-sent events); when the run ends the page reloads to show
  // its outcome. Without JavaScript the page still shows the log so far and a reload shows more.
  function followLog() {
    var log = document.getElementById("run-log");
    if (!log || log.getAttribute("data-active") !== "true" || !window.EventSource) { return; }
    var runId = log.getAttribute("data-run-id"), after = log.getAttribute("data-last-seq") || "-1";
    var source = new EventSource("/runs/" + runId + "/log/stream?after=" + encodeURIComponent(after));
    source.addEventListener("line", function (event) {
      var line = JSON.parse(event.data), span = document.createElement("span");
      span.className = line.stream;
      span.setAttribute("data-seq", line.seq);
      span.textContent = line.text + "\n";
      var atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
      log.appendChild(span);
      var empty = document.getElementById("log-empty");
      if (empty) { empty.remove(); }
      if (atBottom) { log.scrollTop = log.scrollHeight; }
    });
    source.addEventListener("end", function () { source.close(); window.location.reload(); });
  }

  // A form shown again with errors: focus goes to the list of errors (read out first), and each of its links
  // moves focus to its field, not only the scroll position.
  function focusErrors() {
    var summary = document.getElementById("form-errors");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
      var field = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
      if (!field) { return; }
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    });
  }

  // The job form shows only the calendars of the chosen kind of job (a copy's source and destinations, or a
  // group's members). Without JavaScript both show, each legend saying which kind it is for; the server reads only
  // the chosen kind's fields either way.
  function followJobKind() {
    var radios = document.querySelectorAll("input[name='kind']");
    if (!radios.length) { return; }
    function update() {
      var chosen = document.querySelector("input[name='kind']:checked");
      document.querySelectorAll("fieldset[data-kind]").forEach(function (fieldset) {
        fieldset.hidden = chosen !== null && fieldset.getAttribute("data-kind") !== chosen.value;
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    refreshTimes();
    followLog();
    followJobKind();
    focusErrors();
    setInterval(refreshTimes, 30000);
    if (window.SyncboardPage && typeof window.SyncboardPage.start === "function") { window.SyncboardPage.start(); }
  });
  window.Syncboard = { refreshTimes: refreshTimes };
})();
"""#
}

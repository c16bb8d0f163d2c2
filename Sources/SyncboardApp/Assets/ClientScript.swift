/// Progressive enhancement only: every form works without it. Served at /static/syncboard.js.
/// It turns <time data-relative> into "in 12 minutes" in the viewer's time zone, and follows live run logs.
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
  document.addEventListener("DOMContentLoaded", function () {
    refreshTimes();
    setInterval(refreshTimes, 30000);
    if (window.SyncboardPage && typeof window.SyncboardPage.start === "function") { window.SyncboardPage.start(); }
  });
  window.Syncboard = { refreshTimes: refreshTimes };
})();
"""#
}

/* Recommendations explorer: filters and sorts the table that the page already
   contains. Without JavaScript the full table is still there and readable. */
(function () {
  "use strict";
  var root = document.getElementById("tracker-explorer");
  if (!root) { return; }
  var table = root.querySelector("table");
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var form = root.querySelector("form");
  var status = root.querySelector("[data-explorer-count]");
  form.hidden = false;

  function value(name) {
    var field = form.elements[name];
    return field ? field.value.trim().toLowerCase() : "";
  }

  function apply() {
    var want = {
      review: value("review"), theme: value("theme"), response: value("response"),
      status: value("status"), from: value("from"), to: value("to"), q: value("words")
    };
    var shown = 0;
    rows.forEach(function (row) {
      var d = row.dataset;
      var ok = (!want.review || d.review === want.review) &&
        (!want.theme || (" " + d.themes + " ").indexOf(" " + want.theme + " ") !== -1) &&
        (!want.response || d.response === want.response) &&
        (!want.status || d.status === want.status) &&
        (!want.from || Number(d.year) >= Number(want.from)) &&
        (!want.to || Number(d.year) <= Number(want.to)) &&
        (!want.q || d.search.indexOf(want.q) !== -1);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    status.textContent = "Showing " + shown + " of " + rows.length + " recommendations.";
  }

  function sortBy(button) {
    var th = button.closest("th");
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var numeric = th.hasAttribute("data-numeric");
    rows.sort(function (a, b) {
      var x = a.cells[index].getAttribute("data-sort") || a.cells[index].textContent;
      var y = b.cells[index].getAttribute("data-sort") || b.cells[index].textContent;
      var c = numeric ? Number(x) - Number(y) : x.localeCompare(y, "en", { numeric: true });
      return ascending ? c : -c;
    });
    rows.forEach(function (row) { tbody.appendChild(row); });
    status.textContent = "Sorted by " + button.textContent.trim() + ", " + (ascending ? "ascending" : "descending") + ". " +
      status.textContent.replace(/^Sorted by .*?\. /, "");
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  Array.prototype.forEach.call(table.tHead.querySelectorAll("button[data-sort]"), function (button) {
    button.hidden = false;
    var plain = button.previousElementSibling;
    if (plain) { plain.hidden = true; }
    button.addEventListener("click", function () { sortBy(button); });
  });
  var params = new URLSearchParams(window.location.search);
  params.forEach(function (v, k) { if (form.elements[k]) { form.elements[k].value = v; } });
  apply();
}());

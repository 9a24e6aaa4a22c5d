/* Recommendations explorer: filters and sorts the table that the page already
   contains. Without JavaScript the full table is still there and readable.
   When the table runs over several pages, the first filter or sort loads every
   row (api/explorer.json) so that it covers all of them, not just this page. */
(function () {
  "use strict";
  var root = document.getElementById("tracker-explorer");
  if (!root) { return; }
  var table = root.querySelector("table");
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var form = root.querySelector("form");
  var status = root.querySelector("[data-explorer-count]");
  var pagers = Array.prototype.slice.call(root.querySelectorAll("[data-explorer-pager]"));
  var paged = Number(root.getAttribute("data-pages") || "1") > 1;
  var base = root.getAttribute("data-base") || "./";
  var pageNote = status.textContent;
  var complete = !paged;   // whether `rows` holds every recommendation
  var partial = false;     // the other pages' rows could not be loaded
  var loading = null;
  var CHECK_LABELS = { "fresh-look": "Due for a fresh look", "overdue": "Has an overdue promise" };
  form.hidden = false;

  function value(name) {
    var field = form.elements[name];
    return field ? field.value.trim().toLowerCase() : "";
  }

  function filtering() {
    return ["review", "theme", "response", "status", "check", "from", "to", "words"].some(function (name) { return value(name) !== ""; });
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.setAttribute("href", href);
    a.textContent = text;
    return a;
  }

  function td(label, text, sortKey) {
    var cell = document.createElement("td");
    cell.setAttribute("data-label", label);
    if (text !== null) { cell.textContent = text; }
    if (sortKey) { cell.setAttribute("data-sort", sortKey); }
    return cell;
  }

  // The same row as the page's own HTML (pages/explorer.py, _explorer_row), built with
  // textContent and setAttribute so that no value is ever read as markup.
  function rowFrom(r) {
    var tr = document.createElement("tr");
    tr.id = "row-" + r.rec_id;
    tr.setAttribute("data-review", r.review_id);
    tr.setAttribute("data-year", r.year);
    tr.setAttribute("data-themes", r.themes);
    tr.setAttribute("data-response", r.response);
    tr.setAttribute("data-status", r.status);
    tr.setAttribute("data-check", r.check || "");
    tr.setAttribute("data-search", r.search);
    var first = td("Recommendation", null, r.rec_id);
    first.appendChild(link(base + "reviews/" + encodeURIComponent(r.page) + ".html#" + encodeURIComponent(r.rec_id), r.title));
    first.appendChild(document.createElement("br"));
    var small = document.createElement("small");
    var permalink = link(base + "../r/" + encodeURIComponent(r.rec_id) + ".html", r.rec_id);
    permalink.setAttribute("aria-label", "Permalink for " + r.rec_id);
    small.appendChild(permalink);
    first.appendChild(small);
    tr.appendChild(first);
    tr.appendChild(td("Review", r.review));
    tr.appendChild(td("Year", r.year));
    tr.appendChild(td("Themes", r.theme_labels));
    tr.appendChild(td("Government response", r.response_label));
    var last = td("Status", null, r.status);
    if (r.status === "ask") {
      last.textContent = r.status_label;
    } else {
      var badge = document.createElement("span");
      badge.className = "tracker-status tracker-status-" + r.status;
      badge.textContent = r.status_label;
      last.appendChild(badge);
      if (r.evidence) {
        last.appendChild(document.createElement("br"));
        var age = document.createElement("small");
        age.textContent = r.evidence;
        last.appendChild(age);
      }
      if (r.parts) {
        last.appendChild(document.createElement("br"));
        var parts = document.createElement("small");
        parts.className = "tracker-parts";
        parts.textContent = r.parts;
        last.appendChild(parts);
      }
      (r.check || "").split(" ").filter(Boolean).forEach(function (flag) {
        last.appendChild(document.createElement("br"));
        var note = document.createElement("small");
        note.className = "tracker-flag";
        note.textContent = CHECK_LABELS[flag] || flag;
        last.appendChild(note);
      });
    }
    tr.appendChild(last);
    return tr;
  }

  function loadEveryRow() {
    if (!loading) {
      status.textContent = "Loading every recommendation\u2026";
      loading = fetch(root.getAttribute("data-rows"), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (data) {
          var fragment = document.createDocumentFragment();
          rows = data.rows.map(function (values) {
            var record = {};
            data.columns.forEach(function (name, i) { record[name] = values[i]; });
            var tr = rowFrom(record);
            fragment.appendChild(tr);
            return tr;
          });
          while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
          tbody.appendChild(fragment);
          pagers.forEach(function (pager) { pager.hidden = true; });
        }, function () {
          partial = true;  // keep this page's rows, and say so
        })
        .then(function () { complete = true; });
    }
    return loading;
  }

  function apply() {
    if (!complete) {
      if (!filtering()) { status.textContent = pageNote; return; }
      loadEveryRow().then(apply);
      return;
    }
    var want = {
      review: value("review"), theme: value("theme"), response: value("response"),
      status: value("status"), check: value("check"), from: value("from"), to: value("to"), q: value("words")
    };
    var shown = 0;
    rows.forEach(function (row) {
      var d = row.dataset;
      var ok = (!want.review || d.review === want.review) &&
        (!want.theme || (" " + d.themes + " ").indexOf(" " + want.theme + " ") !== -1) &&
        (!want.response || d.response === want.response) &&
        (!want.status || d.status === want.status) &&
        (!want.check || (" " + (d.check || "") + " ").indexOf(" " + want.check + " ") !== -1) &&
        (!want.from || Number(d.year) >= Number(want.from)) &&
        (!want.to || Number(d.year) <= Number(want.to)) &&
        (!want.q || d.search.indexOf(want.q) !== -1);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    status.textContent = "Showing " + shown.toLocaleString("en-GB") + " of " + rows.length.toLocaleString("en-GB") + " recommendations" +
      (partial ? " on this page (the other pages could not be loaded)." : ".");
    remember();
  }

  // The filters (and the sort) live in the address, so a filtered view can be
  // bookmarked, shared and reloaded.
  var FILTERS = ["review", "theme", "response", "status", "check", "from", "to", "words"];
  var sortState = null;
  function remember() {
    var params = new URLSearchParams();
    FILTERS.forEach(function (name) { var v = form.elements[name] ? form.elements[name].value : ""; if (v) { params.set(name, v); } });
    if (sortState) { params.set("sort", sortState.column); params.set("order", sortState.ascending ? "asc" : "desc"); }
    var query = params.toString();
    var address = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    if (address !== window.location.pathname + window.location.search + window.location.hash) {
      window.history.replaceState(null, "", address);
    }
  }

  function sortBy(button) {
    if (!complete) {
      loadEveryRow().then(function () { apply(); sortBy(button); });
      return;
    }
    var th = button.closest("th");
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    sortState = { column: String(index), ascending: ascending };
    var numeric = th.hasAttribute("data-numeric");
    rows.sort(function (a, b) {
      var x = a.cells[index].getAttribute("data-sort") || a.cells[index].textContent;
      var y = b.cells[index].getAttribute("data-sort") || b.cells[index].textContent;
      var c = numeric ? Number(x) - Number(y) : x.localeCompare(y, "en", { numeric: true });
      return ascending ? c : -c;
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    tbody.appendChild(fragment);
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
  params.forEach(function (v, k) { if (FILTERS.indexOf(k) !== -1 && form.elements[k]) { form.elements[k].value = v; } });
  apply();
  var sortButtons = table.tHead.querySelectorAll("button[data-sort]");
  var wanted = sortButtons[Number(params.get("sort"))];
  if (params.has("sort") && wanted) {
    var th = wanted.closest("th");
    if (params.get("order") === "desc") { th.setAttribute("aria-sort", "ascending"); }
    sortBy(wanted);
  }
}());

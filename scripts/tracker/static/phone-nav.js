// The site menu (☰) and "on this page" (☷) buttons on a phone.
// pydata-sphinx-theme 0.17 attaches its "open the drawer" handler to the first
// .primary-toggle and .secondary-toggle in the page, but sphinx-book-theme shows
// a second pair of buttons, in the article header, that nothing listens to
// (pydata-sphinx-theme issue 2451, sphinx-book-theme issue 988). Each visible
// button here passes its click, or its Enter or Space, on to the first one.
(function () {
  "use strict";
  function forward(selector, narrowOnly) {
    var all = document.querySelectorAll(selector);
    if (all.length < 2) return;
    var first = all[0];
    Array.prototype.slice.call(all, 1).forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (narrowOnly && window.matchMedia("(min-width: 992px)").matches) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        button.blur();
        first.click();
      }, true);
    });
  }
  function setUp() {
    forward(".primary-toggle", false);
    forward(".secondary-toggle", true);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();

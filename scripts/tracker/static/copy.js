// "Copy citation" buttons: copy the suggested citation (the button's data-copy
// text) to the clipboard, and say so on the button for a moment.
(function () {
  "use strict";
  function copied(button, ok) {
    var was = button.textContent;
    button.textContent = ok ? "Copied" : "Select the text above to copy it";
    window.setTimeout(function () { button.textContent = was; }, 2000);
  }
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "absolute";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.tracker-copy") : null;
    if (!button) return;
    var text = button.getAttribute("data-copy") || "";
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { copied(button, true); },
                                               function () { copied(button, fallback(text)); });
    } else {
      copied(button, fallback(text));
    }
  });
})();

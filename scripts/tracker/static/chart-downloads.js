// "Download this chart: SVG · PNG": the chart as drawn on the page, saved as an
// SVG file, or drawn into a canvas at twice its size and saved as a PNG.
(function () {
  "use strict";
  function save(href, filename) {
    var a = document.createElement("a");
    a.href = href;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
  }
  function svgText(svg) {
    var copy = svg.cloneNode(true);
    copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    return new XMLSerializer().serializeToString(copy);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-chart-download]") : null;
    if (!link) return;
    event.preventDefault();
    var svg = document.querySelector("#" + link.getAttribute("data-chart") + " svg.marks");
    if (!svg) return;
    var name = link.getAttribute("data-name") || "chart";
    var text = svgText(svg);
    var url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
    if (link.getAttribute("data-chart-download") === "svg") {
      save(url, name + ".svg");
      return;
    }
    var box = svg.getBoundingClientRect();
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = Math.ceil(box.width * 2);
      canvas.height = Math.ceil(box.height * 2);
      var context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      save(canvas.toDataURL("image/png"), name + ".png");
      URL.revokeObjectURL(url);
    };
    image.src = url;
  });
})();

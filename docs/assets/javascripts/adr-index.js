/* Filter the decision index by status and tag, in the browser (no server). */
(function () {
  "use strict";

  function setup() {
    var form = document.getElementById("cells-adr-filter");
    var table = document.getElementById("cells-adr-table");
    if (!form || !table) { return; }
    var count = document.getElementById("cells-adr-count");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    function update() {
      var statuses = Array.prototype.slice.call(form.querySelectorAll("input[name=status]:checked"))
        .map(function (box) { return box.value; });
      var tag = form.elements.tag.value;
      var shown = 0;
      rows.forEach(function (row) {
        var tags = JSON.parse(row.getAttribute("data-tags") || "[]");
        var visible = statuses.indexOf(row.getAttribute("data-status")) >= 0 && (tag === "" || tags.indexOf(tag) >= 0);
        row.hidden = !visible;
        if (visible) { shown += 1; }
      });
      count.textContent = shown + " of " + rows.length + " decisions";
    }
    form.addEventListener("change", update);
    update();
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();

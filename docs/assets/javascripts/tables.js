/* Tables on phones: each cell of a table of four or more columns gets its column's name
   (data-label), and the table the mark data-cells-stacked (not a class: Material styles only
   tables without one); cells.css stacks such tables on narrow
   screens, one block per row, each value under its column's name. No dependency: runs the same
   from a server and from file://. Without JavaScript the table keeps its columns and scrolls. */
(function () {
  "use strict";
  var MIN_COLUMNS = 4;

  function label(table) {
    if (table.hasAttribute("data-cells-stacked") || !table.tHead) return;
    var heads = table.tHead.rows.length ? table.tHead.rows[0].cells : [];
    if (heads.length < MIN_COLUMNS) return;
    var names = [];
    for (var i = 0; i < heads.length; i++) names.push(heads[i].textContent.trim());
    var bodies = table.tBodies;
    for (var b = 0; b < bodies.length; b++) {
      var rows = bodies[b].rows;
      for (var r = 0; r < rows.length; r++) {
        var column = 0;
        var cells = rows[r].cells;
        for (var c = 0; c < cells.length; c++) {
          if (names[column]) cells[c].setAttribute("data-label", names[column]);
          column += cells[c].colSpan || 1;
        }
      }
    }
    table.setAttribute("data-cells-stacked", "");
  }

  function run() {
    var tables = document.querySelectorAll(".md-typeset table");
    for (var i = 0; i < tables.length; i++) label(tables[i]);
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(run); // Material: also after an instant page change
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();

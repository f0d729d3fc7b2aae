/* Tables that fit: long identifiers in tables get break opportunities (<wbr>) at their word
   boundaries. On phones: each cell of a table of three or more columns gets its column's name
   (data-label), and the table the mark data-cells-stacked (not a class: Material styles only
   tables without one); cells.css stacks such tables on narrow screens, one block per row, each
   value beside its column's name. No dependency: runs the same from a server and from file://.
   Without JavaScript, tables keep their columns and identifiers still wrap (at any letter). */
(function () {
  "use strict";
  var MIN_COLUMNS = 3;

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

  // a long identifier in a table may break at its word boundaries: after . _ / - : and between a
  // lower-case letter or digit and a capital (CellSequenceRange|Exhausted); the text is unchanged
  var BOUNDARY = /([._\/:-])(?=[^._\/:-])|([a-z0-9])(?=[A-Z])/g;
  var LONG = 14;

  function breakable(code) {
    if (code.children.length || code.textContent.length < LONG || code.hasAttribute("data-cells-wbr")) return;
    var text = code.textContent;
    var parts = text.replace(BOUNDARY, "$1$2\u0000").split("\u0000");
    if (parts.length < 2) return;
    code.textContent = "";
    for (var i = 0; i < parts.length; i++) {
      if (i) code.appendChild(document.createElement("wbr"));
      code.appendChild(document.createTextNode(parts[i]));
    }
    code.setAttribute("data-cells-wbr", "");
  }

  function run() {
    var tables = document.querySelectorAll(".md-typeset table");
    for (var i = 0; i < tables.length; i++) label(tables[i]);
    var codes = document.querySelectorAll(".md-typeset table code");
    for (var j = 0; j < codes.length; j++) breakable(codes[j]);
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(run); // Material: also after an instant page change
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();

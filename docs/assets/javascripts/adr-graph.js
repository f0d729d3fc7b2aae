/* The decision graph (adr/graph/): filter the records by status and tag, focus on one record and
   its neighbours (?focus=<number> in the address, so a view can be shared). Groups without a
   record to show are hidden; records that do not match are faded. No dependency: works the same
   from a server and from file://. */
(function () {
  "use strict";

  function numbersOf(edge) {
    var m = /^adr-(?:supersedes|related)-(\d+)-(\d+)$/.exec(edge.id || "");
    return m ? [m[1], m[2]] : null;
  }

  function setup() {
    var form = document.getElementById("cells-adr-graph-filter");
    if (!form) return;
    var root = document.querySelector(".cells-adr-graph");
    var count = document.getElementById("cells-adr-graph-count");
    var figures = Array.prototype.slice.call(root.querySelectorAll("figure.cells-adr-group"));
    var alone = document.getElementById("cells-adr-alone");
    var items = alone ? Array.prototype.slice.call(alone.querySelectorAll("li[data-record]")) : [];
    var total = figures.reduce(function (n, f) { return n + f.querySelectorAll("g.node[data-status]").length; }, 0) + items.length;

    var params = new URLSearchParams(window.location.search);
    if (params.get("focus") && form.elements.focus.querySelector('option[value="' + CSS.escape(params.get("focus")) + '"]')) {
      form.elements.focus.value = params.get("focus");
    }

    function matches(element, statuses, tag) {
      var tags = JSON.parse(element.getAttribute("data-tags") || "[]");
      return statuses.indexOf(element.getAttribute("data-status")) >= 0 && (tag === "" || tags.indexOf(tag) >= 0);
    }

    function update(scroll) {
      var statuses = Array.prototype.slice.call(form.querySelectorAll("input[name=status]:checked"))
        .map(function (box) { return box.value; });
      var tag = form.elements.tag.value;
      var focus = form.elements.focus.value;
      var shown = 0;
      var groups = 0;
      var target = null;
      figures.forEach(function (figure) {
        var nodes = Array.prototype.slice.call(figure.querySelectorAll("g.node[data-status]"));
        var edges = Array.prototype.slice.call(figure.querySelectorAll("g.edge"));
        var near = null;
        if (focus) {
          if (!figure.querySelector("#adr-" + focus)) {
            figure.hidden = true;
            return;
          }
          near = {};
          near[focus] = true;
          edges.forEach(function (edge) {
            var pair = numbersOf(edge);
            if (pair && (pair[0] === focus || pair[1] === focus)) { near[pair[0]] = near[pair[1]] = true; }
          });
          target = figure;
        }
        var visible = 0;
        var lit = {};
        nodes.forEach(function (node) {
          var number = node.id.replace("adr-", "");
          var on = matches(node, statuses, tag) && (!near || near[number] === true);
          node.classList.toggle("cells-adr-dim", !on);
          node.classList.toggle("cells-adr-focus", number === focus);
          if (on) { visible += 1; lit[number] = true; }
        });
        edges.forEach(function (edge) {
          var pair = numbersOf(edge);
          edge.classList.toggle("cells-adr-dim", !pair || !(lit[pair[0]] && lit[pair[1]]));
        });
        figure.hidden = visible === 0;
        if (visible) { shown += visible; groups += 1; }
      });
      items.forEach(function (item) {
        var number = item.getAttribute("data-record");
        var on = matches(item, statuses, tag) && (!focus || number === focus);
        item.hidden = !on;
        item.classList.toggle("cells-adr-focus", number === focus);
        if (on) { shown += 1; }
        if (focus && number === focus) { target = item; alone.open = true; }
      });
      if (alone) { alone.hidden = !items.some(function (item) { return !item.hidden; }); }
      count.textContent = shown + " of " + total + " records" + (groups ? ", in " + groups + " group" + (groups === 1 ? "" : "s") : "");
      var url = new URL(window.location.href);
      if (focus) { url.searchParams.set("focus", focus); } else { url.searchParams.delete("focus"); }
      if (url.href !== window.location.href) {
        try { window.history.replaceState(null, "", url.href); } catch (error) { /* file:// may refuse */ }
      }
      if (scroll && target) { target.scrollIntoView({ block: "nearest" }); }
    }

    form.addEventListener("change", function () { update(true); });
    update(Boolean(form.elements.focus.value));
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();

/* Route explainer: the same semantics as src/cellsdocs/explain.py, run in the browser on the rule
 * sets and cells exported at build time (<script type="application/json" id="cells-routing-data">).
 * The rule patterns are JavaScript regular expressions, used here as the router uses them.
 * Every value from the sources is written with textContent, never as HTML. */
(function () {
  "use strict";

  var VARIABLE = /\$\{([^}]*)\}/g;

  function firstCell(cells) {
    var first = null;
    cells.forEach(function (cell) { if (first === null || cell.id < first.id) { first = cell; } });
    return first;
  }

  function resolveCell(cells, type, value) {
    var kind = type.replace(/^CLASSIFY_TYPE_/, "");
    var cell = null;
    if (kind === "FIRST_CELL") {
      cell = firstCell(cells);
      return { cell: cell, reason: "FIRST_CELL is the cell with the lowest id: " + cell.name };
    }
    if (kind === "SESSION_PREFIX") {
      var v = value || "";
      cells.forEach(function (c) {
        if (v.indexOf(c.session_prefix) === 0 && (cell === null || c.session_prefix.length > cell.session_prefix.length)) {
          cell = c;
        }
      });
      if (cell === null) { return { cell: null, reason: "no cell's session prefix starts '" + v + "'" }; }
      return { cell: cell, reason: "session prefix '" + cell.session_prefix + "' belongs to " + cell.name };
    }
    if (kind === "CELL_ID") {
      var text = (value || "").trim();
      cells.forEach(function (c) {
        if ((/^[0-9]+$/.test(text) && c.id === Number(text)) || (!/^[0-9]+$/.test(text) && c.name === text)) { cell = c; }
      });
      if (cell === null) { return { cell: null, reason: "no cell has id or name '" + value + "'" }; }
      return { cell: cell, reason: "cell id " + cell.id + " is " + cell.name };
    }
    return { cell: null, reason: type + " is resolved by the Topology Service at run time" };
  }

  function groups(found, into) {
    if (found && found.groups) {
      Object.keys(found.groups).forEach(function (k) {
        if (found.groups[k] !== undefined) { into[k] = found.groups[k]; }
      });
    }
  }

  function search(rule, request) {
    var match = rule.match;
    if (!match) { return {}; }
    var captures = {};
    if (match.type === "path") {
      var found = new RegExp(match.regex_value).exec(request.path.split("?")[0]);
      if (!found) { return null; }
      groups(found, captures);
      return captures;
    }
    var items = match.type === "header" ? request.headers : request.cookies;
    for (var i = 0; i < items.length; i++) {
      var name = items[i][0], value = items[i][1];
      captures = {};
      if (match.regex_name !== null && match.regex_name !== undefined) {
        var nameFound = new RegExp(match.regex_name, match.type === "header" ? "i" : "").exec(name);
        if (!nameFound) { continue; }
        groups(nameFound, captures);
      }
      if (match.regex_value !== null && match.regex_value !== undefined) {
        var valueFound = new RegExp(match.regex_value).exec(value);
        if (!valueFound) { continue; }
        groups(valueFound, captures);
      }
      return captures;
    }
    return null;
  }

  function explain(data, ruleSetName, request) {
    var ruleSet = data.rule_sets[ruleSetName];
    for (var i = 0; i < ruleSet.rules.length; i++) {
      var rule = ruleSet.rules[i];
      var captures = search(rule, request);
      if (captures === null) { continue; }
      if (rule.action === "proxy") {
        var upstream = firstCell(data.cells);
        return { rule: rule.number, action: "proxy", captures: captures, classify_type: null,
          classify_value: null, cell: upstream.name, address: upstream.address,
          reason: "proxied to the default upstream, the first cell " + upstream.name, rule_data: rule };
      }
      var value = null;
      if (rule.classify.value !== null && rule.classify.value !== undefined) {
        value = rule.classify.value.replace(VARIABLE, function (_, key) {
          return Object.prototype.hasOwnProperty.call(captures, key) ? captures[key] : "";
        });
      }
      var resolved = resolveCell(data.cells, rule.classify.type, value);
      return { rule: rule.number, action: "classify", captures: captures, classify_type: rule.classify.type,
        classify_value: value, cell: resolved.cell ? resolved.cell.name : null,
        address: resolved.cell ? resolved.cell.address : null, reason: resolved.reason, rule_data: rule };
    }
    return { rule: null, action: null, captures: {}, classify_type: null, classify_value: null, cell: null,
      address: null, reason: "no rule matched: the router has no route for this request" };
  }

  function pairs(text, separator) {
    var out = [];
    text.split(/\r?\n/).forEach(function (line) {
      var at = line.indexOf(separator);
      if (line.trim() === "" || at < 0) { return; }
      out.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
    });
    return out;
  }

  function row(list, label, value) {
    var dt = document.createElement("dt");
    dt.textContent = label;
    var dd = document.createElement("dd");
    dd.textContent = value;
    list.appendChild(dt);
    list.appendChild(dd);
  }

  function render(output, result, ruleSetName) {
    output.textContent = "";
    var list = document.createElement("dl");
    row(list, "Rule set", ruleSetName);
    if (result.rule === null) {
      row(list, "Matching rule", "none");
      row(list, "Outcome", result.reason);
    } else {
      var rule = result.rule_data;
      row(list, "Matching rule", "#" + result.rule + (rule.id ? " (" + rule.id + ")" : "") +
        (rule.description ? ": " + rule.description : ""));
      var keys = Object.keys(result.captures).sort();
      row(list, "Captured", keys.length ? keys.map(function (k) { return k + " = " + result.captures[k]; }).join(", ") : "nothing");
      row(list, "Action", result.action);
      if (result.action === "classify") {
        row(list, "Classification", result.classify_type + (result.classify_value !== null ? " " + result.classify_value : ""));
      }
      row(list, "Target cell", result.cell ? result.cell + " (" + result.address + ")" : "not known at build time");
      row(list, "Why", result.reason);
    }
    output.appendChild(list);
  }

  function setup() {
    var form = document.getElementById("cells-explainer-form");
    var dataNode = document.getElementById("cells-routing-data");
    if (!form || !dataNode) { return; }
    var data = JSON.parse(dataNode.textContent);
    var select = form.elements.ruleset;
    if (select.options.length === 0) {
      Object.keys(data.rule_sets).sort().forEach(function (name) {
        var option = document.createElement("option");
        option.value = name;
        option.textContent = name + (name === data.active ? " (active)" : "");
        if (name === data.active) { option.selected = true; }
        select.appendChild(option);
      });
    }
    var output = document.getElementById("cells-explainer-result");
    function update() {
      var started = performance.now();
      var request = {
        method: form.elements.method.value,
        path: form.elements.path.value || "/",
        headers: pairs(form.elements.headers.value, ":"),
        cookies: pairs(form.elements.cookies.value, "=")
      };
      var result = explain(data, select.value, request);
      render(output, result, select.value);
      output.setAttribute("data-ms", String(performance.now() - started));
    }
    form.addEventListener("input", update);
    form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
    update();
  }

  window.cellsExplain = explain;
  if (typeof document$ !== "undefined") {
    document$.subscribe(setup);  /* Material's instant navigation */
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();

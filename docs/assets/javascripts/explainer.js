/* Route explainer: the same semantics as src/cellsdocs/analysis/explain.py, run in the browser on the rule
 * sets and cells exported at build time (<script type="application/json" id="cells-routing-data">).
 * The rule patterns are JavaScript regular expressions, used here as the router uses them.
 * Every value from the sources or the reader is written with textContent, never as HTML; links
 * come only from the exported data and only when they are relative site paths; the request is kept
 * in the page's query string (?rules=&method=&path=&headers=&cookies=) so a result can be shared. */
(function () {
  "use strict";

  var VARIABLE = /\$\{([^}]*)\}/g;
  var LITERAL_NAME = /^\^([A-Za-z0-9_-]{1,60})\$$/;
  var PLAIN_NAME = /^[A-Za-z0-9_-]{1,60}$/;
  var SHOWN = 60;
  var REFUSED = "the Topology Service answers REJECT and the router refuses the request";
  /* a relative link inside the site: no scheme, no host, nothing that could run */
  var SITE_LINK = /^(\.\.\/)*[A-Za-z0-9_.~%\/-]*(#[A-Za-z0-9_.~%-]*)?$/;
  var STATE_KEYS = ["rules", "method", "path", "headers", "cookies"];
  var MAX_STATE = 8000;

  /* a value as a JSON string, cut at SHOWN code points: the same text as explain.quoted() */
  function quoted(value, limit) {
    var points = Array.from(value);
    limit = limit || SHOWN;
    var cut = points.length > limit ? points.slice(0, limit).join("") + "\u2026" : value;
    return JSON.stringify(cut);
  }

  function patternText(source) {
    var points = Array.from(source || "");
    return points.length > 80 ? points.slice(0, 80).join("") + "\u2026" : (source || "");
  }

  function nameText(name) {
    return PLAIN_NAME.test(name) ? name : quoted(name);
  }

  function stripBlanks(text) {
    return text.replace(/^[ \t]+|[ \t]+$/g, "");
  }

  /* "name=value; name2=value2", a leading "Cookie:" allowed: as explain.parse_cookie_header() */
  function parseCookieHeader(text) {
    text = stripBlanks(text);
    if (/^cookie:/i.test(text)) { text = text.slice(7); }
    var out = [];
    text.split(";").forEach(function (part) {
      part = stripBlanks(part);
      if (part === "") { return; }
      var at = part.indexOf("=");
      if (at < 0) { out.push([part, ""]); return; }
      out.push([stripBlanks(part.slice(0, at)), stripBlanks(part.slice(at + 1))]);
    });
    return out;
  }

  /* a recorded request, as explain.Request.from_data() reads it (cookie_header included) */
  function requestFromData(d) {
    function pairs(v) {
      if (!v) { return []; }
      if (Array.isArray(v)) { return v.map(function (p) { return [String(p[0]), String(p[1])]; }); }
      return Object.keys(v).map(function (k) { return [k, String(v[k])]; });
    }
    var cookies = pairs(d.cookies);
    if (typeof d.cookie_header === "string") { cookies = cookies.concat(parseCookieHeader(d.cookie_header)); }
    return { method: String(d.method || "GET").toUpperCase(), path: String(d.path === undefined ? "/" : d.path),
      headers: pairs(d.headers), cookies: cookies };
  }

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
      if (cell === null) { return { cell: null, reason: "no cell's session prefix starts " + quoted(v) + ": " + REFUSED }; }
      return { cell: cell, reason: "session prefix " + quoted(cell.session_prefix) + " belongs to " + cell.name };
    }
    if (kind === "CELL_ID") {
      var text = (value || "").trim();
      var numeric = /^[0-9]{1,20}$/.test(text);
      cells.forEach(function (c) {
        if ((numeric && String(c.id) === String(BigInt(text))) || (!numeric && c.name === text)) { cell = c; }
      });
      if (cell === null) { return { cell: null, reason: "no cell has id or name " + quoted(value || "") + ": " + REFUSED }; }
      return { cell: cell, reason: "cell id " + cell.id + " is " + cell.name };
    }
    return { cell: null, reason: type + " is resolved by the Topology Service at run time" };
  }

  function outcomeOf(type, cell) {
    if (cell) { return "cell"; }
    return /^(CLASSIFY_TYPE_)?(SESSION_PREFIX|CELL_ID)$/.test(type) ? "reject" : "run-time";
  }

  function groups(found, into) {
    if (found && found.groups) {
      Object.keys(found.groups).forEach(function (k) {
        if (found.groups[k] !== undefined) { into[k] = found.groups[k]; }
      });
    }
  }

  function namePattern(match) {
    return new RegExp(match.regex_name, match.type === "header" ? "i" : "");
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
        var nameFound = namePattern(match).exec(name);
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

  /* which of the rule's conditions the request fails: the same words as explain.why_not() */
  function whyNot(rule, request) {
    var match = rule.match;
    var kind = match.type;
    if (kind === "path") {
      return "path " + quoted(request.path.split("?")[0]) + " does not match " + patternText(match.regex_value);
    }
    var items = kind === "header" ? request.headers : request.cookies;
    var named = items.filter(function (item) {
      return match.regex_name === null || match.regex_name === undefined || namePattern(match).test(item[0]);
    });
    if (named.length === 0) {
      var literal = LITERAL_NAME.exec(match.regex_name || "");
      if (literal) { return kind + " " + literal[1] + " missing"; }
      return "no " + kind + " name matches " + patternText(match.regex_name);
    }
    var what = kind + " " + nameText(named[0][0]) + " value " + quoted(named[0][1]) + " does not match " +
      patternText(match.regex_value);
    if (named.length > 1) {
      what += " (nor do the values of " + (named.length - 1) + " more " + kind + (named.length > 2 ? "s" : "") +
        " of that name)";
    }
    return what;
  }

  function explain(data, ruleSetName, request) {
    var ruleSet = data.rule_sets[ruleSetName];
    var missed = [];
    for (var i = 0; i < ruleSet.rules.length; i++) {
      var rule = ruleSet.rules[i];
      var captures = search(rule, request);
      if (captures === null) { missed.push([rule.number, whyNot(rule, request)]); continue; }
      if (rule.action === "proxy") {
        var upstream = firstCell(data.cells);
        return { rule: rule.number, action: "proxy", captures: captures, classify_type: null,
          classify_value: null, cell: upstream.name, outcome: "cell",
          reason: "proxied to the default upstream, the first cell " + upstream.name, why_not: missed,
          rule_data: rule, cell_data: upstream };
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
        outcome: outcomeOf(rule.classify.type, resolved.cell), reason: resolved.reason, why_not: missed,
        rule_data: rule, cell_data: resolved.cell };
    }
    return { rule: null, action: null, captures: {}, classify_type: null, classify_value: null, cell: null,
      outcome: "no-route", reason: "no rule matched: the router has no route for this request", why_not: missed,
      rule_data: null, cell_data: null };
  }

  /* ---- the page ------------------------------------------------------------------------------ */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  /* a link from the exported data, or plain text when the target is not a relative site path */
  function link(href, text) {
    if (typeof href === "string" && SITE_LINK.test(href)) {
      var a = el("a", null, text);
      a.setAttribute("href", href);
      return a;
    }
    return el("span", null, text);
  }

  function ruleLabel(rule) {
    return "rule " + rule.number + (rule.id ? " (" + rule.id + ")" : "");
  }

  function linesOf(text) {
    return text.split(/\r?\n/).filter(function (line) { return line.trim() !== ""; });
  }

  /* headers "Name: value" one per line; a Cookie: line is also read as cookies, as the router does */
  function readHeaders(text) {
    var headers = [], cookies = [];
    linesOf(text).forEach(function (line) {
      var at = line.indexOf(":");
      if (at < 0) { return; }
      var name = line.slice(0, at).trim(), value = line.slice(at + 1).trim();
      headers.push([name, value]);
      if (name.toLowerCase() === "cookie") { cookies = cookies.concat(parseCookieHeader(value)); }
    });
    return { headers: headers, cookies: cookies };
  }

  /* cookies: "name=value" per line, or a pasted "Cookie: a=b; c=d" header (any line may hold several) */
  function readCookies(text) {
    var out = [];
    linesOf(text).forEach(function (line) { out = out.concat(parseCookieHeader(line)); });
    return out;
  }

  function row(list, label, value) {
    var dt = el("dt", null, label);
    var dd = el("dd");
    if (typeof value === "string") { dd.textContent = value; } else { value.forEach(function (n) { dd.appendChild(n); }); }
    list.appendChild(dt);
    list.appendChild(dd);
    return dd;
  }

  function text(value) { return document.createTextNode(value); }

  var OUTCOME_TEXT = {
    "cell": "routed to a cell",
    "reject": "refused (REJECT): the router does not fall back to another rule or cell",
    "run-time": "the Topology Service decides at run time",
    "no-route": "no route: no rule matched"
  };

  function render(output, data, ruleSetName, request, result, tryExample) {
    output.textContent = "";
    var summary = el("div", "cells-explainer__summary cells-explainer__summary--" + result.outcome);
    summary.setAttribute("data-outcome", result.outcome);
    var list = el("dl");
    row(list, "Rule set", ruleSetName);
    row(list, "Request", request.method + " " + request.path);
    if (result.rule === null) {
      row(list, "Matching rule", "none");
      row(list, "Outcome", OUTCOME_TEXT["no-route"]);
      row(list, "Why", result.reason);
    } else {
      var rule = result.rule_data;
      var ruleNodes = [link(rule.href, ruleLabel(rule))];
      if (rule.description) { ruleNodes.push(text(": " + rule.description)); }
      row(list, "Matching rule", ruleNodes).setAttribute("data-field", "rule");
      var keys = Object.keys(result.captures).sort();
      row(list, "Captured", keys.length ? keys.map(function (k) { return k + " = " + result.captures[k]; }).join(", ") : "nothing");
      row(list, "Action", result.action);
      if (result.action === "classify") {
        row(list, "Classification", result.classify_type + (result.classify_value !== null ? " " + result.classify_value : ""));
      }
      var target;
      if (result.cell_data) {
        target = [link(result.cell_data.href, result.cell_data.name), text(" (" + result.cell_data.address + ")")];
      } else {
        target = [text(result.outcome === "reject" ? "none: the request is refused" : "decided by the Topology Service at run time")];
      }
      row(list, "Target cell", target).setAttribute("data-field", "cell");
      row(list, "Outcome", OUTCOME_TEXT[result.outcome]);
      row(list, "Why", result.reason);
    }
    summary.appendChild(list);
    output.appendChild(summary);

    var trace = el("section", "cells-explainer__trace");
    trace.appendChild(el("h2", null, "Each rule, in order"));
    var ol = el("ol");
    var why = {};
    result.why_not.forEach(function (pair) { why[pair[0]] = pair[1]; });
    var examples = {};
    (data.rule_sets[ruleSetName].examples || []).forEach(function (ex) { examples[ex.rule] = ex; });
    data.rule_sets[ruleSetName].rules.forEach(function (rule) {
      var state = rule.number === result.rule ? "matched" : (Object.prototype.hasOwnProperty.call(why, rule.number) ? "no-match" : "not-tried");
      var li = el("li", "cells-explainer__rule cells-explainer__rule--" + state);
      li.setAttribute("data-rule", String(rule.number));
      li.setAttribute("data-state", state);
      var head = el("div", "cells-explainer__rule-head");
      head.appendChild(link(rule.href, ruleLabel(rule)));
      head.appendChild(el("span", "cells-explainer__badge", state === "matched" ? "matched" : state === "no-match" ? "did not match" : "not tried"));
      li.appendChild(head);
      var detail;
      if (state === "matched") {
        detail = rule.match ? "every condition holds: the first match decides" : "no conditions: matches every request that reaches it";
      } else if (state === "no-match") {
        detail = why[rule.number];
      } else {
        detail = "not tried: rule " + result.rule + " matched first";
      }
      li.appendChild(el("div", "cells-explainer__why", detail));
      var ex = examples[rule.number];
      if (state !== "matched" && ex && ex.request && !ex.note) {
        var button = el("button", "md-button cells-explainer__try", "Try an example for rule " + rule.number);
        button.type = "button";
        button.addEventListener("click", function () { tryExample(ex.request); });
        li.appendChild(button);
      }
      ol.appendChild(li);
    });
    trace.appendChild(ol);
    output.appendChild(trace);
  }

  function describe(request) {
    var parts = [request.method + " " + request.path];
    request.headers.forEach(function (h) { parts.push(h[0] + ": " + h[1]); });
    request.cookies.forEach(function (c) { parts.push("cookie " + c[0] + "=" + c[1]); });
    return parts.join(" \u00b7 ");
  }

  function renderPresets(box, data, ruleSetName, tryExample) {
    box.textContent = "";
    var ruleSet = data.rule_sets[ruleSetName];
    box.appendChild(el("p", "cells-explainer__presets-title", "Examples, one per rule of " + ruleSetName +
      ", made from the rule's own patterns:"));
    var ul = el("ul");
    (ruleSet.examples || []).forEach(function (ex) {
      var rule = ruleSet.rules[ex.rule - 1];
      var li = el("li");
      if (ex.request) {
        var button = el("button", "cells-explainer__preset");
        button.type = "button";
        button.setAttribute("data-rule", String(ex.rule));
        button.appendChild(el("strong", null, ruleLabel(rule)));
        button.appendChild(el("span", null, describe(ex.request)));
        button.addEventListener("click", function () { tryExample(ex.request); });
        li.appendChild(button);
      } else {
        li.appendChild(el("span", "cells-explainer__preset-none", ruleLabel(rule)));
      }
      if (ex.note) { li.appendChild(el("span", "cells-explainer__note", ex.note)); }
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }

  function readState(data, form) {
    var params = new URLSearchParams(window.location.search);
    var state = {};
    STATE_KEYS.forEach(function (key) {
      var value = params.get(key);
      if (value !== null && value.length <= MAX_STATE) { state[key] = value; }
    });
    if (state.rules !== undefined && !Object.prototype.hasOwnProperty.call(data.rule_sets, state.rules)) { delete state.rules; }
    if (state.method !== undefined) {
      var known = Array.prototype.some.call(form.elements.method.options, function (o) { return o.value === state.method; });
      if (!known) { delete state.method; }
    }
    return state;
  }

  function writeState(form, data, share) {
    var params = new URLSearchParams();
    if (form.elements.ruleset.value !== data.active) { params.set("rules", form.elements.ruleset.value); }
    if (form.elements.method.value !== "GET") { params.set("method", form.elements.method.value); }
    if (form.elements.path.value !== "/") { params.set("path", form.elements.path.value); }
    if (form.elements.headers.value.trim() !== "") { params.set("headers", form.elements.headers.value); }
    if (form.elements.cookies.value.trim() !== "") { params.set("cookies", form.elements.cookies.value); }
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "");
    if (window.history && window.history.replaceState) { window.history.replaceState(null, "", url); }
    if (share) { share.setAttribute("href", query ? "?" + query : "./"); }
  }

  function placeholders(form, data, ruleSetName) {
    var header = null, cookie = null;
    (data.rule_sets[ruleSetName].examples || []).forEach(function (ex) {
      if (!ex.request) { return; }
      if (header === null && ex.request.headers.length) { header = ex.request.headers[0]; }
      if (cookie === null && ex.request.cookies.length) { cookie = ex.request.cookies[0]; }
    });
    form.elements.headers.setAttribute("placeholder", header ? header[0] + ": " + header[1] : "Name: value");
    form.elements.cookies.setAttribute("placeholder", cookie ? cookie[0] + "=" + cookie[1] + "\nor paste: Cookie: a=1; " + cookie[0] + "=" + cookie[1] : "name=value\nor paste: Cookie: a=1; b=2");
  }

  function setup() {
    var form = document.getElementById("cells-explainer-form");
    var dataNode = document.getElementById("cells-routing-data");
    if (!form || !dataNode || form.getAttribute("data-ready") === "1") { return; }
    form.setAttribute("data-ready", "1");
    var data = JSON.parse(dataNode.textContent);
    var select = form.elements.ruleset;
    if (select.options.length === 0) {
      Object.keys(data.rule_sets).sort().forEach(function (name) {
        var option = el("option", null, name + (name === data.active ? " (active)" : ""));
        option.value = name;
        if (name === data.active) { option.selected = true; }
        select.appendChild(option);
      });
    }
    var output = document.getElementById("cells-explainer-result");
    var presets = document.getElementById("cells-explainer-presets");
    var share = document.getElementById("cells-explainer-share");
    var copy = document.getElementById("cells-explainer-copy");
    var shownSet = null;

    function fill(request) {
      form.elements.method.value = request.method;
      form.elements.path.value = request.path;
      form.elements.headers.value = request.headers.map(function (h) { return h[0] + ": " + h[1]; }).join("\n");
      form.elements.cookies.value = request.cookies.map(function (c) { return c[0] + "=" + c[1]; }).join("\n");
      update();
      output.scrollIntoView({ block: "nearest" });
    }

    function update() {
      var started = performance.now();
      var fromHeaders = readHeaders(form.elements.headers.value);
      var request = {
        method: form.elements.method.value,
        path: form.elements.path.value || "/",
        headers: fromHeaders.headers,
        cookies: readCookies(form.elements.cookies.value).concat(fromHeaders.cookies)
      };
      var result = explain(data, select.value, request);
      if (presets && shownSet !== select.value) {
        renderPresets(presets, data, select.value, fill);
        placeholders(form, data, select.value);
        shownSet = select.value;
      }
      render(output, data, select.value, request, result, fill);
      output.setAttribute("data-ms", String(performance.now() - started));
      writeState(form, data, share);
    }

    var state = readState(data, form);
    if (state.rules !== undefined) { select.value = state.rules; }
    if (state.method !== undefined) { form.elements.method.value = state.method; }
    if (state.path !== undefined) { form.elements.path.value = state.path; }
    if (state.headers !== undefined) { form.elements.headers.value = state.headers; }
    if (state.cookies !== undefined) { form.elements.cookies.value = state.cookies; }
    form.addEventListener("input", update);
    /* not on a text field's change (when it loses focus): that would redraw the result under the
     * reader's click on one of its links or buttons */
    form.addEventListener("change", function (event) { if (event.target.tagName === "SELECT") { update(); } });
    form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
    if (copy && share) {
      copy.hidden = !(navigator.clipboard && window.isSecureContext);
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(share.href).then(function () { copy.textContent = "Link copied"; },
          function () { copy.textContent = "Copy failed: use the link"; });
      });
    }
    update();
  }

  window.cellsExplain = explain;
  window.cellsRequestFromData = requestFromData;
  window.cellsParseCookieHeader = parseCookieHeader;
  if (typeof document$ !== "undefined") {
    document$.subscribe(setup);  /* Material's instant navigation */
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();

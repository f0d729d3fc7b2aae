/* Diagrams full size: every figure.cells-diagram the page draws smaller than its natural size gets
   a visible "Full size" button that opens the diagram in a dialog at its natural size (text as
   Graphviz drew it, 12 px and more), where it can be panned (drag, scroll bars, arrow keys) and zoomed (buttons, + and -, the mouse wheel).
   No dependency, no network: works the same from a server and from file://. */
(function () {
  "use strict";
  var STEP = 1.25;
  var MIN = 0.1;
  var MAX = 8;
  var dialog = null;
  var state = { svg: null, width: 0, height: 0, scale: 1 };

  function button(text, action, title) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "cells-zoom__button";
    b.textContent = text;
    b.setAttribute("data-zoom", action);
    if (title) {
      b.title = title;
      b.setAttribute("aria-label", title);
    }
    return b;
  }

  function naturalSize(svg) {
    var w = svg.width && svg.width.baseVal ? svg.width.baseVal.value : 0;
    var h = svg.height && svg.height.baseVal ? svg.height.baseVal.value : 0;
    if (!w || !h) {
      var box = svg.viewBox && svg.viewBox.baseVal;
      w = box ? box.width : svg.getBoundingClientRect().width;
      h = box ? box.height : svg.getBoundingClientRect().height;
    }
    return { width: w, height: h };
  }

  function view() {
    return dialog.querySelector(".cells-zoom__view");
  }

  function setScale(scale, cx, cy) {
    var v = view();
    scale = Math.min(MAX, Math.max(MIN, scale));
    if (cx === undefined) {
      cx = v.clientWidth / 2;
      cy = v.clientHeight / 2;
    }
    // keep the point under (cx, cy) where it is
    var px = (v.scrollLeft + cx) / state.scale;
    var py = (v.scrollTop + cy) / state.scale;
    state.scale = scale;
    state.svg.style.width = state.width * scale + "px";
    state.svg.style.height = state.height * scale + "px";
    v.scrollLeft = px * scale - cx;
    v.scrollTop = py * scale - cy;
    dialog.querySelector(".cells-zoom__level").textContent = Math.round(scale * 100) + "%";
  }

  function fit() {
    var v = view();
    setScale(Math.min(1, v.clientWidth / state.width, v.clientHeight / state.height));
    v.scrollLeft = 0;
    v.scrollTop = 0;
  }

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "cells-zoom";
    var bar = document.createElement("div");
    bar.className = "cells-zoom__bar";
    var title = document.createElement("span");
    title.className = "cells-zoom__title";
    var level = document.createElement("output");
    level.className = "cells-zoom__level";
    bar.appendChild(title);
    bar.appendChild(button("\u2212", "out", "Zoom out"));
    bar.appendChild(level);
    bar.appendChild(button("+", "in", "Zoom in"));
    bar.appendChild(button("Fit", "fit", "Fit to the window"));
    bar.appendChild(button("100%", "one", "Full size"));
    bar.appendChild(button("Close", "close", "Close the full-size diagram"));
    var v = document.createElement("div");
    v.className = "cells-zoom__view";
    v.tabIndex = 0;
    v.setAttribute("aria-label", "Diagram: drag or use the arrow keys to pan, + and - to zoom");
    dialog.appendChild(bar);
    dialog.appendChild(v);
    document.body.appendChild(dialog);

    bar.addEventListener("click", function (event) {
      var action = event.target.getAttribute && event.target.getAttribute("data-zoom");
      if (action === "in") setScale(state.scale * STEP);
      else if (action === "out") setScale(state.scale / STEP);
      else if (action === "fit") fit();
      else if (action === "one") setScale(1);
      else if (action === "close") dialog.close();
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.target.tagName === "BUTTON" && (event.key === "Enter" || event.key === " ")) return;
      if (event.key === "+" || event.key === "=") setScale(state.scale * STEP);
      else if (event.key === "-" || event.key === "_") setScale(state.scale / STEP);
      else if (event.key === "0") fit();
      else if (event.key === "1") setScale(1);
      else return;
      event.preventDefault();
    });
    v.addEventListener(
      "wheel",
      function (event) {
        event.preventDefault();
        var rect = v.getBoundingClientRect();
        var factor = event.deltaY < 0 ? STEP : 1 / STEP;
        setScale(state.scale * factor, event.clientX - rect.left, event.clientY - rect.top);
      },
      { passive: false }
    );
    var drag = null;
    v.addEventListener("pointerdown", function (event) {
      if (event.button !== 0 || (event.target.closest && event.target.closest("a"))) return;
      drag = { x: event.clientX, y: event.clientY, left: v.scrollLeft, top: v.scrollTop };
      v.setPointerCapture(event.pointerId);
      v.classList.add("cells-zoom__view--dragging");
    });
    v.addEventListener("pointermove", function (event) {
      if (!drag) return;
      v.scrollLeft = drag.left - (event.clientX - drag.x);
      v.scrollTop = drag.top - (event.clientY - drag.y);
    });
    function stop() {
      drag = null;
      v.classList.remove("cells-zoom__view--dragging");
    }
    v.addEventListener("pointerup", stop);
    v.addEventListener("pointercancel", stop);
    dialog.addEventListener("close", function () {
      v.textContent = "";
      state.svg = null;
      if (state.opener) state.opener.focus();
    });
  }

  function open(figure, opener) {
    if (!dialog) build();
    var source = figure.querySelector(":scope > svg");
    var svg = source.cloneNode(true);
    // ids stay unique in the page: the copy's are dropped (its links keep working)
    var named = svg.querySelectorAll("[id]");
    for (var i = 0; i < named.length; i++) named[i].removeAttribute("id");
    svg.removeAttribute("id");
    var size = naturalSize(source);
    state = { svg: svg, width: size.width, height: size.height, scale: 1, opener: opener };
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.style.maxWidth = "none";
    svg.style.width = size.width + "px";
    svg.style.height = size.height + "px";
    var v = view();
    v.textContent = "";
    v.appendChild(svg);
    var caption = figure.querySelector("figcaption");
    var label = (svg.querySelector("title") || {}).textContent || (caption ? caption.textContent : "Diagram");
    dialog.querySelector(".cells-zoom__title").textContent = label;
    dialog.setAttribute("aria-label", label + ", full size");
    dialog.showModal();
    setScale(1, 0, 0);
    v.scrollLeft = 0;
    v.scrollTop = 0;
    v.focus();
  }

  function enhance(figure) {
    if (figure.querySelector(":scope > .cells-diagram__tools") || !figure.querySelector(":scope > svg")) return;
    var tools = document.createElement("div");
    tools.className = "cells-diagram__tools";
    var b = button("Full size", "open", null);
    b.className = "md-button cells-diagram__open";
    b.setAttribute("aria-label", "Open the diagram full size, to pan and zoom");
    b.addEventListener("click", function () {
      open(figure, b);
    });
    tools.appendChild(b);
    figure.insertBefore(tools, figure.firstChild);
  }

  // the button shows when the page draws the diagram smaller than its natural size
  function update() {
    var figures = document.querySelectorAll("figure.cells-diagram");
    for (var i = 0; i < figures.length; i++) {
      var svg = figures[i].querySelector(":scope > svg");
      var tools = figures[i].querySelector(":scope > .cells-diagram__tools");
      if (!svg || !tools) continue;
      var shown = svg.getBoundingClientRect().width;
      tools.hidden = shown > 0 && shown >= naturalSize(svg).width - 1;
    }
  }

  function run() {
    var figures = document.querySelectorAll("figure.cells-diagram");
    for (var i = 0; i < figures.length; i++) enhance(figures[i]);
    update();
  }

  window.addEventListener("resize", update);

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(run);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();

// Hyperlens UI behaviour: charts (uPlot), the waterfall's collapse, search and critical-path
// filter, the span panel's attribute filter and the tail's pause. No inline script anywhere: the
// pages carry data in data-* attributes, and this file reads them.
(function () {
  "use strict";

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name);
    return value && value.trim() ? value.trim() : fallback;
  }

  function width(el) {
    return Math.max(320, el.clientWidth || 800);
  }

  function ratesChart(el) {
    var plot = null;
    function load() {
      fetch(el.getAttribute("data-src"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) {
          if (!d) { return; }
          var data = [d.t, d.events, d.spans];
          if (!plot) {
            plot = new uPlot({
              width: width(el), height: 220,
              series: [{}, { label: "events/s", stroke: cssVar("--accent", "#2563eb") },
                { label: "spans/s", stroke: cssVar("--accent2", "#16a34a"), dash: [6, 4] }],
              axes: [{}, { label: "per second" }]
            }, data, el);
          } else {
            plot.setData(data);
          }
          el.setAttribute("data-points", String(d.t.length));
        });
    }
    load();
    setInterval(load, 2000);
  }

  function scatterChart(el) {
    var points = JSON.parse(el.getAttribute("data-points") || "[[],[]]");
    if (!points[0].length) { el.textContent = "No traces to plot."; return; }
    var order = points[0].map(function (_, i) { return i; })
      .sort(function (a, b) { return points[0][a] - points[0][b]; });
    var data = [order.map(function (i) { return points[0][i]; }), order.map(function (i) { return points[1][i]; })];
    new uPlot({
      width: width(el), height: 200,
      series: [{}, { label: "duration ms", stroke: cssVar("--accent", "#2563eb"),
        paths: function () { return null; }, points: { show: true, size: 7 } }],
      axes: [{}, { label: "ms" }]
    }, data, el);
  }

  function stepsChart(el) {
    var points = JSON.parse(el.getAttribute("data-steps") || "[[],[]]");
    if (!points[0].length) { el.textContent = "No ring change in the agent's recent events."; return; }
    new uPlot({
      width: width(el), height: 180,
      series: [{}, { label: "ring", stroke: cssVar("--accent", "#2563eb"),
        paths: uPlot.paths.stepped({ align: 1 }), points: { show: true } }],
      scales: { y: { range: [0, 4] } },
      axes: [{}, { label: "ring", incrs: [1] }]
    }, points, el);
  }

  // ---- waterfall

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#waterfall-rows tr.span-row"));
  }

  function setCollapsed(row, collapsed) {
    var all = rows();
    var i = all.indexOf(row);
    var depth = Number(row.getAttribute("data-depth"));
    row.classList.toggle("collapsed", collapsed);
    var button = row.querySelector(".toggle");
    if (button) {
      button.setAttribute("aria-expanded", String(!collapsed));
      button.textContent = collapsed ? "▸" : "▾";
    }
    var skipBelow = -1;
    for (var j = i + 1; j < all.length; j++) {
      var d = Number(all[j].getAttribute("data-depth"));
      if (d <= depth) { break; }
      if (collapsed) { all[j].hidden = true; continue; }
      if (skipBelow >= 0 && d > skipBelow) { continue; }
      skipBelow = -1;
      all[j].hidden = false;
      if (all[j].classList.contains("collapsed")) { skipBelow = d; }
    }
  }

  function search(term) {
    var count = 0;
    term = term.trim().toLowerCase();
    rows().forEach(function (row) {
      var hit = term.length > 0 && (row.getAttribute("data-search") || "").indexOf(term) >= 0;
      row.classList.toggle("match", hit);
      if (hit) { count++; }
    });
    var out = document.getElementById("search-count");
    if (out) { out.textContent = term ? count + " matching spans" : ""; }
    var first = document.querySelector("#waterfall-rows tr.match");
    if (first && first.scrollIntoView) { first.scrollIntoView({ block: "nearest" }); }
  }

  // capture phase: the toggle acts before the row's own click (which opens the span panel) and
  // keeps it from reaching the row
  document.addEventListener("click", function (e) {
    var toggle = e.target.closest ? e.target.closest(".toggle") : null;
    if (toggle) {
      e.stopPropagation();
      var row = toggle.closest("tr");
      setCollapsed(row, !row.classList.contains("collapsed"));
    }
  }, true);

  document.addEventListener("click", function (e) {
    var pause = e.target.closest ? e.target.closest("#tail-pause") : null;
    if (pause) {
      var paused = pause.getAttribute("aria-pressed") !== "true";
      pause.setAttribute("aria-pressed", String(paused));
      pause.textContent = paused ? "Resume" : "Pause";
      var state = document.getElementById("tail-state");
      if (state) { state.textContent = paused ? "paused" : "live"; }
    }
  });

  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.classList && e.target.classList.contains("span-row")) {
      e.target.click();
    }
  });

  document.addEventListener("input", function (e) {
    if (e.target.id === "trace-search") { search(e.target.value); }
    if (e.target.id === "critical-only") {
      document.getElementById("waterfall").classList.toggle("only-critical", e.target.checked);
    }
    if (e.target.classList && e.target.classList.contains("attr-filter")) {
      var term = e.target.value.trim().toLowerCase();
      document.querySelectorAll("#attributes tr").forEach(function (tr) {
        tr.hidden = term.length > 0 && (tr.getAttribute("data-search") || "").indexOf(term) < 0;
      });
    }
  });

  document.addEventListener("change", function (e) {
    if (e.target.id === "critical-only") {
      document.getElementById("waterfall").classList.toggle("only-critical", e.target.checked);
    }
  });

  // ---- htmx hooks

  document.addEventListener("htmx:sseBeforeMessage", function (e) {
    var pause = document.getElementById("tail-pause");
    if (pause && pause.getAttribute("aria-pressed") === "true" && e.target.id === "tail-rows") {
      e.preventDefault();
    }
  });

  // a tail the hub cut off for falling behind says so (the browser then reconnects, and the
  // events in between are not shown)
  document.addEventListener("htmx:sseMessage", function (e) {
    if (e.target.id === "tail-error") {
      e.target.hidden = false;
      var state = document.getElementById("tail-state");
      if (state) { state.textContent = "cut off by the hub; reconnecting"; }
    }
  });

  document.addEventListener("htmx:afterSwap", function (e) {
    var input = document.getElementById("trace-search");
    if (input && input.value) { search(input.value); }
    var tail = document.getElementById("tail-rows");
    if (tail) {
      while (tail.rows.length > 500) { tail.deleteRow(tail.rows.length - 1); }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var rates = document.getElementById("rates-chart");
    if (rates) { ratesChart(rates); }
    var traces = document.getElementById("traces-chart");
    if (traces) { scatterChart(traces); }
    var ring = document.getElementById("ring-chart");
    if (ring) { stepsChart(ring); }
    document.body.setAttribute("data-ready", "true");
  });
})();

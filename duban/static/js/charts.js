// duban charts: ECharts (vendored) drawn from JSON that Django writes with json_script.
// No inline scripts or style attributes (CSP): an element <div data-chart="kind"
// data-source="json-element-id"> is drawn by RENDERERS[kind]. Tooltips are built from
// classes only (Bootstrap and duban.css), never style attributes. Colours come from the
// server (duban.supervision.selectors.palette), the one place they are defined.
(function () {
  "use strict";
  if (window.dubanCharts) return; // loaded twice (a page and an include): draw once
  var charts = [];
  window.dubanCharts = charts;

  var FONT = getComputedStyle(document.body).fontFamily;
  var MUTED = "#6b7480";
  var GRID = "#e1e5eb";
  var RED = "#b4232a";
  var DAY = 86400000;

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function parseDay(iso) {
    if (!iso) return null;
    var p = iso.split("-");
    return new Date(+p[0], +p[1] - 1, +p[2]).getTime();
  }
  // 11月22日 within the year of `today`, 2027年1月5日 otherwise (as duban.lib.dates.cn_date).
  function cnDate(value, todayYear) {
    if (value == null) return "";
    var d = typeof value === "number" ? new Date(value) : new Date(parseDay(value));
    var text = d.getMonth() + 1 + "月" + d.getDate() + "日";
    return todayYear && d.getFullYear() !== todayYear ? d.getFullYear() + "年" + text : text;
  }
  function tag(label, colour) {
    return '<span class="db-tag db-tag-' + esc(colour) + '">' + esc(label) + "</span>";
  }
  function tip(title, lines) {
    return '<div class="fw-semibold mb-1 text-wrap">' + esc(title) + "</div>" +
      lines.filter(Boolean).map(function (l) { return '<div class="small">' + l + "</div>"; }).join("");
  }
  function readJSON(el) {
    var source = document.getElementById(el.dataset.source);
    return source ? JSON.parse(source.textContent) : null;
  }
  function base() {
    return {
      animation: false,
      textStyle: { fontFamily: FONT },
      tooltip: { confine: true, textStyle: { fontFamily: FONT } },
    };
  }
  function size(el, height) {
    el.style.height = Math.round(height) + "px";
  }

  // --- Status donut (plan dashboard) --------------------------------------------
  function donut(el, data) {
    size(el, +el.dataset.height || 260);
    var total = data.donut.reduce(function (s, d) { return s + d.value; }, 0);
    var option = base();
    option.tooltip.trigger = "item";
    option.tooltip.formatter = function (p) {
      return tip(p.name, [p.value + " 项，占 " + p.percent + "%"]);
    };
    option.title = {
      text: String(total), subtext: "项", left: "center", top: "40%",
      textStyle: { fontSize: 26, fontWeight: 600, color: "#1f2933" }, subtextStyle: { color: MUTED },
    };
    option.series = [{
      type: "pie", radius: ["46%", "68%"], center: ["50%", "50%"], avoidLabelOverlap: true,
      label: { formatter: "{b} {c}", color: "#33404d" },
      itemStyle: { borderColor: "#fff", borderWidth: 2 },
      data: data.donut.map(function (d) { return { name: d.name, value: d.value, itemStyle: { color: d.hex } }; }),
    }];
    return option;
  }

  // --- Items per unit by colour (plan dashboard) ---------------------------------
  function unitBars(el, data) {
    size(el, Math.max(220, data.units.length * 30 + 70));
    var option = base();
    option.tooltip.trigger = "axis";
    option.tooltip.axisPointer = { type: "shadow" };
    option.tooltip.formatter = function (params) {
      var lines = params.filter(function (p) { return p.value; }).map(function (p) {
        return tag(data.series[p.seriesIndex].name, data.series[p.seriesIndex].colour) + " " + p.value + " 项";
      });
      return tip(params[0].axisValue, lines);
    };
    option.legend = { top: 0, itemWidth: 12, itemHeight: 10 };
    option.grid = { left: 8, right: 24, top: 32, bottom: 8, containLabel: true };
    option.xAxis = { type: "value", minInterval: 1, splitLine: { lineStyle: { color: GRID } } };
    option.yAxis = {
      type: "category", data: data.units, inverse: true, axisTick: { show: false },
      axisLabel: { width: 130, overflow: "truncate", color: "#33404d" },
    };
    option.series = data.series.map(function (s) {
      return { type: "bar", stack: "items", name: s.name, data: s.data, itemStyle: { color: s.hex }, barMaxWidth: 20 };
    });
    return option;
  }

  // --- The battle map (挂图作战) ----------------------------------------------------
  function gantt(el, data) {
    var rows = data.rows;
    var year = +data.today.slice(0, 4);
    var today = parseDay(data.today) + DAY / 2;
    var max = parseDay(data.max);
    var ROW = 34;
    var visible = Math.min(rows.length, 18);
    var scroll = rows.length > visible;
    var labelWidth = Math.max(140, Math.min(300, el.clientWidth * 0.3));
    size(el, visible * ROW + 96);

    var bars = rows.map(function (r, i) {
      var end = r.due ? parseDay(r.due) + DAY : max;
      return [i, parseDay(r.start), end, r.original_due ? parseDay(r.original_due) + DAY : null];
    });
    var nodes = data.nodes.map(function (n) {
      var filled = !!n.done_on;
      return {
        value: [parseDay(n.due) + DAY / 2, n.row],
        node: n,
        itemStyle: {
          color: filled ? (n.late ? RED : "#33404d") : "#fff",
          borderColor: n.late ? RED : "#55606c",
          borderWidth: n.late ? 2 : 1.5,
        },
      };
    });

    function renderBar(params, api) {
      var r = rows[api.value(0)];
      var y = api.value(0);
      var from = api.coord([api.value(1), y]);
      var to = api.coord([api.value(2), y]);
      var h = api.size([0, 1])[1] * 0.46;
      var box = params.coordSys;
      var clip = { x: box.x, y: box.y, width: box.width, height: box.height };
      var whole = echarts.graphic.clipRectByRect({ x: from[0], y: from[1] - h / 2, width: to[0] - from[0], height: h }, clip);
      var children = [];
      if (whole) {
        children.push({ type: "rect", shape: whole, style: { fill: r.hex, opacity: 0.28 } });
        var done = r.completed_on ? 100 : (r.due ? r.progress : 0);
        var doneWidth = (to[0] - from[0]) * done / 100;
        var part = echarts.graphic.clipRectByRect({ x: from[0], y: from[1] - h / 2, width: doneWidth, height: h }, clip);
        if (part) children.push({ type: "rect", shape: part, style: { fill: r.hex } });
        if (to[0] + 4 < box.x + box.width) {
          children.push({
            type: "text",
            style: {
              text: r.due ? (r.completed_on ? "已完成" : r.progress + "%") : "长期",
              x: to[0] + 4, y: to[1], verticalAlign: "middle", fill: MUTED, font: "12px " + FONT,
            },
          });
        }
      }
      if (api.value(3)) {
        var o = api.coord([api.value(3), y]);
        if (o[0] >= box.x && o[0] <= box.x + box.width) {
          children.push({
            type: "line",
            shape: { x1: o[0], y1: o[1] - h * 0.9, x2: o[0], y2: o[1] + h * 0.9 },
            style: { stroke: "#1f2933", lineWidth: 1.5, lineDash: [3, 2] },
          });
        }
      }
      return { type: "group", children: children };
    }

    var option = base();
    option.tooltip.trigger = "item";
    option.tooltip.formatter = function (p) {
      if (p.seriesType === "scatter") {
        var n = p.data.node;
        var state = n.done_on
          ? tag(n.late ? "逾期完成" : "已完成", n.late ? "yellow" : "green") + " " + cnDate(n.done_on, year)
          : (n.late ? tag("逾期未完成", "red") : tag("未到期", "grey"));
        return tip(n.title, ["时间节点 · 时限 " + cnDate(n.due, year), state, esc(rows[n.row].title)]);
      }
      var r = rows[p.value[0]];
      return tip(r.number + " " + r.title, [
        esc(r.unit),
        cnDate(r.start, year) + " — " + (r.due ? cnDate(r.due, year) : "长期"),
        r.original_due ? "原定完成时限 " + cnDate(r.original_due, year) + "（已延期）" : "",
        tag(r.status_label, r.colour) + " " + esc(r.reason),
        r.completed_on ? "完成于 " + cnDate(r.completed_on, year)
          : "进度 " + r.progress + "%" + (r.expected != null ? "，应有 " + r.expected + "%" : ""),
      ]);
    };
    option.grid = { left: labelWidth + 12, right: scroll ? 60 : 40, top: 34, bottom: 52 };
    option.xAxis = {
      type: "time", position: "top", min: parseDay(data.min), max: max,
      axisLabel: { color: MUTED, hideOverlap: true, formatter: function (v) { return cnDate(v, year); } },
      splitLine: { show: true, lineStyle: { color: GRID, type: "dashed" } },
      axisLine: { lineStyle: { color: GRID } },
    };
    option.yAxis = {
      type: "category", inverse: true, axisTick: { show: false }, axisLine: { lineStyle: { color: GRID } },
      data: rows.map(function (r) { return "\u3000".repeat(r.depth) + r.number + "  " + r.title; }),
      axisLabel: {
        width: labelWidth, overflow: "truncate", align: "left", margin: labelWidth + 4, color: "#1f2933",
      },
    };
    option.dataZoom = [
      { type: "slider", xAxisIndex: 0, bottom: 10, height: 18, filterMode: "none", showDetail: false,
        showDataShadow: false, labelFormatter: function (v) { return cnDate(v, year); } },
      { type: "inside", xAxisIndex: 0, filterMode: "none", zoomOnMouseWheel: "ctrl", moveOnMouseWheel: false },
    ];
    if (scroll) {
      option.dataZoom.push(
        { type: "slider", yAxisIndex: 0, right: 8, width: 14, startValue: 0, endValue: visible - 1,
          zoomLock: true, showDetail: false, showDataShadow: false, brushSelect: false },
        { type: "inside", yAxisIndex: 0, startValue: 0, endValue: visible - 1, zoomLock: true,
          zoomOnMouseWheel: false, moveOnMouseWheel: true, moveOnMouseMove: false }
      );
    }
    option.series = [
      {
        type: "custom", name: "事项", renderItem: renderBar, data: bars,
        encode: { x: [1, 2], y: 0 }, clip: true,
        markLine: {
          silent: true, symbol: "none", animation: false,
          lineStyle: { color: RED, type: "solid", width: 1.5 },
          label: { formatter: "今天", position: "end", color: RED, fontWeight: 600 },
          data: [{ xAxis: today }],
        },
      },
      { type: "scatter", name: "时间节点", symbol: "diamond", symbolSize: 12, data: nodes, clip: true, z: 3 },
    ];
    return {
      option: option,
      after: function (chart) {
        chart.on("click", function (p) {
          if (p.seriesType === "custom" && rows[p.value[0]].url) window.location.href = rows[p.value[0]].url;
        });
      },
    };
  }

  // --- An indicator's readings against its target -------------------------------
  function indicator(el, data) {
    var s = data[+el.dataset.index || 0];
    size(el, +el.dataset.height || 240);
    var unit = s.unit || "";
    var year = new Date().getFullYear();
    function bound(pick, v) {
      var lo = Math.min(v.min, s.target, s.baseline);
      var hi = Math.max(v.max, s.target, s.baseline);
      var pad = (hi - lo) * 0.12 || Math.abs(hi) * 0.1 || 1;
      if (pick === "min") return lo >= 0 && lo - pad < 0 ? 0 : Math.floor(lo - pad);
      return Math.ceil(hi + pad);
    }
    var option = base();
    option.tooltip.trigger = "axis";
    option.tooltip.formatter = function (params) {
      var p = params[0];
      return tip(cnDate(p.value[0], year), [p.value[1] + " " + esc(unit) + "（目标 " + s.target + " " + esc(unit) + "）"]);
    };
    option.grid = { left: 8, right: 24, top: 28, bottom: 8, containLabel: true };
    option.xAxis = {
      type: "time", minInterval: 7 * DAY, splitNumber: 5, splitLine: { show: false },
      axisLabel: { color: MUTED, hideOverlap: true, formatter: function (v) { return cnDate(v, year); } },
    };
    option.yAxis = {
      type: "value", name: unit, nameTextStyle: { color: MUTED },
      min: function (v) { return bound("min", v); }, max: function (v) { return bound("max", v); },
      splitLine: { lineStyle: { color: GRID } },
    };
    option.series = [{
      type: "line", name: s.name, symbolSize: 7,
      data: s.points.map(function (p) { return [parseDay(p[0]), p[1]]; }),
      lineStyle: { width: 2, color: "#1d4f91" }, itemStyle: { color: "#1d4f91" },
      markLine: {
        silent: true, symbol: "none", animation: false,
        lineStyle: { color: RED, type: "dashed" },
        label: { formatter: "目标 " + s.target + " " + unit + (s.direction === "up" ? " ↑" : " ↓"), position: "insideEndTop", color: RED },
        data: [{ yAxis: s.target }],
      },
    }];
    return option;
  }

  var RENDERERS = { donut: donut, "unit-bars": unitBars, gantt: gantt, indicator: indicator };

  function draw(el) {
    var render = RENDERERS[el.dataset.chart];
    var data = readJSON(el);
    if (!render || !data || !window.echarts) return;
    var result = render(el, data);
    var option = result.option || result;
    var chart = echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(option);
    if (result.after) result.after(chart);
    charts.push(chart);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
    });
  });
})();

// Rectification statistics: closures and relapses per month, drawn with ECharts
// (vendored) from JSON written by json_script. No inline scripts or style attributes
// (CSP): <div data-rect-chart="monthly" data-source="json-element-id">.
(function () {
  "use strict";
  var FONT = getComputedStyle(document.body).fontFamily;
  var GRID = "#e1e5eb";

  function monthly(el, data) {
    el.style.height = "280px";
    return {
      animation: false,
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: { top: 0, itemWidth: 12, itemHeight: 10 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.months, axisTick: { alignWithLabel: true } },
      yAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: GRID } } },
      series: [
        { type: "bar", name: "销号", data: data.closures, itemStyle: { color: "#1d7a46" }, barMaxWidth: 28,
          label: { show: true, position: "top", formatter: function (p) { return p.value || ""; } } },
        { type: "bar", name: "反弹", data: data.relapses, itemStyle: { color: "#b4232a" }, barMaxWidth: 28,
          label: { show: true, position: "top", formatter: function (p) { return p.value || ""; } } },
      ],
    };
  }

  var RENDERERS = { monthly: monthly };

  document.addEventListener("DOMContentLoaded", function () {
    var charts = [];
    document.querySelectorAll("[data-rect-chart]").forEach(function (el) {
      var render = RENDERERS[el.dataset.rectChart];
      var source = document.getElementById(el.dataset.source);
      if (!render || !source || !window.echarts) return;
      var chart = echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
      chart.setOption(render(el, JSON.parse(source.textContent)));
      charts.push(chart);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
    });
  });
})();

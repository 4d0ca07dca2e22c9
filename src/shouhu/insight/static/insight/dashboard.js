// Draws the dashboard's charts from the figures in #dashboard-data; the tables beneath hold the same
// numbers, so the page reads the same without JavaScript. ECharts (about 180 KB gzipped, several times the
// rest of any page) is fetched at once on a wide screen; on a phone only when 显示图表 is tapped.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  var self = document.currentScript;
  if (!source || !self) return;
  var data = JSON.parse(source.textContent);

  function load() {
    var script = document.createElement("script");
    script.src = self.getAttribute("data-echarts");
    script.onload = draw;
    document.head.appendChild(script);
  }

  if (window.matchMedia("(min-width: 641px)").matches) {
    load();
  } else {
    var offer = document.querySelector(".show-charts");
    var button = document.getElementById("show-charts");
    if (offer && button) {
      offer.hidden = false;
      button.addEventListener("click", function () {
        offer.hidden = true;
        load();
      });
    }
  }

  function draw() {
    if (typeof echarts === "undefined") return;
    Array.prototype.forEach.call(document.querySelectorAll(".chart"), function (el) {
      el.classList.add("drawn");
    });

    function bar(id, rows, horizontal) {
      var el = document.getElementById(id);
      if (!el || !rows.length) return;
      var names = rows.map(function (r) { return r[0]; });
      var values = rows.map(function (r) { return r[1]; });
      var chart = echarts.init(el);
      var category = { type: "category", data: names, axisLabel: { interval: 0 } };
      var value = { type: "value", minInterval: 1 };
      chart.setOption({
        grid: { left: horizontal ? 140 : 40, right: 16, top: 16, bottom: 32 },
        tooltip: {},
        xAxis: horizontal ? value : category,
        yAxis: horizontal ? category : value,
        series: [{ type: "bar", data: values, itemStyle: { color: "#1f6f8b" } }],
      });
      window.addEventListener("resize", function () { chart.resize(); });
    }

    bar("chart-categories", data.categories, true);
    bar("chart-ages", data.ages, false);
    bar("chart-alerts", data.alerts, false);

    var areas = document.getElementById("chart-areas");
    if (areas && data.areas.length) {
      var chart = echarts.init(areas);
      chart.setOption({
        grid: { left: 140, right: 16, top: 32, bottom: 24 },
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: data.areas.map(function (r) { return r[0]; }) },
        series: [
          { name: areas.dataset.total || "", type: "bar", data: data.areas.map(function (r) { return r[1]; }) },
        ],
      });
      window.addEventListener("resize", function () { chart.resize(); });
    }

    // The last eight quarters: a line per key figure; a point opens that quarter's dashboard (the table
    // beneath links the same quarters, for keyboards and screen readers).
    var trend = document.getElementById("chart-trend");
    if (trend && data.trend && data.trend.labels.length) {
      var lines = echarts.init(trend);
      lines.setOption({
        grid: { left: 40, right: 16, top: 40, bottom: 24 },
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        xAxis: { type: "category", data: data.trend.labels },
        yAxis: { type: "value", minInterval: 1 },
        series: data.trend.series.map(function (s) {
          return { name: s[0], type: "line", data: s[1], symbolSize: 8 };
        }),
      });
      lines.on("click", function (params) {
        var url = data.trend.urls[params.dataIndex];
        if (url) window.location.href = url;
      });
      window.addEventListener("resize", function () { lines.resize(); });
    }
  }
})();

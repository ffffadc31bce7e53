/* The figures pages' charts, drawn the same way everywhere so they stay legible on a desk and on a phone:
   - groups (units, offices, categories): horizontal bars, one row per group with its name on the y-axis,
     wrapped (never cut or rotated), the chart as tall as its rows, every bar labelled with its value;
   - months: a line over every month of the range (the page sends the empty ones as 0), the axis labels
     spaced by ECharts, never rotated; the values labelled while there is room for them.
   qdCharts.bars(el, {names, series: [{name, data, color}], percent, decimals, max, rowsOf}) and
   qdCharts.line(el, {names, series, percent, decimals}). Needs echarts loaded before it. */
(function () {
  if (window.qdCharts) { return; }
  var phone = function () { return window.matchMedia("(max-width: 575.98px)").matches; };
  var charts = [];
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  // percent: 85.0%; decimals: a score as 57.5 and 62.0 alike; otherwise a count as 1,234.
  function text(value, percent, decimals) {
    if (value == null) { return "—"; }
    if (percent) { return Number(value).toFixed(1) + "%"; }
    return decimals ? Number(value).toFixed(decimals) : Number(value).toLocaleString("zh-CN");
  }

  function init(el, height) {
    if (!el || !window.echarts) { return null; }
    if (height) { el.style.height = height + "px"; }
    var old = window.echarts.getInstanceByDom(el);
    if (old) { old.dispose(); }
    var chart = window.echarts.init(el);
    charts.push(chart);
    return chart;
  }

  // The height a bar chart needs: a row per group, as many bars in a row as series.
  function barsHeight(rows, series) {
    var row = series > 1 ? series * 11 + 14 : 26;
    return Math.max(160, rows * row + (series > 1 ? 70 : 40));
  }

  // rowsOf: lay the rows out as for so many series, so that two charts of the same groups side by side
  // (a rate and its counts) put each group on the same line.
  function bars(el, options) {
    var names = options.names || [];
    var series = options.series || [];
    var rowsOf = Math.max(options.rowsOf || 1, series.length);
    var chart = init(el, barsHeight(names.length, rowsOf));
    if (!chart) { return null; }
    var small = phone();
    var label = function (p) { return p.value == null ? "" : text(p.value, options.percent, options.decimals); };
    chart.setOption({
      animation: false,
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, valueFormatter: function (v) { return text(v, options.percent, options.decimals); }},
      legend: series.length > 1 ? {top: 0, itemWidth: 14, itemHeight: 10} : undefined,
      grid: {left: 12, right: options.percent ? 52 : 40, top: rowsOf > 1 ? 30 : 8, bottom: 4, containLabel: true},
      xAxis: {type: "value", minInterval: options.percent ? 0 : 1, min: 0, max: options.max,
              axisLabel: {hideOverlap: true, formatter: options.percent ? "{value}%" : undefined}},
      yAxis: {type: "category", data: names, inverse: true,
              axisLabel: {interval: 0, width: small ? 84 : 168, overflow: "break", lineHeight: 13, fontSize: small ? 11 : 12}},
      series: series.map(function (s) {
        return {name: s.name, type: "bar", data: s.data, barMaxWidth: series.length > 1 ? 10 : 14,
                barGap: "10%", itemStyle: s.color ? {color: s.color} : undefined,
                label: {show: true, position: "right", fontSize: series.length > 1 ? 10 : 11, formatter: label}};
      })
    });
    return chart;
  }

  function line(el, options) {
    var names = options.names || [];
    var series = options.series || [];
    var chart = init(el, phone() ? 260 : 320);
    if (!chart) { return null; }
    // Values beside the points while each month has room for them (about 36 px).
    var room = el.clientWidth / Math.max(names.length, 1) >= 36;
    chart.setOption({
      animation: false,
      tooltip: {trigger: "axis", valueFormatter: function (v) { return text(v, options.percent, options.decimals); }},
      legend: series.length > 1 ? {top: 0} : undefined,
      grid: {left: 8, right: 24, top: series.length > 1 ? 36 : 20, bottom: 8, containLabel: true},
      xAxis: {type: "category", data: names, boundaryGap: false, axisLabel: {hideOverlap: true}},
      yAxis: options.percent ? {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}} : {type: "value", minInterval: 1},
      series: series.map(function (s) {
        return {name: s.name, type: "line", data: s.data, connectNulls: false, symbolSize: 6,
                itemStyle: s.color ? {color: s.color} : undefined, lineStyle: s.color ? {color: s.color} : undefined,
                labelLayout: {hideOverlap: true},
                label: {show: room, position: "top", fontSize: 10, formatter: function (p) { return p.value == null ? "" : text(p.value, options.percent, options.decimals); }}};
      })
    });
    return chart;
  }

  window.qdCharts = {bars: bars, line: line, text: text};
})();

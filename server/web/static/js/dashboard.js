// The dashboard's figures: each card (data-figure) reads its JSON from /api/dashboard/…, draws it
// with ECharts (window.echarts, a classic script of the page), fills its table with the same rows
// and links the same figure as CSV. A card says how it went in data-state: "loaded" or "failed".

const whole = (v) => String(v);
const percent = (v) => (v === null ? "—" : `${(v * 100).toFixed(1)}%`);
const points = (v) => (v === null ? "—" : (v * 100).toFixed(1)); // the score, out of 100
const decimal = (v) => (v === null ? "—" : v.toFixed(2));
const place = (v) => v ?? "未知";
const yesNo = (v) => (v ? "是" : "否");
const asIs = (v) => v;
const tenth = (v) => (v === null ? null : Math.round(v * 1000) / 10); // a rate as a percentage, for charts

const RATE_COLUMNS = [
  ["回访数", "answered", whole], ["响应率", "response_rate", percent], ["解决率", "resolution_rate", percent],
  ["满意率", "satisfaction_rate", percent], ["综合得分", "score", points],
];
// A ranking's table also shows the answers its rates come from, as its CSV does.
const RANKED_COLUMNS = [
  ["回访数", "answered", whole], ["已联系", "contacted", whole], ["已解决", "solved", whole],
  ["满意", "satisfied", whole], ["基本满意", "basically_satisfied", whole], ...RATE_COLUMNS.slice(1),
];
const RATES = [["响应率", "response_rate"], ["解决率", "resolution_rate"], ["满意率", "satisfaction_rate"]];

const FIGURES = {
  "rates-unit": {
    path: (month) => `/api/dashboard/rates/unit?month=${month}`,
    columns: [["排名", "rank", whole], ["承办单位", "key", place], ...RANKED_COLUMNS],
    chart: rankedRates,
  },
  "rates-district": {
    path: (month) => `/api/dashboard/rates/district?month=${month}`,
    columns: [["排名", "rank", whole], ["区", "key", place], ...RANKED_COLUMNS],
    chart: rankedRates,
  },
  "rates-by-month": {
    path: (month) => `/api/dashboard/rates-by-month?month=${month}`,
    columns: [["月份", "month", asIs], ...RATE_COLUMNS],
    chart: monthlyRates,
  },
  volume: {
    path: (month) => `/api/dashboard/volume?month=${month}&by=day`,
    columns: [["日期", "start", asIs], ["来电", "calls", whole], ["工单", "orders", whole]],
    chart: callsAndOrders,
  },
  "hotspots-district": {
    path: (month) => `/api/dashboard/hotspots?month=${month}&level=district`,
    columns: [["排名", "rank", whole], ["区", "district", place], ["工单", "orders", whole], ["占比", "share", percent]],
    heat: "orders",
  },
  "hotspots-street": {
    path: (month) => `/api/dashboard/hotspots?month=${month}&level=street`,
    columns: [["排名", "rank", whole], ["区", "district", place], ["街道", "street", place],
      ["工单", "orders", whole], ["占比", "share", percent]],
    heat: "orders",
  },
  surges: {
    path: () => "/api/dashboard/surges",
    columns: [["排名", "rank", whole], ["事项", "topic", asIs], ["本周工单", "orders", whole],
      ["前8周平均", "baseline_mean", decimal], ["前8周标准差", "baseline_spread", decimal],
      ["升幅(标准差倍数)", "rise", decimal], ["激增", "surge", yesNo]],
    flag: "surge",
  },
  "topic-candidates": {
    path: (month) => `/api/dashboard/topic-candidates?month=${month}`,
    columns: [["排名", "rank", whole], ["事项", "topic", asIs], ["工单", "orders", whole], ["回访数", "answered", whole],
      ["满意率", "satisfaction_rate", percent], ["估计不满意件数", "unsatisfied", decimal]],
    chart: candidateBars,
  },
};

export function wireDashboard(root) {
  const month = root.dataset.month;
  const charts = [];
  for (const card of root.querySelectorAll("[data-figure]")) {
    showFigure(card, FIGURES[card.dataset.figure], month, charts);
  }
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
}

async function showFigure(card, spec, month, charts) {
  const url = spec.path(month);
  card.querySelector("a.csv").href = `${url}${url.includes("?") ? "&" : "?"}format=csv`;
  const status = card.querySelector(".figure-status");
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${response.status}`);
    const figure = await response.json();
    fillTable(card.querySelector("table.numbers"), spec, figure.rows);
    const holder = card.querySelector(".chart");
    if (holder && spec.chart && figure.rows.length) {
      const option = spec.chart(figure.rows, holder); // may size the holder: before init, which measures it
      const chart = window.echarts.init(holder);
      chart.setOption(option);
      charts.push(chart);
    } else if (holder) {
      holder.hidden = true;
    }
    status.textContent = figure.rows.length ? (figure.week ? `本周自 ${figure.week} 起` : "") : "暂无数据";
    status.hidden = !status.textContent;
    card.dataset.state = "loaded";
  } catch (error) {
    status.textContent = `读取失败（${error.message}），请刷新页面`;
    status.classList.add("alert");
    card.dataset.state = "failed";
  }
}

function fillTable(table, spec, rows) {
  const head = table.createTHead().insertRow();
  for (const [title] of spec.columns) head.appendChild(document.createElement("th")).textContent = title;
  const body = table.createTBody();
  const most = spec.heat ? Math.max(1, ...rows.map((row) => row[spec.heat])) : 1;
  for (const row of rows) {
    const line = body.insertRow();
    if (spec.flag && row[spec.flag]) line.classList.add("flagged");
    for (const [, key, show] of spec.columns) {
      const cell = line.insertCell();
      cell.textContent = show(row[key]);
      if (key === spec.heat) cell.style.background = `rgba(200, 16, 46, ${(0.08 + 0.55 * (row[key] / most)).toFixed(3)})`;
    }
  }
}

function rankedRates(rows, holder) {
  holder.style.height = `${Math.max(220, rows.length * 3 * 12 + 90)}px`;
  return {
    tooltip: { trigger: "axis", valueFormatter: (v) => (v === null ? "—" : `${v}%`) },
    legend: {},
    grid: { left: 8, right: 24, bottom: 8, containLabel: true },
    xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    yAxis: { type: "category", inverse: true, data: rows.map((row) => place(row.key)) },
    series: RATES.map(([name, key]) => ({ name, type: "bar", data: rows.map((row) => tenth(row[key])) })),
  };
}

function monthlyRates(rows) {
  return {
    tooltip: { trigger: "axis", valueFormatter: (v) => (v === null || v === undefined ? "—" : `${v}%`) },
    legend: {},
    grid: { left: 8, right: 24, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: rows.map((row) => row.month) },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    // Months without an answered callback are gaps; every month that has one shows its point.
    series: RATES.map(([name, key]) => ({
      name, type: "line", showAllSymbol: true, data: rows.map((row) => tenth(row[key])),
    })),
  };
}

function callsAndOrders(rows) {
  return {
    tooltip: { trigger: "axis" },
    legend: {},
    grid: { left: 8, right: 24, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: rows.map((row) => row.start.slice(5)) },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "来电", type: "line", data: rows.map((row) => row.calls) },
      { name: "工单", type: "line", data: rows.map((row) => row.orders) },
    ],
  };
}

function candidateBars(rows, holder) {
  const rated = rows.filter((row) => row.unsatisfied !== null).slice(0, 10);
  holder.style.height = `${Math.max(200, rated.length * 28 + 60)}px`;
  return {
    tooltip: { trigger: "axis" },
    grid: { left: 8, right: 24, bottom: 8, containLabel: true },
    xAxis: { type: "value", name: "估计不满意件数" },
    yAxis: { type: "category", inverse: true, data: rated.map((row) => row.topic) },
    series: [{ name: "估计不满意件数", type: "bar", data: rated.map((row) => Math.round(row.unsatisfied * 100) / 100) }],
  };
}

wireDashboard(document.getElementById("dashboard"));

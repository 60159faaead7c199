// uPlot charts that fit their box and can be rebuilt with other series. Every chart made here is in
// `charts` by its element id, so tests (and the curious) can read what is drawn: charts.loss.data.

export const charts = {};
export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
export const CELL_COLORS = { RNN: '#d62728', LSTM: '#1f77b4', GRU: '#2ca02c' };
const HEIGHT = 240;

/**
 * (Re)creates the chart in element `id` with these series ({label, stroke?}). log: a log10 y scale;
 * xLabel names the x axis.
 */
export function chart(id, series, { log = false, xLabel = 'iteration', yLabel = '' } = {}) {
  if (charts[id]) { charts[id].destroy(); }
  const el = document.getElementById(id);
  const opts = {
    width: width(el), height: HEIGHT,
    scales: { x: { time: false }, y: log ? { distr: 3, log: 10 } : {} },
    series: [{ label: xLabel }].concat(series.map((s, i) =>
      Object.assign({ stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true, points: { show: false } }, s))),
    axes: [{ label: xLabel, size: 40 }, Object.assign({ label: yLabel, size: 60 }, log ? { values: logTicks } : {})],
    legend: { live: true },
  };
  charts[id] = new uPlot(opts, [[]].concat(series.map(() => [])), el);
  return charts[id];
}

/** Tick labels of a log axis: 0.01 to 1000 as they are, smaller and larger ones as 1e-5. */
function logTicks(u, values) {
  return values.map(v => (v == null ? '' : v >= 0.01 && v < 1e4 ? String(+v.toPrecision(2)) : v.toExponential(0)));
}

/** Series labels of a chart (without x), to tell whether it must be rebuilt. */
export function labels(id) {
  return charts[id] ? charts[id].series.slice(1).map(s => s.label) : null;
}

function width(el) {
  return Math.max(300, (el.clientWidth || el.parentElement.clientWidth || 520) - 4);
}

/** Fits every visible chart to its box (after a view is shown or the window resized). */
export function fit() {
  for (const [id, c] of Object.entries(charts)) {
    const el = document.getElementById(id);
    if (el && el.offsetParent !== null) {
      const w = width(el);
      if (Math.abs(w - c.width) > 2) { c.setSize({ width: w, height: HEIGHT }); }
    }
  }
}

/**
 * Data for uPlot from several series with their own x values ([[x, y], ...] each): one sorted x
 * array, and each series' y where it has a point, null elsewhere.
 */
export function align(seriesPoints) {
  const xs = [...new Set(seriesPoints.flatMap(points => points.map(p => p[0])))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  return [xs].concat(seriesPoints.map(points => {
    const ys = new Array(xs.length).fill(null);
    for (const [x, y] of points) { ys[index.get(x)] = y; }
    return ys;
  }));
}

/** Positive values only on a log scale (a norm of exactly 0 has no place there). */
export const positive = v => (v != null && v > 0 && Number.isFinite(v) ? v : null);

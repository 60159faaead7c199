/*
 * Inside the cells: plots of the statistics issue 20 added, for the dashboard to wire in.
 * Vanilla JS on the uPlot global the dashboard already loads; nothing runs until called.
 *
 * Hooking it in (after the dashboard rewrite lands):
 *   1. index.html: <script src="cells.js"></script> after uPlot and before dashboard.js.
 *   2. Three containers, e.g. <div id="lambda1"></div> <div id="saturation"></div> <div id="units"></div>.
 *   3. Wherever the dashboard holds the gradient statistics of a job or model (the array that
 *      GET /api/training-jobs/{id}/gradients or /api/models/{name}/gradients returns, or the
 *      accumulated `gradients` SSE events):
 *        CharRnnCells.lambda1Chart(document.getElementById('lambda1'), points, flows);
 *        CharRnnCells.saturationChart(document.getElementById('saturation'), points);
 *      Calling again with more points redraws (the charts are kept per element).
 *   4. For a stored model: CharRnnCells.unitView(document.getElementById('units'), modelName)
 *      draws a text box, a layer field and the "quote cell" view: the text coloured by the chosen
 *      unit's activation, red for -1 and blue for +1 (Karpathy, Johnson and Fei-Fei 2015), with
 *      the top units per text feature to pick from. An optional third argument reads the
 *      activations instead of the plain fetch (the dashboard passes its own, which sends the key).
 *   The two charts return their uPlot, which the dashboard keeps beside its own charts (tests read
 *   its data); a chart inside a <figure> takes its title from the figcaption.
 */
(function () {
  'use strict';

  const charts = new WeakMap();
  const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
    '#bcbd22', '#17becf'];

  /** Series keyed by `key(item)` over iterations: {iterations, names, values[name][i]}. */
  function series(points, items, key, value) {
    const iterations = points.map(p => p.iteration);
    const names = [];
    const values = {};
    points.forEach((p, i) => {
      (items(p) || []).forEach(item => {
        const name = key(item);
        if (!(name in values)) {
          names.push(name);
          values[name] = new Array(points.length).fill(null);
        }
        values[name][i] = value(item);
      });
    });
    return {iterations, names, values};
  }

  function draw(el, title, data, names, extra, yLabel) {
    const width = Math.max(320, el.clientWidth || 640);
    const opts = {
      title: el.closest('figure') ? undefined : title, width, height: 240,
      scales: {x: {time: false}},
      axes: [{label: 'iteration'}, {label: yLabel}],
      series: [{label: 'iteration'}].concat(names.map((name, i) => ({
        label: name, stroke: extra[i] && extra[i].stroke || PALETTE[i % PALETTE.length],
        dash: extra[i] && extra[i].dash, width: 1.5, spanGaps: true
      })))
    };
    const old = charts.get(el);
    if (old) {
      old.destroy();
    }
    el.textContent = '';
    const chart = new uPlot(opts, data, el);
    charts.set(el, chart);
    return chart;
  }

  /**
   * lambda1 of every recurrent block (layer L, RW:gate) over iterations, with Pascanu's lines:
   * 1/gamma = 1 for tanh blocks (below it the gradient through the block must vanish) and 4 for
   * sigmoid gates when the cell has them; with the flow measurements, each layer's geometric-mean
   * contraction per step (dotted), which for a one-layer tanh RNN sits at or below its lambda1.
   */
  function lambda1Chart(el, points, flows = []) {
    const merged = byIteration(points, flows);
    const s = series(merged, p => p.spectrum, x => 'L' + x.layer + ' ' + x.param, x => x.lambda1);
    const c = series(merged, p => p.contraction && p.contraction.map((mean, layer) => ({layer, mean})),
      x => 'L' + x.layer + ' contraction per step', x => x.mean);
    const bounds = [...new Set(points.flatMap(p => (p.spectrum || []).map(x => 1 / x.gamma)))].sort((a, b) => a - b);
    const names = s.names.concat(c.names, bounds.map(b => '1/gamma = ' + b));
    const data = [s.iterations].concat(s.names.map(n => s.values[n]), c.names.map(n => c.values[n]),
      bounds.map(b => s.iterations.map(() => b)));
    const extra = s.names.map(() => null).concat(c.names.map((n, i) => ({stroke: PALETTE[(s.names.length + i) % PALETTE.length],
      dash: [2, 3]})), bounds.map(() => ({stroke: '#000', dash: [6, 4]})));
    return draw(el, 'lambda1 of the recurrent matrix per gate block', data, names, extra, 'lambda1');
  }

  /** The statistics and the flow measurements on one axis of iterations (each null where the other was taken). */
  function byIteration(points, flows) {
    const at = new Map();
    const point = it => at.get(it) || at.set(it, {iteration: it}).get(it);
    points.forEach(p => { point(p.iteration).spectrum = p.spectrum; });
    flows.forEach(f => { point(f.iteration).contraction = f.contraction; });
    return [...at.values()].sort((a, b) => a.iteration - b.iteration);
  }

  /** Saturated fraction of every gate of every layer over iterations (tanh: |a| > 0.95; sigmoid: < 0.1 or > 0.9). */
  function saturationChart(el, points) {
    const s = series(points, p => p.saturation, x => 'L' + x.layer + ' ' + x.gate + ' (' + x.activation + ')',
      x => x.saturated);
    const data = [s.iterations].concat(s.names.map(n => s.values[n]));
    return draw(el, 'gate saturation on validation text', data, s.names, [], 'fraction saturated');
  }

  /** Karpathy's colours: red at -1, white at 0, blue at +1. */
  function colour(value, scale) {
    const v = Math.max(-1, Math.min(1, value / scale));
    const r = v < 0 ? 255 : Math.round(255 * (1 - v));
    const b = v > 0 ? 255 : Math.round(255 * (1 + v));
    const g = Math.round(255 * (1 - Math.abs(v)));
    return 'rgb(' + r + ',' + g + ',' + b + ')';
  }

  /** The text of an /activations response coloured by units[index] (h, or c with useCell; c is scaled by its largest |c|). */
  function colourText(el, response, index, useCell) {
    el.textContent = '';
    const values = response.steps.map(s => (useCell ? s.cell : s.hidden)[index]);
    const scale = useCell ? Math.max(1e-6, ...values.map(Math.abs)) : 1;
    const box = document.createElement('div');
    box.style.cssText = 'font-family: monospace; white-space: pre-wrap; line-height: 1.5';
    response.steps.forEach((step, t) => {
      const span = document.createElement('span');
      span.textContent = step.character;
      span.style.background = colour(values[t], scale);
      span.title = (useCell ? 'c' : 'h') + ' = ' + values[t].toFixed(3);
      box.appendChild(span);
    });
    el.appendChild(box);
  }

  async function activations(model, text, layer, units) {
    const body = {text};
    if (layer !== '' && layer != null) {
      body.layer = Number(layer);
    }
    if (units) {
      body.units = units;
    }
    const response = await fetch('api/models/' + encodeURIComponent(model) + '/activations', {
      method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)
    });
    const json = await response.json();
    if (!response.ok) {
      throw new Error(json.detail || response.statusText);
    }
    return json;
  }

  /** A small form: text and layer in, then the top units per feature and the coloured text of the chosen one. */
  function unitView(el, model, read) {
    const fetchActivations = read || ((text, layer, units) => activations(model, text, layer, units));
    el.textContent = '';
    const text = document.createElement('textarea');
    text.rows = 4;
    text.style.width = '100%';
    text.placeholder = 'Text to read (characters the model knows)';
    const layer = document.createElement('input');
    layer.type = 'number';
    layer.min = '0';
    layer.placeholder = 'layer (default: last)';
    const useCell = document.createElement('label');
    const cellBox = document.createElement('input');
    cellBox.type = 'checkbox';
    useCell.append(cellBox, ' memory cell c (LSTM)');
    const run = document.createElement('button');
    run.textContent = 'Read';
    run.type = 'button';
    const ranking = document.createElement('div');
    ranking.className = 'unit-ranking';
    const view = document.createElement('div');
    view.className = 'unit-text';
    const status = document.createElement('div');
    status.className = 'unit-status';
    el.append(text, layer, useCell, run, status, ranking, view);

    let last = null;
    async function show(unit) {
      status.textContent = 'reading...';
      try {
        last = await fetchActivations(text.value, layer.value, [unit]);
        status.textContent = 'layer ' + last.layer + ' (' + last.cell + '), unit ' + unit;
        view.dataset.unit = String(unit);
        colourText(view, last, 0, cellBox.checked && last.steps.length > 0 && last.steps[0].cell != null);
      } catch (e) {
        status.textContent = e.message;
      }
    }
    run.onclick = async () => {
      status.textContent = 'reading...';
      try {
        const first = await fetchActivations(text.value, layer.value, null);
        ranking.textContent = '';
        first.features.forEach(f => {
          const row = document.createElement('div');
          row.dataset.feature = f.feature;
          row.append(f.feature + ': ');
          const ranked = cellBox.checked && f.cell ? f.cell : f.hidden;
          if (ranked.length === 0) {
            const none = document.createElement('span');
            none.className = 'quiet';
            none.textContent = 'does not vary over this text';
            row.append(none);
          }
          ranked.forEach(u => {
            const pick = document.createElement('button');
            pick.type = 'button';
            pick.dataset.unit = String(u.unit);
            pick.textContent = 'unit ' + u.unit + ' (r ' + u.r.toFixed(2) + ')';
            pick.title = f.description;
            pick.onclick = () => show(u.unit);
            row.append(pick, ' ');
          });
          ranking.appendChild(row);
        });
        status.textContent = '';
        if (first.units.length > 0) {
          await show(first.units[0]);
        }
      } catch (e) {
        status.textContent = e.message;
      }
    };
  }

  window.CharRnnCells = {lambda1Chart, saturationChart, colourText, unitView, activations};
})();

// The dashboard: pick a job (live over Server-Sent Events) or a model (its saved history), and plot
// losses, gradient norms, update ratios and gradient flow with uPlot.
(() => {
  const $ = id => document.getElementById(id);
  const LN2 = Math.log(2);
  const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
  const charts = {};
  let source = null;
  let state = fresh();

  function fresh() {
    return { loss: { it: [], train: [], val: [] }, grads: [], flow: null, alerts: [] };
  }

  function chart(id, series, options = {}) {
    if (charts[id]) { charts[id].destroy(); }
    const el = $(id);
    const opts = Object.assign({
      width: el.clientWidth || 500, height: 240,
      scales: { x: { time: false } },
      series: [{ label: options.xLabel || 'iteration' }].concat(series.map((s, i) =>
        Object.assign({ stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true }, s))),
      axes: [{}, { size: 60 }],
    }, options.uplot || {});
    charts[id] = new uPlot(opts, [[]].concat(series.map(() => [])), el);
    return charts[id];
  }

  function layerSeries(stats) {
    const layers = [...new Set(stats.flatMap(s => s.params.map(p => p.layer)))].sort((a, b) => a - b);
    return layers;
  }

  function render() {
    const l = state.loss;
    charts.loss.setData([l.it, l.train, l.val]);
    const layers = layerSeries(state.grads);
    if (!charts.norms || charts.norms.series.length !== layers.length + 2) {
      chart('norms', [{ label: 'global' }].concat(layers.map(n => ({ label: 'layer ' + n }))),
        { uplot: { scales: { x: { time: false }, y: { distr: 3 } } } });
      chart('ratios', layers.map(n => ({ label: 'layer ' + n })));
    }
    const its = state.grads.map(s => s.iteration);
    const perLayer = f => layers.map(n => state.grads.map(s => f(s.params.filter(p => p.layer === n))));
    charts.norms.setData([its, state.grads.map(s => s.globalNorm)]
      .concat(perLayer(ps => Math.sqrt(ps.reduce((sum, p) => sum + p.norm * p.norm, 0)) || null)));
    charts.ratios.setData([its].concat(perLayer(ps => {
      const weights = ps.filter(p => !p.param.startsWith('b') && p.updateRatioLog10 != null);
      return weights.length ? weights.reduce((sum, p) => sum + p.updateRatioLog10, 0) / weights.length : null;
    })));
    if (state.flow) {
      const n = state.flow.length;
      charts.flow.setData([state.flow.map((_, t) => n - 1 - t).reverse(), state.flow.slice().reverse()]);
    }
    renderAlerts();
  }

  function renderAlerts() {
    const list = $('alerts');
    list.innerHTML = '';
    if (!state.alerts.length) {
      list.innerHTML = '<li class="quiet">none yet</li>';
      return;
    }
    for (const a of state.alerts) {
      const li = document.createElement('li');
      const where = [a.layer != null ? 'layer ' + a.layer : null, a.param].filter(Boolean).join(' ');
      li.innerHTML = `<span class="kind"></span> at iteration ${a.iteration}${where ? ' (' + where + ')' : ''}: `;
      li.querySelector('.kind').textContent = a.kind;
      li.append(`${a.seen}. Try: ${a.advice}.`);
      list.append(li);
    }
  }

  function resetCharts() {
    state = fresh();
    chart('loss', [{ label: 'train' }, { label: 'validation' }]);
    charts.norms = null;
    chart('flow', [{ label: '||dL/dx||' }], { xLabel: 'steps back', uplot: { scales: { x: { time: false }, y: { distr: 3 } } } });
  }

  function addProgress(job) {
    const l = state.loss;
    if (job.trainLoss == null || l.it[l.it.length - 1] === job.iteration) { return; }
    l.it.push(job.iteration);
    l.train.push(job.trainLoss / LN2);
    l.val.push(job.valBpc);
    state.alerts = job.alerts || state.alerts;
  }

  async function json(url, init) {
    const response = await fetch(url, init);
    if (!response.ok) { throw new Error((await response.json()).detail || response.statusText); }
    return response.json();
  }

  async function watchJob(id) {
    if (source) { source.close(); }
    resetCharts();
    const job = await json(`api/training-jobs/${id}`);
    if (job.state === 'SUCCEEDED') {
      // nothing more will stream: show the model it wrote, with its whole history and gradient flow
      setModel(job.modelName);
      await showModel(job.modelName);
      $('status').textContent = `${job.state} · iteration ${job.iteration} · ` + $('status').textContent;
      return;
    }
    state.grads = await json(`api/training-jobs/${id}/gradients`);
    addProgress(job);
    state.alerts = job.alerts;
    $('status').textContent = `${job.state} · iteration ${job.iteration}`;
    setModel(job.modelName);
    render();
    source = new EventSource(`api/training-jobs/${id}/events`);
    source.addEventListener('progress', e => {
      const j = JSON.parse(e.data);
      addProgress(j);
      $('status').textContent = `${j.state} · iteration ${j.iteration}` + (j.valBpc ? ` · val ${j.valBpc.toFixed(3)} bpc` : '');
      render();
    });
    source.addEventListener('gradients', e => { state.grads.push(JSON.parse(e.data)); render(); });
    source.addEventListener('flow', e => { state.flow = JSON.parse(e.data).inputGradientNorms; render(); });
    source.addEventListener('alert', e => { state.alerts.push(JSON.parse(e.data)); renderAlerts(); });
    source.addEventListener('done', e => {
      const j = JSON.parse(e.data);
      $('status').textContent = `${j.state} · iteration ${j.iteration}` + (j.error ? ` · ${j.error}` : '');
      source.close();
    });
  }

  async function showModel(name) {
    if (source) { source.close(); }
    resetCharts();
    const model = await json(`api/models/${name}`);
    for (const m of model.history || []) {
      state.loss.it.push(m.iteration);
      state.loss.train.push(m.trainLoss != null ? m.trainLoss / LN2 : null);
      state.loss.val.push(m.valBpc);
    }
    state.grads = await json(`api/models/${name}/gradients`);
    try {
      state.flow = (await json(`api/models/${name}/gradient-flow`, { method: 'POST' })).inputGradientNorms;
    } catch (e) {
      state.flow = null;
    }
    $('status').textContent = `${model.spec.cell} ${model.spec.layers}x${model.spec.hiddenSize} · ` +
      (model.metrics && model.metrics.valBpc ? `val ${model.metrics.valBpc.toFixed(3)} bpc` : '');
    render();
  }

  function setModel(name) {
    const select = $('models');
    if ([...select.options].some(o => o.value === name)) { select.value = name; }
  }

  async function fill() {
    const jobs = await json('api/training-jobs');
    for (const j of jobs.slice().reverse()) {
      $('jobs').append(new Option(`${j.modelName} · ${j.state} · ${j.id}`, j.id));
    }
    for (const m of await json('api/models')) {
      $('models').append(new Option(`${m.name} (${m.cell})`, m.name));
    }
    const params = new URLSearchParams(location.search);
    if (params.get('job')) { $('jobs').value = params.get('job'); watchJob(params.get('job')); }
    else if (params.get('model')) { $('models').value = params.get('model'); showModel(params.get('model')); }
  }

  $('jobs').addEventListener('change', e => e.target.value && watchJob(e.target.value));
  $('models').addEventListener('change', e => e.target.value && showModel(e.target.value));
  $('sample').addEventListener('submit', async e => {
    e.preventDefault();
    const model = $('models').value;
    if (!model) { $('generated').textContent = 'Pick a model first.'; return; }
    try {
      const body = { prime: $('prime').value, length: +$('length').value, temperature: +$('temperature').value };
      const out = await json(`api/models/${model}/generate`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      $('generated').textContent = body.prime + out.samples[0].text;
    } catch (err) {
      $('generated').textContent = err.message;
    }
  });

  // for tests and the curious: what the page holds
  window.dashboard = { state: () => state, charts };

  resetCharts();
  fill();
})();

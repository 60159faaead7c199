// Watching one job from its first iteration: subscribe to its events, then load what it recorded
// before (history, gradient statistics) and replay the events that came meanwhile, merging by
// iteration, so that no curve starts at the moment the page connected.

import { call, events } from './api.js';
import { chart, charts, labels, positive } from './charts.js';
import { actions, describe, figures, isActive, progressBar } from './jobs.js';

const LN2 = Math.log(2);
const $ = id => document.getElementById(id);

let state = fresh(null);
let stream = null;
let hooks = { changed: () => {}, acted: () => {}, failed: () => {}, useModel: () => {} };

function fresh(id) {
  return { id, job: null, loss: { it: [], train: [], val: [] }, lastVal: null, grads: [], flow: null, flows: [],
    alerts: [] };
}

export function watchState() { return state; }

export function setHooks(h) { hooks = Object.assign(hooks, h); }

export function resetWatchCharts() {
  chart('loss', [{ label: 'train' }, { label: 'validation', points: { show: true, size: 5 } }], { yLabel: 'bits/char' });
  chart('flow', [{ label: '||dL_T/dx_t||' }], { log: true, xLabel: 'steps back' });
  chart('norms', [{ label: 'global' }], { log: true });
  chart('ratios', [{ label: 'log10 ratio' }]);
  drawn = null;
  renderCells([]);
}

/** Starts watching a job; whatever was watched before is let go. */
export async function watch(id) {
  stop();
  const mine = state = fresh(id);
  resetWatchCharts();
  renderHead();
  renderAlerts();
  const queue = [];
  let ready = false;
  let subscribed;
  const first = new Promise(resolve => { subscribed = resolve; });
  const deliver = handler => data => {
    subscribed();
    if (state !== mine) { return; }
    if (ready) { handler(data); } else { queue.push(() => handler(data)); }
  };
  const controller = new AbortController();
  stream = controller;
  let ended = false;
  let refused = false;
  const running = events(`api/training-jobs/${id}/events`, {
    progress: deliver(onProgress),
    gradients: deliver(onGradients),
    flow: deliver(onFlow),
    alert: deliver(onAlert),
    done: deliver(job => { ended = true; onDone(job); }),
  }, { signal: controller.signal }).catch(error => {
    refused = true;
    if (state === mine) { hooks.failed(error); }
  });
  // the subscription's first event is the job as it stood: from there on, the stream misses nothing
  await Promise.race([first, running]);
  if (state !== mine) { return; }
  try {
    const [job, history, grads] = await Promise.all([call(`api/training-jobs/${id}`),
      call(`api/training-jobs/${id}/history`), call(`api/training-jobs/${id}/gradients`)]);
    if (state !== mine) { return; }
    state.job = job;
    state.alerts = job.alerts || [];
    state.grads = grads;
    if (!history.steps.length && !history.evaluations.length && job.state === 'SUCCEEDED') {
      await loadModel(job.modelName); // a job from before a restart: its model kept the history
    } else {
      loadHistory(history);
    }
  } catch (error) {
    hooks.failed(error);
  }
  if (state !== mine) { return; }
  ready = true;
  queue.splice(0).forEach(replay => replay());
  render();
  running.then(() => {
    // the stream ended without 'done' (a proxy or the network cut it): join again, from the history
    if (state === mine && !ended && !refused) { setTimeout(() => { if (state === mine) { watch(id); } }, 2000); }
  });
}

export function stop() {
  if (stream) { stream.abort(); }
  stream = null;
}

function loadHistory(history) {
  const byIteration = new Map();
  const at = it => byIteration.get(it) || byIteration.set(it, { train: null, val: null }).get(it);
  for (const m of history.steps) {
    if (m.trainLoss != null) { at(m.iteration).train = m.trainLoss / LN2; }
  }
  for (const m of history.evaluations) {
    const point = at(m.iteration);
    point.val = m.valBpc;
    if (point.train == null && m.trainLoss != null) { point.train = m.trainLoss / LN2; }
  }
  const l = state.loss = { it: [], train: [], val: [] };
  for (const it of [...byIteration.keys()].sort((a, b) => a - b)) {
    l.it.push(it);
    l.train.push(byIteration.get(it).train);
    l.val.push(byIteration.get(it).val);
  }
  const evaluations = history.evaluations;
  state.lastVal = evaluations.length ? evaluations[evaluations.length - 1].valBpc : null;
  state.flow = history.flow;
  state.flows = history.flows || [];
}

/** A finished job whose history went with a restart: its model's evaluations, gradients and flow. */
async function loadModel(name) {
  const model = await call(`api/models/${name}`);
  loadHistory({ steps: [], evaluations: model.history || [], flow: null });
  state.grads = await call(`api/models/${name}/gradients`);
  try {
    const flow = await call(`api/models/${name}/gradient-flow`, { method: 'POST' });
    state.flow = { iteration: model.metrics ? model.metrics.iteration : null, inputGradientNorms: flow.inputGradientNorms };
  } catch (ignored) {
    state.flow = null; // a corpus too short for the probe's window, say
  }
}

/**
 * Adds a loss point, unless it comes before the last one: one subscription's iterations only grow
 * (a resumed job is a new one), so such a point is an event the history already held. True when added.
 */
function addLoss(iteration, train, val) {
  const l = state.loss;
  const last = l.it.length - 1;
  if (last >= 0 && l.it[last] > iteration) { return false; }
  if (last >= 0 && l.it[last] === iteration) {
    if (train != null) { l.train[last] = train; }
    if (val != null) { l.val[last] = val; }
    return true;
  }
  l.it.push(iteration);
  l.train.push(train);
  l.val.push(val);
  return true;
}

function onProgress(job) {
  state.job = job;
  state.alerts = job.alerts || state.alerts;
  if (job.trainLoss != null) {
    const evaluated = job.valBpc != null && job.valBpc !== state.lastVal;
    if (addLoss(job.iteration, job.trainLoss / LN2, evaluated ? job.valBpc : null) && evaluated) {
      state.lastVal = job.valBpc;
    }
  }
  hooks.changed(job);
  schedule();
}

function onGradients(stats) {
  const g = state.grads;
  if (!g.length || g[g.length - 1].iteration < stats.iteration) {
    g.push(stats);
    schedule();
  }
}

function onFlow(flow) {
  state.flow = flow;
  const f = state.flows;
  if (!f.length || f[f.length - 1].iteration < flow.iteration) {
    f.push({ iteration: flow.iteration, firstToLastRatio: flow.firstToLastRatio,
      contraction: (flow.contraction || []).map(c => c.geometricMean) });
  }
  schedule();
}

function onAlert(alert) {
  state.alerts.push(alert);
  renderAlerts();
}

/** The end: the stream brought a sample of the last points, the history has them all. */
async function onDone(job) {
  const mine = state;
  try {
    const history = await call(`api/training-jobs/${job.id}/history`);
    if (state === mine && (history.steps.length || history.evaluations.length)) { loadHistory(history); }
  } catch (ignored) {
    // the points the stream brought stay
  }
  if (state !== mine) { return; }
  onProgress(job);
  render();
}

let timer = null;

function schedule() {
  if (!timer) { timer = setTimeout(() => { timer = null; render(); }, 150); }
}

function render() {
  const l = state.loss;
  charts.loss.setData([l.it, l.train, l.val]);
  renderGradients();
  if (state.flow) {
    const norms = state.flow.inputGradientNorms;
    const n = norms.length;
    charts.flow.setData([norms.map((_, i) => i), norms.map((_, i) => positive(norms[n - 1 - i]))]);
  }
  renderHead();
  renderAlerts();
}

function renderGradients() {
  const layers = [...new Set(state.grads.flatMap(s => s.params.map(p => p.layer)))].sort((a, b) => a - b);
  // recurrent layers are numbered from 0; the softmax output layer comes after them
  const recurrent = state.job && state.job.spec ? state.job.spec.layers : Infinity;
  const names = layers.map(n => (n >= recurrent ? 'output' : `layer ${n}`));
  const wanted = ['global'].concat(names);
  if (JSON.stringify(labels('norms')) !== JSON.stringify(wanted)) {
    chart('norms', wanted.map(label => ({ label })), { log: true });
    chart('ratios', names.map(label => ({ label })));
  }
  const its = state.grads.map(s => s.iteration);
  const perLayer = f => layers.map(n => state.grads.map(s => f(s.params.filter(p => p.layer === n))));
  charts.norms.setData([its, state.grads.map(s => positive(s.globalNorm))]
    .concat(perLayer(ps => positive(Math.sqrt(ps.reduce((sum, p) => sum + p.norm * p.norm, 0))))));
  charts.ratios.setData([its].concat(perLayer(ps => {
    const weights = ps.filter(p => !p.param.startsWith('b') && p.updateRatioLog10 != null);
    return weights.length ? weights.reduce((sum, p) => sum + p.updateRatioLog10, 0) / weights.length : null;
  })));
  renderCells(state.grads, state.flows);
}

// lambda1 per recurrent gate block and gate saturation (cells.js), from the same gradient statistics:
// redrawn only when a statistic came, and kept in `charts` like the others (fit resizes them, tests read them)
let drawn = null;

function renderCells(grads, flows = []) {
  const cells = window.CharRnnCells;
  if (!cells) { return; }
  const seen = `${grads.length}:${grads.length ? grads[grads.length - 1].iteration : ''}:${flows.length}`;
  if (drawn === seen) { return; }
  drawn = seen;
  charts.lambda1 = cells.lambda1Chart($('lambda1'), grads, flows);
  charts.saturation = cells.saturationChart($('saturation'), grads);
}

function renderHead() {
  const job = state.job;
  const title = $('watch-title');
  const head = $('watch-head');
  if (!job) {
    title.textContent = state.id ? 'Loading…' : 'Pick a job in the list (the running one is picked for you).';
    title.className = 'quiet';
    $('watch-status').textContent = '';
    $('watch-actions').replaceChildren();
    head.dataset.job = state.id || '';
    return;
  }
  head.dataset.job = job.id;
  head.dataset.state = job.state;
  title.className = '';
  title.textContent = `${describe(job)} · `;
  const badge = document.createElement('span');
  badge.className = `state ${job.state}`;
  badge.textContent = job.state;
  title.append(badge);
  $('watch-progress').replaceChildren(progressBar(job));
  $('watch-status').textContent = figures(job) + (job.error ? ` · ${job.error}` : '');
  const buttons = actions(job, { done: hooks.acted, failed: hooks.failed });
  if (job.state === 'SUCCEEDED') {
    const use = document.createElement('button');
    use.type = 'button';
    use.textContent = 'Use this model';
    use.addEventListener('click', () => hooks.useModel(job.modelName));
    buttons.push(use);
  }
  if (!isActive(job) || $('watch-actions').childElementCount !== buttons.length) {
    $('watch-actions').replaceChildren(...buttons);
  }
}

function renderAlerts() {
  const list = $('alerts');
  list.replaceChildren();
  if (!state.alerts.length) {
    list.innerHTML = '<li class="quiet">none yet</li>';
    return;
  }
  for (const a of state.alerts) {
    const li = document.createElement('li');
    const kind = document.createElement('span');
    kind.className = 'kind';
    kind.textContent = a.kind.toLowerCase().replaceAll('_', ' ');
    const where = [a.layer != null ? `layer ${a.layer}` : null, a.param].filter(Boolean).join(' ');
    li.append(kind, ` at iteration ${a.iteration}${where ? ` (${where})` : ''}: ${a.seen}. Try: ${a.advice}.`);
    list.append(li);
  }
}

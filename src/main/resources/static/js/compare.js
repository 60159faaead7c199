// The cell comparison: RNN, LSTM and GRU trained on one corpus with one spec and seed, overlaid:
// validation loss by iteration (each run's evaluations) and the latest gradient flow by steps back.

import { call } from './api.js';
import { align, chart, charts, CELL_COLORS, positive } from './charts.js';
import { clearErrors, collect, showError } from './forms.js';

const STORED = 'charrnn.comparison';
const $ = id => document.getElementById(id);
let current = null;
let evaluations = {};
let timer = null;
let hooks = { changed: () => {}, failed: () => {} };

export function setCompareHooks(h) { hooks = Object.assign(hooks, h); }

export function comparison() { return current; }

export function resetCompareCharts(cells = ['RNN', 'LSTM', 'GRU']) {
  const series = cells.map(cell => ({ label: cell, stroke: CELL_COLORS[cell], width: 2 }));
  chart('cmp-loss', series.map(s => Object.assign({ points: { show: true, size: 5 } }, s)), { yLabel: 'bits/char' });
  chart('cmp-flow', series, { log: true, xLabel: 'steps back' });
}

export function initCompare(form) {
  resetCompareCharts();
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearErrors(form);
    const request = collect(form);
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const started = await call('api/experiments/cell-comparison', { method: 'POST', json: request });
      follow(started.id);
      hooks.changed();
    } catch (error) {
      showError(form, error);
    } finally {
      button.disabled = false;
    }
  });
  const params = new URLSearchParams(location.search);
  const id = params.get('comparison') || localStorage.getItem(STORED);
  if (id) { follow(id, true); }
}

/** Shows a comparison and keeps it up to date until its three runs have ended. */
export async function follow(id, quietIfGone = false) {
  clearTimeout(timer);
  localStorage.setItem(STORED, id);
  evaluations = {};
  current = null;
  resetCompareCharts();
  try {
    await refresh(id);
  } catch (error) {
    if (error.status === 404) {
      localStorage.removeItem(STORED); // it went with a restart of the service
      if (!quietIfGone) { hooks.failed(error); }
    } else {
      hooks.failed(error);
    }
  }
}

async function refresh(id) {
  const shown = await call(`api/experiments/cell-comparison/${id}`);
  for (const run of shown.runs) {
    const known = evaluations[run.jobId];
    if (!known || !known.final) {
      const history = await call(`api/training-jobs/${run.jobId}/history`);
      evaluations[run.jobId] = { points: history.evaluations.map(m => [m.iteration, m.valBpc]),
        final: !['QUEUED', 'RUNNING'].includes(run.state) };
    }
  }
  const statesChanged = current && current.id === shown.id
    && current.runs.some((run, i) => run.state !== shown.runs[i].state);
  current = shown;
  render(shown);
  if (statesChanged) { hooks.changed(); } // the job list shows the same states as the table
  if (shown.runs.some(run => ['QUEUED', 'RUNNING'].includes(run.state))) {
    timer = setTimeout(() => refresh(id).catch(hooks.failed), 1000);
  }
}

const exp = v => (v == null ? '–' : v.toExponential(1));

function render(shown) {
  const table = $('compare-runs');
  table.hidden = false;
  table.dataset.comparison = shown.id;
  const body = table.querySelector('tbody');
  body.replaceChildren();
  for (const run of shown.runs) {
    const row = document.createElement('tr');
    row.dataset.cell = run.cell;
    row.dataset.state = run.state;
    for (const value of [run.cell, run.model, run.state, run.valBpc == null ? '–' : run.valBpc.toFixed(3),
      exp(run.flowRatio), String(run.alerts)]) {
      const cell = document.createElement('td');
      cell.textContent = value;
      row.append(cell);
    }
    row.firstChild.style.color = CELL_COLORS[run.cell];
    body.append(row);
  }
  $('compare-reading').textContent = reading(shown.runs);
  const cells = shown.runs.map(run => run.cell);
  if (charts['cmp-loss'].series.length !== cells.length + 1) { resetCompareCharts(cells); }
  charts['cmp-loss'].setData(align(shown.runs.map(run => (evaluations[run.jobId] || { points: [] }).points)));
  charts['cmp-flow'].setData(align(shown.runs.map(run => {
    const flow = run.flow || [];
    return flow.map((_, back) => [back, positive(flow[flow.length - 1 - back])]);
  })));
}

/** This run's figures in words, so the sentence under the charts never claims what they do not show. */
export function reading(runs) {
  const measured = runs.filter(run => run.flowRatio != null && run.flow && run.flow.length > 1);
  if (measured.length < runs.length || runs.length < 2) { return ''; }
  const ranked = [...measured].sort((a, b) => b.flowRatio - a.flowRatio);
  const kept = ranked.map(run => `${run.cell} ${exp(run.flowRatio)}`).join(', ');
  const steps = Math.max(...measured.map(run => run.flow.length)) - 1;
  const rnn = measured.find(run => run.cell === 'RNN');
  const verdict = !rnn ? ''
    : rnn === ranked[ranked.length - 1] ? ' The RNN keeps the least, as the theory says.'
      : ' Here the RNN is not the one that keeps the least: train longer or on a longer seqLength to see it vanish.';
  return `In this run, of the gradient at the last character, ${steps} steps back remains: ${kept}.${verdict}`;
}

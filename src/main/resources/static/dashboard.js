// The dashboard, a workbench over the REST API: upload a corpus, train from a form, follow every job,
// watch one live from its first iteration, compare the three cells, and generate, score and
// download with a model. Plain modules, uPlot from its WebJar, no build step.

import { call, forgetKey, hasKey, onKeyChange } from './js/api.js';
import { charts, fit } from './js/charts.js';
import { comparison, initCompare, setCompareHooks } from './js/compare.js';
import { clearErrors, collect, fill, showError } from './js/forms.js';
import { isActive, renderJobs } from './js/jobs.js';
import { fillModels, initUse, showModel } from './js/use.js';
import { resetWatchCharts, setHooks, watch, watchState } from './js/watch.js';

const $ = id => document.getElementById(id);
const VIEWS = ['train', 'watch', 'compare', 'use'];
let jobs = [];
let jobsSignature = '';
let pollTimer = null;

// ---- getting around ----

function show(view) {
  if (!VIEWS.includes(view)) { view = 'train'; }
  for (const name of VIEWS) { $(`view-${name}`).hidden = name !== view; }
  for (const link of document.querySelectorAll('#views a')) {
    link.classList.toggle('active', link.dataset.view === view);
  }
  document.body.dataset.view = view;
  requestAnimationFrame(fit);
  setTimeout(fit, 50);
}

function go(view) {
  if (location.hash !== `#${view}`) { location.hash = view; } else { show(view); }
}

window.addEventListener('hashchange', () => show(location.hash.slice(1)));
window.addEventListener('resize', fit);

// ---- errors that belong to no form ----

let problemTimer = null;

function failed(error) {
  const box = $('problem');
  box.textContent = error.problem ? error.problem.detail || error.message : error.message;
  box.hidden = false;
  clearTimeout(problemTimer);
  problemTimer = setTimeout(() => { box.hidden = true; }, 10000);
}

$('problem').addEventListener('click', () => { $('problem').hidden = true; });

// ---- the API key ----

function keyState(known) { $('key-state').hidden = !known; }

onKeyChange(keyState);
$('forget-key').addEventListener('click', forgetKey);
keyState(hasKey());

// ---- corpora ----

async function fillCorpora(selected) {
  const corpora = await call('api/corpora');
  for (const select of document.querySelectorAll('select.corpora')) {
    const chosen = selected || select.value;
    select.replaceChildren(...(corpora.length ? [] : [new Option('(upload one first)', '')]),
      ...corpora.slice().reverse().map(c => new Option(`${c.name || c.id} · ${c.chars.toLocaleString('en-US')} chars`, c.id)));
    if (corpora.some(c => c.id === chosen)) { select.value = chosen; }
  }
}

async function upload(file) {
  const status = $('upload-status');
  status.className = 'quiet';
  status.textContent = `Uploading ${file.name}…`;
  const form = new FormData();
  form.append('file', file);
  try {
    const corpus = await call('api/corpora', { method: 'POST', body: form });
    status.textContent = corpus.name === file.name ? `Stored ${corpus.name}.`
      : `These bytes were uploaded before: stored as ${corpus.name}.`;
    $('corpus-name').textContent = corpus.name;
    $('corpus-chars').textContent = corpus.chars.toLocaleString('en-US');
    $('corpus-vocab').textContent = `${corpus.vocabularySize} distinct characters`;
    $('corpus-id').textContent = corpus.id;
    $('corpus-info').hidden = false;
    // the service stored exactly these bytes: their first lines are the corpus's
    const head = await file.slice(0, 16384).text();
    const preview = $('corpus-preview');
    preview.textContent = head.split('\n').slice(0, 8).join('\n');
    preview.hidden = false;
    await fillCorpora(corpus.id);
  } catch (error) {
    status.className = 'error';
    status.textContent = error.message;
    $('corpus-info').hidden = true;
    $('corpus-preview').hidden = true;
  }
}

$('corpus-file').addEventListener('change', event => {
  if (event.target.files.length) { upload(event.target.files[0]); }
});
const drop = $('drop');
drop.addEventListener('dragover', event => { event.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', event => {
  event.preventDefault();
  drop.classList.remove('over');
  if (event.dataTransfer.files.length) { upload(event.dataTransfer.files[0]); }
});

// ---- the training form ----

const trainForm = $('train-form');

function budget() {
  const seconds = trainForm.elements.budget.value === 'duration';
  trainForm.elements.maxIterations.disabled = trainForm.elements.maxIterations.hidden = seconds;
  trainForm.elements.maxDuration.disabled = trainForm.elements.maxDuration.hidden = !seconds;
}

trainForm.elements.budget.addEventListener('change', budget);
trainForm.addEventListener('submit', async event => {
  event.preventDefault();
  clearErrors(trainForm);
  const button = trainForm.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const job = await call('api/training-jobs', { method: 'POST', json: collect(trainForm) });
    await refreshJobs();
    select(job.id);
  } catch (error) {
    showError(trainForm, error);
  } finally {
    button.disabled = false;
  }
});

// ---- jobs ----

function select(id, view = 'watch') {
  watch(id);
  renderList();
  go(view);
}

/** After a cancel or resume button: the list catches up, and a resumed job that is watched is joined again. */
function acted(id, action) {
  refreshJobs().catch(failed);
  if (action === 'resume' && watchState().id === id) { watch(id); }
}

function renderList() {
  renderJobs($('jobs'), jobs, watchState().id, { select, after: { done: acted, failed } });
}

async function refreshJobs() {
  const before = new Map(jobs.map(j => [j.id, j.state]));
  jobs = await call('api/training-jobs');
  const signature = JSON.stringify(jobs.map(j => [j.id, j.state, j.iteration, j.valBpc, j.error]))
    + watchState().id;
  if (signature !== jobsSignature) {
    jobsSignature = signature;
    renderList();
  }
  if (jobs.some(j => j.state === 'SUCCEEDED' && before.has(j.id) && before.get(j.id) !== 'SUCCEEDED')) {
    await fillModels($('models'));
    await showModel();
  }
  return jobs;
}

function poll() {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(async () => {
    try {
      await refreshJobs();
    } catch (error) {
      failed(error);
    }
    poll();
  }, jobs.some(isActive) ? 1000 : 4000);
}

setHooks({
  changed: job => {
    if (!isActive(job)) {
      refreshJobs().catch(failed);
      return;
    }
    // the watched job's bar moves with its event stream, not only at the list's next poll
    const i = jobs.findIndex(j => j.id === job.id);
    if (i >= 0 && Math.round(100 * jobs[i].progress) !== Math.round(100 * job.progress)) {
      jobs[i] = job;
      renderList();
    }
  },
  acted,
  failed,
  useModel: async name => {
    await fillModels($('models'));
    await showModel(name);
    go('use');
  },
});
setCompareHooks({ changed: () => refreshJobs().catch(failed), failed });

// ---- start ----

async function start() {
  resetWatchCharts();
  initUse(failed);
  initCompare($('compare-form'));
  budget();
  call('api/system').then(system => {
    $('backend').textContent = `${system.backend} backend · ${system.computePath.layerPath} path`;
    $('backend').title = `${system.backendClass}, ${system.devices} device(s), ${system.blasVendor}`;
  }).catch(failed);
  const [defaults] = await Promise.all([call('api/training-jobs/defaults'), fillCorpora(), fillModels($('models'))]);
  fill(trainForm, defaults);
  await refreshJobs();
  const params = new URLSearchParams(location.search);
  const running = jobs.slice().reverse().find(j => j.state === 'RUNNING') || jobs.slice().reverse().find(isActive);
  const wanted = params.get('job') || (running && running.id);
  await showModel(params.get('model') || undefined);
  const asked = location.hash.slice(1) || (params.get('model') ? 'use' : null);
  if (wanted) {
    select(wanted, asked || 'watch');
  } else {
    show(asked || 'train');
  }
  poll();
}

// for tests and the curious: what the page holds and draws
window.dashboard = { state: watchState, charts, comparison, jobs: () => jobs };

start().catch(failed);

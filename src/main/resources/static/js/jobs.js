// The list of training jobs (newest first) with progress, ETA, speed, validation loss and the
// cancel and resume buttons; the same words describe the watched job.

import { call } from './api.js';

const ACTIVE = ['QUEUED', 'RUNNING'];
const RESUMABLE = ['CANCELLED', 'INTERRUPTED'];

export const isActive = job => ACTIVE.includes(job.state);

export function duration(seconds) {
  if (seconds == null || !Number.isFinite(seconds)) { return ''; }
  const s = Math.round(seconds);
  if (s < 60) { return `${s}s`; }
  if (s < 3600) { return `${Math.floor(s / 60)}m ${s % 60}s`; }
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

const number = v => Math.round(v).toLocaleString('en-US');

/** One line of figures: iteration, progress, ETA, chars/s, validation bpc and the best one. */
export function figures(job) {
  return [
    `iteration ${job.iteration}`,
    `${Math.round(100 * job.progress)}%`,
    job.etaSeconds != null ? `ETA ${duration(job.etaSeconds)}` : null,
    job.charsPerSecond ? `${number(job.charsPerSecond)} chars/s` : null,
    job.valBpc != null ? `val ${job.valBpc.toFixed(3)} bpc` : null,
    best(job),
  ].filter(Boolean).join(' · ');
}

/** The best validation figure, when it is not the latest: the saved model is the best one. */
function best(job) {
  if (job.bestValBpc == null || job.bestValBpc === job.valBpc) { return null; }
  return `best ${job.bestValBpc.toFixed(3)} at ${job.bestIteration}`;
}

export function describe(job) {
  const s = job.spec;
  return `${job.modelName} · ${s.cell} ${s.layers}×${s.hiddenSize}`;
}

/** Buttons for what can be done to a job now: cancel while it runs, resume once stopped. */
export function actions(job, after) {
  const buttons = [];
  const button = (label, path, className) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.className = className;
    b.addEventListener('click', async event => {
      event.stopPropagation();
      b.disabled = true;
      try {
        await call(`api/training-jobs/${job.id}/${path}`, { method: 'POST' });
      } catch (error) {
        after.failed(error);
      }
      after.done(job.id, path);
    });
    buttons.push(b);
  };
  if (isActive(job)) { button('Cancel', 'cancel', 'cancel'); }
  if (RESUMABLE.includes(job.state)) { button('Resume', 'resume', 'resume'); }
  return buttons;
}

export function progressBar(job) {
  const bar = document.createElement('div');
  bar.className = 'bar';
  const fill = document.createElement('div');
  fill.style.width = barWidth(job);
  bar.append(fill);
  return bar;
}

/**
 * Renders the list, newest first; clicking a job calls select(id). A job whose state has not
 * changed keeps its element (only its bar and figures move), so the list does not flicker under
 * the pointer while jobs run.
 */
export function renderJobs(list, jobs, selectedId, { select, after }) {
  if (!jobs.length) {
    list.innerHTML = '<li class="quiet">none yet: start one under Train</li>';
    return;
  }
  const existing = new Map([...list.querySelectorAll('li.job')].map(li => [li.dataset.job, li]));
  const items = jobs.slice().reverse().map(job => {
    const li = existing.get(job.id);
    if (li && li.dataset.state === job.state && (li.dataset.error || '') === (job.error || '')) {
      li.dataset.progress = String(job.progress);
      li.querySelector('.bar > div').style.width = barWidth(job);
      li.querySelector('.figures').textContent = figures(job);
      li.classList.toggle('selected', job.id === selectedId);
      return li;
    }
    return item(job, selectedId, select, after);
  });
  list.replaceChildren(...items);
}

const barWidth = job => `${Math.round(100 * Math.max(0, Math.min(1, job.progress || 0)))}%`;

function item(job, selectedId, select, after) {
  const li = document.createElement('li');
  li.className = 'job' + (job.id === selectedId ? ' selected' : '');
  li.dataset.job = job.id;
  li.dataset.state = job.state;
  li.dataset.progress = String(job.progress);
  li.tabIndex = 0;
  const title = document.createElement('div');
  title.className = 'title';
  title.textContent = describe(job);
  const state = document.createElement('span');
  state.className = `state ${job.state}`;
  state.textContent = job.state;
  title.append(' ', state);
  const info = document.createElement('div');
  info.className = 'figures';
  info.textContent = figures(job);
  const tools = document.createElement('div');
  tools.className = 'tools';
  tools.append(...actions(job, after));
  li.append(title, progressBar(job), info, tools);
  if (job.error) {
    li.dataset.error = job.error;
    const error = document.createElement('div');
    error.className = 'error';
    error.textContent = job.error;
    li.append(error);
  }
  li.addEventListener('click', () => select(job.id));
  li.addEventListener('keydown', e => { if (e.key === 'Enter') { select(job.id); } });
  return li;
}

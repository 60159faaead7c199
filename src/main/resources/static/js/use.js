// Using a model: generate with streamed text, score a text as characters coloured by surprisal,
// and download it.

import { call, events, hasKey } from './api.js';
import { clearErrors, collect, showError } from './forms.js';

const $ = id => document.getElementById(id);
const MAX_BITS = 8;
let generation = null;

export const selectedModel = () => $('models').value;

export async function fillModels(select) {
  const models = await call('api/models');
  const chosen = select.value;
  select.replaceChildren(...(models.length ? [] : [new Option('(none yet)', '')]),
    ...models.map(m => new Option(`${m.name} (${m.cell} ${m.layers}×${m.hiddenSize}`
      + (m.valBpc != null ? `, ${m.valBpc.toFixed(3)} bpc)` : ')'), m.name)));
  if (models.some(m => m.name === chosen)) { select.value = chosen; }
  return models;
}

export async function showModel(name) {
  const select = $('models');
  if (name && [...select.options].some(o => o.value === name)) { select.value = name; }
  const chosen = select.value;
  const download = $('download');
  download.hidden = !chosen;
  $('model-info').textContent = '';
  renderUnits(chosen);
  if (!chosen) { return; }
  download.href = `api/models/${encodeURIComponent(chosen)}/download`;
  download.setAttribute('download', `${chosen}.zip`);
  const model = await call(`api/models/${encodeURIComponent(chosen)}`);
  const m = model.metrics || {};
  const history = model.history || [];
  const trained = history.length ? Math.max(m.iteration, history[history.length - 1].iteration) : m.iteration;
  $('model-info').textContent = [`${model.parameters.toLocaleString('en-US')} parameters`,
    `vocabulary ${model.vocabulary ? model.vocabulary.length : '?'}`,
    trained > m.iteration ? `trained ${trained} iterations, the weights of iteration ${m.iteration} (the best)`
      : `trained ${m.iteration} iterations`,
    m.valBpc != null ? `val ${m.valBpc.toFixed(3)} bpc` : null, model.backend].filter(Boolean).join(' · ');
}

/** The unit view (cells.js) for the chosen model, reading /activations with the dashboard's key. */
let unitsFor = null;

function renderUnits(model) {
  const el = $('units');
  if (model === unitsFor || !window.CharRnnCells) { return; }
  unitsFor = model;
  if (!model) {
    el.replaceChildren();
    return;
  }
  window.CharRnnCells.unitView(el, model, (text, layer, units) => {
    const json = { text };
    if (layer !== '' && layer != null) { json.layer = Number(layer); }
    if (units) { json.units = units; }
    return call(`api/models/${encodeURIComponent(model)}/activations`, { method: 'POST', json })
      .catch(error => { throw new Error(error.problem ? error.problem.detail || error.message : error.message); });
  });
}

export function initUse(failed) {
  $('models').addEventListener('change', () => showModel().catch(failed));
  $('download').addEventListener('click', async event => {
    if (!hasKey()) { return; } // a plain link does; with a key (protected reads) fetch it with the key
    event.preventDefault();
    try {
      const response = await call($('download').getAttribute('href'), { raw: true });
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `${selectedModel()}.zip`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      failed(error);
    }
  });

  const generate = $('generate-form');
  generate.addEventListener('submit', async event => {
    event.preventDefault();
    clearErrors(generate);
    const out = $('generated');
    const model = selectedModel();
    if (!model) {
      generate.querySelector('.form-error').textContent = 'Train a model first, or pick one.';
      return;
    }
    if (generation) { generation.abort(); }
    const request = collect(generate);
    const controller = generation = new AbortController();
    out.textContent = request.prime || '';
    out.dataset.state = 'streaming';
    $('generate-stats').textContent = '';
    $('stop').disabled = false;
    let chunks = 0;
    try {
      await events(`api/models/${encodeURIComponent(model)}/generate/stream`, {
        chunk: c => { chunks++; out.append(c.text); out.dataset.chunks = String(chunks); },
        done: r => {
          const sample = r.samples[0];
          $('generate-stats').textContent = `${sample.finishReason} · seed ${r.seed} · `
            + `${Math.round(r.charsPerSecond).toLocaleString('en-US')} chars/s`;
        },
      }, { method: 'POST', json: request, signal: controller.signal });
      out.dataset.state = controller.signal.aborted ? 'stopped' : 'done';
    } catch (error) {
      out.dataset.state = 'failed';
      showError(generate, error);
    } finally {
      if (generation === controller) {
        generation = null;
        $('stop').disabled = true;
      }
    }
  });
  $('stop').addEventListener('click', () => { if (generation) { generation.abort(); } });

  const score = $('score-form');
  score.addEventListener('submit', async event => {
    event.preventDefault();
    clearErrors(score);
    const model = selectedModel();
    if (!model) {
      score.querySelector('.form-error').textContent = 'Train a model first, or pick one.';
      return;
    }
    const text = score.elements.text.value;
    const skip = score.elements.skip.checked;
    try {
      const scored = await call(`api/models/${encodeURIComponent(model)}/score`, {
        method: 'POST', json: { text, perCharacter: true, unknownChars: skip ? 'skip' : 'error' } });
      renderScore(skip ? null : String.fromCodePoint(text.codePointAt(0)), scored);
    } catch (error) {
      showError(score, error);
    }
  });
}

/** Surprisal in bits as a colour: pale for what the model expected, deep red for what it did not. */
export function heat(bits) {
  const t = Math.max(0, Math.min(1, bits / MAX_BITS));
  return `hsl(${Math.round(55 - 55 * t)}, 100%, ${Math.round(96 - 46 * t)}%)`;
}

function renderScore(context, scored) {
  const box = $('scored');
  box.replaceChildren();
  if (context) {
    const first = document.createElement('span');
    first.className = 'context';
    first.title = 'context only: the first character is not scored';
    first.textContent = context;
    box.append(first);
  }
  for (const c of scored.surprisal || []) {
    const span = document.createElement('span');
    span.textContent = c.character;
    span.dataset.bits = c.bits.toFixed(2);
    span.title = `'${c.character}': ${c.bits.toFixed(2)} bits`;
    span.style.background = heat(c.bits);
    box.append(span);
  }
  $('score-stats').textContent = `${scored.scoredChars} characters scored · ${scored.bitsPerChar.toFixed(3)} bits per `
    + `character · perplexity ${scored.perplexity.toFixed(2)}`;
}

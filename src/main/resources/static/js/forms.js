// Forms whose inputs name the request field they fill (data-path="spec.hiddenSize"): defaults in,
// a request object out, and the service's 400 detail shown next to the field it names.

/** Sets each input that has a value at its path in values (the service's defaults, say). */
export function fill(form, values) {
  for (const input of form.querySelectorAll('[data-path]')) {
    const value = input.dataset.path.split('.').reduce((v, key) => (v == null ? v : v[key]), values);
    if (value != null && typeof value !== 'object') { input.value = String(value); }
  }
}

/**
 * The request the form describes: nested objects by path, numbers as numbers. Empty and disabled
 * inputs are left out, so that the service applies its own default.
 */
export function collect(form) {
  const request = {};
  for (const input of form.querySelectorAll('[data-path]')) {
    if (input.disabled || input.value.trim() === '') { continue; }
    const keys = input.dataset.path.split('.');
    const leaf = keys.pop();
    const parent = keys.reduce((object, key) => (object[key] = object[key] || {}), request);
    parent[leaf] = input.type === 'number' && input.value.trim() !== '' && !Number.isNaN(Number(input.value))
      ? Number(input.value) : input.value;
  }
  return request;
}

export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach(e => e.remove());
  form.querySelectorAll('.invalid').forEach(e => e.classList.remove('invalid'));
  form.querySelectorAll('.form-error').forEach(e => { e.textContent = ''; });
}

const escape = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The input a problem's detail is about. The service names fields by their JSON path
 * ("spec.hiddenSize must be between 1 and 1024", "Invalid request: schedule.maxIterations must be
 * greater than 0", "Malformed request body at 'spec.cell': ...") or by their bare name ("Lower
 * batchSize or seqLength") or in words (data-aliases="model name"); the field named first wins. A
 * problem may also list errors[].field.
 */
export function fieldOf(form, problem) {
  const inputs = [...form.querySelectorAll('[data-path]')].filter(input => !input.disabled);
  const listed = Array.isArray(problem.errors) && problem.errors.map(e => e && (e.field || e.pointer)).find(Boolean);
  if (listed) {
    const match = inputs.find(input => input.dataset.path === String(listed).replace(/^\//, '').replaceAll('/', '.'));
    if (match) { return match; }
  }
  const detail = problem.detail || '';
  let best = null;
  let bestAt = Infinity;
  for (const input of inputs) {
    const keys = input.dataset.path.split('.');
    const names = keys.map((_, i) => keys.slice(i).join('.'))
      .concat(input.dataset.aliases ? input.dataset.aliases.split(',') : []);
    for (const name of names) {
      const found = new RegExp(`(^|[^\\w.])${escape(name.trim())}(?![\\w])`, 'i').exec(detail);
      if (found && found.index < bestAt) {
        best = input;
        bestAt = found.index;
      }
    }
  }
  return best;
}

/** Shows an error: next to the field it names when it names one, else beside the form's button. */
export function showError(form, error) {
  const problem = error.problem || { detail: error.message };
  const input = fieldOf(form, problem);
  const message = problem.detail || error.message;
  if (input) {
    input.classList.add('invalid');
    const note = document.createElement('span');
    note.className = 'field-error';
    note.setAttribute('role', 'alert');
    note.textContent = message;
    (input.closest('label') || input.parentElement).append(note);
    input.focus();
  } else {
    form.querySelector('.form-error').textContent = message;
  }
}

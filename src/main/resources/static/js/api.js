// Talking to the service: JSON over fetch, problem+json errors, the API key, and Server-Sent Events read
// from a fetch body (EventSource can neither POST, as /generate/stream needs, nor send the key).

const KEY_STORAGE = 'charrnn.apiKey';
let apiKey = localStorage.getItem(KEY_STORAGE) || '';
let asking = null;
const keyListeners = [];

/** A refusal from the service: status and its problem+json (whose detail says what to change). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export function hasKey() { return apiKey !== ''; }

export function onKeyChange(listener) { keyListeners.push(listener); }

export function forgetKey() { setKey(''); }

function setKey(key) {
  apiKey = key;
  if (key) { localStorage.setItem(KEY_STORAGE, key); } else { localStorage.removeItem(KEY_STORAGE); }
  keyListeners.forEach(listener => listener(hasKey()));
}

/**
 * Asks for the key once, in the page's dialog: every request refused with 401 meanwhile waits for
 * the same answer. Resolves to true when a key was entered.
 */
function askForKey(detail) {
  if (!asking) {
    asking = new Promise(resolve => {
      const dialog = document.getElementById('key-dialog');
      const input = document.getElementById('key-input');
      document.getElementById('key-reason').textContent = apiKey
        ? 'The service refused the key you gave. ' + detail : detail;
      input.value = '';
      dialog.addEventListener('close', () => {
        asking = null;
        const entered = dialog.returnValue === 'ok' && input.value.trim() !== '';
        if (entered) { setKey(input.value.trim()); }
        resolve(entered);
      }, { once: true });
      dialog.showModal();
    });
  }
  return asking;
}

async function problemOf(response) {
  const text = await response.text();
  try {
    const problem = JSON.parse(text);
    if (problem && typeof problem === 'object') { return problem; }
  } catch (ignored) {
    // not JSON: a proxy's page, say
  }
  return { status: response.status, title: response.statusText, detail: text.slice(0, 300) || response.statusText };
}

/**
 * Sends a request and answers the parsed JSON body (or the Response itself with raw). A body of
 * json is sent as application/json; form may be FormData or text. The key, once known, goes with
 * every request (writes need it; reads too when the service protects them). A 401 asks for the key
 * and sends the request again with it.
 */
export async function call(url, { method = 'GET', json, body, headers = {}, raw = false, signal } = {}) {
  for (;;) {
    const sent = new Headers(headers);
    let payload = body;
    if (json !== undefined) {
      sent.set('Content-Type', 'application/json');
      payload = JSON.stringify(json);
    }
    if (apiKey) { sent.set('X-API-Key', apiKey); }
    const response = await fetch(url, { method, headers: sent, body: payload, signal });
    if (response.status === 401) {
      const problem = await problemOf(response);
      if (await askForKey(problem.detail || 'This request needs the API key.')) { continue; }
      throw new ApiError(401, problem);
    }
    if (!response.ok) { throw new ApiError(response.status, await problemOf(response)); }
    if (raw) { return response; }
    return response.status === 204 ? null : response.json();
  }
}

/**
 * Reads a Server-Sent Events response, calling on[event](data parsed as JSON) for each event.
 * Resolves when the stream ends; aborting the signal ends it quietly.
 */
export async function events(url, on, { method = 'GET', json, signal } = {}) {
  const response = await call(url, { method, json, raw: true, signal, headers: { Accept: 'text/event-stream' } });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) { break; }
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        dispatch(buffer.slice(0, end), on);
        buffer = buffer.slice(end + 2);
      }
    }
  } catch (error) {
    if (error.name !== 'AbortError') { throw error; }
  }
}

function dispatch(block, on) {
  let name = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) { continue; }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') { name = value; } else if (field === 'data') { data.push(value); }
  }
  if (data.length && on[name]) { on[name](JSON.parse(data.join('\n'))); }
}

// The service's HTTP API, as the pages use it. Paths are relative so the dashboard works under any context path.

/** A non-2xx answer, carrying the RFC 9457 problem details the service sends with every error. */
export class ProblemError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    /** Validation errors: [{ pointer: '/model/heads', detail: 'must divide dModel (128)' }]. */
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

const KEY_STORAGE = 'grokscope.apiKey';

/** The API key the user entered (kept for this browser tab only), or null. Only needed when the service has keys. */
export const apiKey = () => sessionStorage.getItem(KEY_STORAGE);

export function setApiKey(key) {
  if (key) {
    sessionStorage.setItem(KEY_STORAGE, key);
  } else {
    sessionStorage.removeItem(KEY_STORAGE);
  }
}

function withKey(headers) {
  const key = apiKey();
  return key ? { ...headers, Authorization: `Bearer ${key}` } : headers;
}

async function request(path, options = {}) {
  const response = await fetch(path, { ...options, headers: withKey({ Accept: 'application/json', ...options.headers }) });
  const type = response.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await response.json() : null;
  if (!response.ok) {
    throw new ProblemError(response.status, body || { title: response.statusText });
  }
  return body;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') {
      search.set(key, Array.isArray(value) ? value.join(',') : value);
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

const base = 'api/v1';

// tag and spec are lists (sent comma-separated, which the service splits); every filter must match.
export const listExperiments = ({ status, name, operation, modelType, verdict, tag, spec, page = 0, size = 50 } = {}) =>
  request(`${base}/experiments${query({ status, name, operation, modelType, verdict, tag, spec, page, size })}`);

export const annotateExperiment = (id, { tags, note }) => request(`${base}/experiments/${id}`, {
  method: 'PATCH',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ tags, note }),
});

export const OPERATIONS = ['ADD', 'SUBTRACT', 'MULTIPLY', 'DIVIDE', 'DIVIDE_IF_ODD_ELSE_SUBTRACT', 'SQUARE_SUM', 'QUAD_SUM',
  'QUAD_SUM_PLUS_A', 'CUBE_PLUS_AB', 'CUBE_MIXED', 'S5_COMPOSE', 'S5_CONJUGATE', 'S5_SANDWICH', 'EXPRESSION'];
export const VERDICTS = ['RUNNING', 'CONFUSION', 'MEMORIZATION', 'GROKKING', 'COMPREHENSION'];

export const getExperiment = (id) => request(`${base}/experiments/${id}`);

export const cancelExperiment = (id) => request(`${base}/experiments/${id}/cancel`, { method: 'POST' });

export const submitExperiment = (spec) => request(`${base}/experiments`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(spec),
});

export const getMetrics = (id, { names, maxPoints } = {}) =>
  request(`${base}/experiments/${id}/metrics${query({ names, maxPoints })}`);

export const compareMetrics = (ids, { names, maxPoints } = {}) =>
  request(`${base}/metrics${query({ experiments: ids, names, maxPoints })}`);

export const getAnalysis = (id) => request(`${base}/experiments/${id}/analysis`);

/** The analysis of curves in a CSV (the service's export, or a wide step,<metric>,… table); nothing is stored. */
export const analyseCurves = (csv) => request(`${base}/analyses`, {
  method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: csv,
});

/** The spectrum, or null while none was measured (and for tasks without a Fourier basis): the API answers 404. */
export async function getSpectrum(id, step) {
  try {
    return await request(`${base}/experiments/${id}/spectrum${query({ step })}`);
  } catch (error) {
    if (error instanceof ProblemError && error.status === 404) {
      return null;
    }
    throw error;
  }
}

const eventsUrl = (id) => `${base}/experiments/${id}/events`;

/**
 * Follows a run's Server-Sent Events, calling listeners[eventName]({ data }); returns { close }. EventSource cannot
 * send an Authorization header, so with an API key the stream is read with fetch instead (reconnecting after a
 * dropped connection with Last-Event-ID, as EventSource does).
 */
export function followEvents(id, listeners) {
  const key = apiKey();
  if (!key) {
    const source = new EventSource(eventsUrl(id));
    for (const [name, listener] of Object.entries(listeners)) {
      source.addEventListener(name, listener);
    }
    return { close: () => source.close() };
  }
  const abort = new AbortController();
  let closed = false;
  let lastId = null;
  const dispatch = (block) => {
    let event = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) {
        event = line.slice(6).trim();
      } else if (line.startsWith('data:')) {
        data.push(line.slice(5).replace(/^ /, ''));
      } else if (line.startsWith('id:')) {
        lastId = line.slice(3).trim();
      }
    }
    listeners[event]?.({ data: data.join('\n') });
  };
  (async () => {
    while (!closed) {
      try {
        const headers = withKey({ Accept: 'text/event-stream' });
        if (lastId !== null) {
          headers['Last-Event-ID'] = lastId;
        }
        const response = await fetch(eventsUrl(id), { headers, signal: abort.signal });
        if (!response.ok) {
          return; // a wrong key or a deleted run: nothing to follow
        }
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) {
            break;
          }
          buffer += value.replace(/\r\n?/g, '\n');
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            dispatch(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch (error) {
        // a dropped connection (or close()): retry below unless closed
      }
      if (!closed) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  })();
  return { close: () => { closed = true; abort.abort(); } };
}

export const STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
export const ACTIVE_STATUSES = ['QUEUED', 'RUNNING'];

/** Every metric a run records, as analysis/Metric.java names them (the compare page offers each). */
export const METRICS = ['train_loss', 'train_acc', 'test_loss', 'test_acc', 'weight_norm', 'weight_norm_sq', 'embed_norm',
  'grad_norm', 'learning_rate', 'fourier_gini_embed', 'fourier_gini_unembed', 'fourier_key_fraction', 'restricted_loss',
  'excluded_loss', 'excluded_loss_max'];

export const listSweeps = ({ page = 0, size = 50 } = {}) => request(`${base}/sweeps${query({ page, size })}`);

export const getSweep = (id) => request(`${base}/sweeps/${id}`);

export const getSweepBands = (id, { metric, x, maxPoints }) =>
  request(`${base}/sweeps/${id}/bands${query({ metric, x, maxPoints })}`);

export const getMetricBand = (ids, { metric, maxPoints }) =>
  request(`${base}/metrics/bands${query({ experiments: ids, metric, maxPoints })}`);

export const getSweepSummary = (id, { x, value }) => request(`${base}/sweeps/${id}/summary${query({ x, value })}`);

/** The phase diagram as SVG text (the service renders it; the page only places it). */
export async function getPhaseDiagramSvg(id, { x, y, value }) {
  const response = await fetch(`${base}/sweeps/${id}/phase-diagram${query({ x, y, value })}`,
    { headers: withKey({ Accept: 'image/svg+xml' }) });
  if (!response.ok) {
    const type = response.headers.get('Content-Type') || '';
    throw new ProblemError(response.status, type.includes('json') ? await response.json() : { title: response.statusText });
  }
  return response.text();
}

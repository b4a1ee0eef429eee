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

async function request(path, options = {}) {
  const response = await fetch(path, { headers: { Accept: 'application/json', ...options.headers }, ...options });
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

export const listExperiments = ({ status, name, page = 0, size = 50 } = {}) =>
  request(`${base}/experiments${query({ status, name, page, size })}`);

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

export const eventsUrl = (id) => `${base}/experiments/${id}/events`;

export const STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
export const ACTIVE_STATUSES = ['QUEUED', 'RUNNING'];

export const METRICS = ['train_loss', 'train_acc', 'test_loss', 'test_acc', 'weight_norm', 'embed_norm', 'grad_norm',
  'learning_rate', 'fourier_gini_embed', 'fourier_gini_unembed', 'fourier_key_fraction', 'restricted_loss',
  'excluded_loss'];

export const listSweeps = ({ page = 0, size = 50 } = {}) => request(`${base}/sweeps${query({ page, size })}`);

export const getSweep = (id) => request(`${base}/sweeps/${id}`);

export const getSweepSummary = (id, { x, value }) => request(`${base}/sweeps/${id}/summary${query({ x, value })}`);

/** The phase diagram as SVG text (the service renders it; the page only places it). */
export async function getPhaseDiagramSvg(id, { x, y, value }) {
  const response = await fetch(`${base}/sweeps/${id}/phase-diagram${query({ x, y, value })}`,
    { headers: { Accept: 'image/svg+xml' } });
  if (!response.ok) {
    const type = response.headers.get('Content-Type') || '';
    throw new ProblemError(response.status, type.includes('json') ? await response.json() : { title: response.statusText });
  }
  return response.text();
}

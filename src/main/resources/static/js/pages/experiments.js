// The experiments list: every run with its progress, verdict and grokking delay; filtered by status and name; polled.

import { listExperiments, STATUSES, ACTIVE_STATUSES } from '../api.js';
import { h, replace } from '../dom.js';
import * as fmt from '../format.js';
import { navigate } from '../router.js';
import { statusBadge, progressCell, errorMessage } from '../widgets.js';

const POLL_MS = 3000;
const PAGE_SIZE = 50;

export function render(view, params) {
  const filters = { status: params.get('status') || '', name: params.get('name') || '', page: Number(params.get('page') || 0) };
  const status = h('select', { id: 'filter-status', name: 'status' },
    h('option', { value: '' }, 'All'),
    STATUSES.map((s) => h('option', { value: s, selected: s === filters.status }, s)));
  const name = h('input', { id: 'filter-name', name: 'name', type: 'search', value: filters.name, placeholder: 'part of a name' });
  const form = h('form', { class: 'filters', role: 'search', onsubmit: (event) => { event.preventDefault(); apply(0); } },
    h('label', { for: 'filter-status' }, 'Status'), status,
    h('label', { for: 'filter-name' }, 'Name'), name,
    h('button', { type: 'submit' }, 'Filter'));
  status.addEventListener('change', () => apply(0));

  const body = h('tbody');
  const table = h('table', { class: 'experiments' },
    h('caption', { class: 'visually-hidden' }, 'Experiments, newest first'),
    h('thead', {}, h('tr', {},
      ['Name', 'Task', 'Model', 'Status', 'Verdict', 'Grokking delay', 'Created'].map((c) => h('th', { scope: 'col' }, c)))),
    body);
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  const message = h('p', { class: 'message', role: 'status' });
  replace(view, h('h1', {}, 'Experiments'), form, message, table, pager);

  function apply(page) {
    navigate('/', { status: status.value, name: name.value.trim(), page: page || '' });
  }

  let timer = null;
  let stopped = false;
  let shown = null;
  async function refresh() {
    try {
      const result = await listExperiments({ ...filters, size: PAGE_SIZE });
      if (stopped) {
        return;
      }
      // Unchanged rows stay as they are, so a poll never takes away focus or a text selection.
      const fingerprint = JSON.stringify(result);
      if (fingerprint !== shown) {
        shown = fingerprint;
        replace(body, result.items.map(row));
      }
      replace(message, result.totalItems === 0 ? 'No experiments match.' : `${result.totalItems} experiment(s)`);
      drawPager(result);
    } catch (error) {
      replace(message, errorMessage(error));
    }
    if (!stopped) {
      timer = setTimeout(refresh, POLL_MS);
    }
  }

  function drawPager(result) {
    replace(pager,
      result.page > 0 && h('button', { type: 'button', onclick: () => apply(result.page - 1) }, '← Newer'),
      result.totalPages > 1 && h('span', {}, `page ${result.page + 1} of ${result.totalPages}`),
      result.page + 1 < result.totalPages && h('button', { type: 'button', onclick: () => apply(result.page + 1) }, 'Older →'));
  }

  refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function row(experiment) {
  const spec = experiment.spec;
  return h('tr', { dataset: { experimentId: experiment.id, status: experiment.status } },
    h('td', {}, h('a', { href: `#/experiments/${experiment.id}` }, experiment.name)),
    h('td', {}, fmt.task(spec.task)),
    h('td', {}, fmt.model(spec.model)),
    h('td', { class: 'status-cell' }, statusBadge(experiment.status),
      ACTIVE_STATUSES.includes(experiment.status) && progressCell(experiment.progress)),
    h('td', {}, experiment.verdict ?? '—'),
    h('td', { class: 'number' }, fmt.steps(experiment.grokkingDelay)),
    h('td', {}, fmt.dateTime(experiment.createdAt)));
}

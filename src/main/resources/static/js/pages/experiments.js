// The experiments list: every run with its progress, verdict, grokking delay and tags; filtered by status, name,
// operation, model, verdict, tags and spec fields (path=value); polled.

import { listExperiments, STATUSES, ACTIVE_STATUSES, OPERATIONS, VERDICTS } from '../api.js';
import { h, replace } from '../dom.js';
import * as fmt from '../format.js';
import { navigate } from '../router.js';
import { statusBadge, progressCell, errorMessage } from '../widgets.js';

const POLL_MS = 3000;
const PAGE_SIZE = 50;

export function render(view, params) {
  const list = (key) => (params.get(key) || '').split(',').map((t) => t.trim()).filter(Boolean);
  const filters = {
    status: params.get('status') || '', name: params.get('name') || '', operation: params.get('operation') || '',
    modelType: params.get('modelType') || '', verdict: params.get('verdict') || '', tag: list('tag'), spec: list('spec'),
    page: Number(params.get('page') || 0),
  };
  const choice = (id, key, values) => h('select', { id, name: key },
    h('option', { value: '' }, 'All'),
    values.map((v) => h('option', { value: v, selected: v === filters[key] }, v)));
  const status = choice('filter-status', 'status', STATUSES);
  const operation = choice('filter-operation', 'operation', OPERATIONS);
  const modelType = choice('filter-model', 'modelType', ['MLP', 'TRANSFORMER']);
  const verdict = choice('filter-verdict', 'verdict', VERDICTS);
  const name = h('input', { id: 'filter-name', name: 'name', type: 'search', value: filters.name, placeholder: 'part of a name' });
  const tag = h('input', { id: 'filter-tag', name: 'tag', type: 'search', value: filters.tag.join(', '), placeholder: 'tag, tag' });
  const spec = h('input', {
    id: 'filter-spec', name: 'spec', type: 'search', value: filters.spec.join(', '), size: 34,
    placeholder: 'optimizer.weightDecay=1, model.type=MLP',
  });
  const form = h('form', { class: 'filters', role: 'search', onsubmit: (event) => { event.preventDefault(); apply(0); } },
    h('label', { for: 'filter-status' }, 'Status'), status,
    h('label', { for: 'filter-name' }, 'Name'), name,
    h('label', { for: 'filter-operation' }, 'Operation'), operation,
    h('label', { for: 'filter-model' }, 'Model'), modelType,
    h('label', { for: 'filter-verdict' }, 'Verdict'), verdict,
    h('label', { for: 'filter-tag' }, 'Tags'), tag,
    h('label', { for: 'filter-spec' }, 'Spec'), spec,
    h('button', { type: 'submit' }, 'Filter'));
  [status, operation, modelType, verdict].forEach((select) => select.addEventListener('change', () => apply(0)));

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
    const items = (input) => input.value.split(',').map((t) => t.trim()).filter(Boolean).join(',');
    navigate('/', {
      status: status.value, name: name.value.trim(), operation: operation.value, modelType: modelType.value,
      verdict: verdict.value, tag: items(tag), spec: items(spec), page: page || '',
    });
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
    h('td', {}, h('a', { href: `#/experiments/${experiment.id}` }, experiment.name),
      (experiment.tags || []).length > 0 && h('span', { class: 'tags' },
        experiment.tags.map((t) => h('a', { class: 'tag', href: `#/?tag=${encodeURIComponent(t)}` }, t))),
      experiment.note && h('span', { class: 'note', title: experiment.note }, '✎')),
    h('td', {}, fmt.task(spec?.task)),
    h('td', {}, fmt.model(spec?.model)),
    h('td', { class: 'status-cell' }, statusBadge(experiment.status),
      ACTIVE_STATUSES.includes(experiment.status) && progressCell(experiment.progress)),
    h('td', {}, experiment.verdict ?? '—'),
    h('td', { class: 'number' }, fmt.steps(experiment.grokkingDelay)),
    h('td', {}, fmt.dateTime(experiment.createdAt)));
}

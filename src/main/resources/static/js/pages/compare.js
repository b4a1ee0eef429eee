// Several runs' curves of one metric on one chart. The selection lives in the URL, so a comparison can be shared.

import { listExperiments, compareMetrics, getMetricBand, METRICS } from '../api.js';
import { Chart, align, figure, seedBands } from '../charts.js';
import { h, replace } from '../dom.js';
import * as fmt from '../format.js';
import { replaceParams } from '../router.js';
import { statusBadge, errorMessage } from '../widgets.js';

const LOG_METRICS = new Set(['train_loss', 'test_loss', 'restricted_loss', 'excluded_loss', 'excluded_loss_max', 'grad_norm']);

export function render(view, params) {
  const state = {
    ids: (params.get('ids') || '').split(',').filter(Boolean).map(Number),
    metric: METRICS.includes(params.get('metric')) ? params.get('metric') : 'test_acc',
    logX: params.get('logX') === 'true',
    bands: params.get('bands') === '1',
  };
  const runs = h('fieldset', { class: 'run-picker' }, h('legend', {}, 'Runs'));
  const metric = h('select', { id: 'compare-metric' }, METRICS.map((m) => h('option', { value: m, selected: m === state.metric }, m)));
  const logX = h('input', { type: 'checkbox', id: 'compare-log-x', checked: state.logX });
  const bands = h('input', { type: 'checkbox', id: 'compare-bands', checked: state.bands });
  const message = h('p', { class: 'message', role: 'status' });
  const plot = h('div', { class: 'compare-plot' });
  replace(view, h('h1', {}, 'Compare runs'),
    h('div', { class: 'compare' }, runs,
      h('div', {},
        h('div', { class: 'section-head' },
          h('label', { for: 'compare-metric' }, 'Metric'), metric,
          h('label', { class: 'toggle' }, logX, ' Log-scale steps'),
          h('label', { class: 'toggle', title: 'mean ± standard deviation, min–max shaded' }, bands, ' Seed band')),
        message, plot)));

  let chart = null;
  let names = new Map();
  let closed = false;
  let request = 0;

  metric.addEventListener('change', () => { state.metric = metric.value; draw(); });
  logX.addEventListener('change', () => { state.logX = logX.checked; draw(); });
  bands.addEventListener('change', () => { state.bands = bands.checked; draw(); });

  async function loadRuns() {
    try {
      const page = await listExperiments({ size: 200 });
      names = new Map(page.items.map((e) => [e.id, e.name]));
      runs.append(...page.items.map((e) => {
        const box = h('input', { type: 'checkbox', id: `run-${e.id}`, value: e.id, checked: state.ids.includes(e.id) });
        box.addEventListener('change', () => {
          state.ids = box.checked ? [...state.ids, e.id] : state.ids.filter((id) => id !== e.id);
          draw();
        });
        return h('div', { class: 'run-option' }, box,
          h('label', { for: `run-${e.id}` }, `#${e.id} ${e.name}`, ' ', statusBadge(e.status),
            h('span', { class: 'hint' }, ` ${fmt.task(e.spec?.task)} · ${fmt.model(e.spec?.model)}`)));
      }));
      if (page.items.length === 0) {
        runs.append(h('p', {}, 'No experiments yet.'));
      }
    } catch (error) {
      runs.append(h('p', { class: 'error' }, errorMessage(error)));
    }
  }

  async function draw() {
    replaceParams({ ids: state.ids.join(','), metric: state.metric, logX: state.logX || '', bands: state.bands ? 1 : '' });
    const mine = ++request;
    chart?.destroy();
    chart = null;
    plot.replaceChildren();
    if (state.ids.length === 0) {
      replace(message, 'Pick one or more runs.');
      return;
    }
    if (state.bands) {
      drawBand(mine);
      return;
    }
    let result;
    try {
      result = await compareMetrics(state.ids, { names: [state.metric], maxPoints: 2000 });
    } catch (error) {
      replace(message, errorMessage(error));
      return;
    }
    // A newer selection may have been made while this one loaded.
    if (closed || mine !== request) {
      return;
    }
    replace(message, `${state.metric} of ${state.ids.length} run(s)`);
    const element = figure('compare', `${state.metric}${LOG_METRICS.has(state.metric) ? ' (log scale)' : ''}`);
    plot.append(element);
    // A run whose restricted/excluded loss still hold each step's own key set (it trains, or was never recomputed)
    // is labelled so, as the API lists it: its curve is not comparable with the final-key-set curves of ended runs.
    const label = (e) => `#${e.experimentId} ${names.get(e.experimentId) ?? ''}`.trim()
      + (e.provisional.includes(state.metric) ? ' (provisional)' : '');
    chart = new Chart(element, {
      series: result.experiments.map((e) => ({ label: label(e) })),
      logX: state.logX, logY: LOG_METRICS.has(state.metric), height: 360,
    });
    chart.setData(align(result.experiments.map((e) => e.series[0] ?? { steps: [], values: [] })));
  }

  /** The chosen runs as one seed band: mean, ± one standard deviation and min–max over them. */
  async function drawBand(mine) {
    let result;
    try {
      result = await getMetricBand(state.ids, { metric: state.metric });
    } catch (error) {
      replace(message, errorMessage(error));
      return;
    }
    if (closed || mine !== request) {
      return;
    }
    const most = Math.max(0, ...result.band.n);
    replace(message, `${state.metric}: mean ± standard deviation and min–max over ${state.ids.length} run(s)`
      + ` (at most ${most} at a step)`);
    const element = figure('compare-band', `${state.metric} over ${state.ids.length} runs`);
    plot.append(element);
    const shown = seedBands([{ label: `${state.ids.length} runs`, band: result.band }]);
    chart = new Chart(element, {
      series: shown.series, fills: shown.fills, logX: state.logX, logY: LOG_METRICS.has(state.metric), height: 360,
    });
    chart.setData(shown.data);
  }

  loadRuns().then(draw);
  return () => {
    closed = true;
    chart?.destroy();
  };
}

// One sweep: progress, the phase diagram (rendered by the service as SVG) over two chosen axes, and the summary
// series of a headline number over one axis with its spread over seeds.

import { getSweep, getSweepSummary, getPhaseDiagramSvg, getSweepBands, METRICS } from '../api.js';
import { Chart, figure, seedBands } from '../charts.js';
import { h, replace } from '../dom.js';
import { errorMessage } from '../widgets.js';

const VALUES = ['verdict', 'generalizationStep', 'grokkingDelay'];
const SUMMARY_VALUES = ['generalizationStep', 'grokkingDelay'];

export function render(view, params) {
  const id = params.get('id');
  const title = h('h1', {}, `Sweep #${id}`);
  const progress = h('p', { 'data-field': 'progress' });
  const message = h('p', { class: 'message', role: 'status' });
  const controls = h('div', { class: 'section-head' });
  const diagram = h('figure', { class: 'phase-diagram', 'data-figure': 'phase-diagram' });
  const summaryControls = h('div', { class: 'section-head' });
  const summary = h('table', { class: 'experiments sweep-summary', 'data-table': 'summary' });
  const bandControls = h('div', { class: 'section-head' });
  const bandMessage = h('p', { class: 'message', role: 'status' });
  const bandPlot = h('div', { class: 'sweep-bands' });
  replace(view, title, progress, message, h('h2', {}, 'Phase diagram'), controls, diagram,
    h('h2', {}, 'Summary over seeds'), summaryControls, summary,
    h('h2', {}, 'Seed bands'), bandControls, bandMessage, bandPlot);
  let closed = false;
  let bandChart = null;

  function select(id, options, chosen, onChange) {
    const element = h('select', { id }, options.map((o) => h('option', { value: o, selected: o === chosen }, o)));
    element.addEventListener('change', () => onChange(element.value));
    return element;
  }

  async function drawDiagram(state) {
    try {
      const svg = await getPhaseDiagramSvg(id, state);
      // The service's own SVG (its text is escaped there); parsed as XML, never as HTML.
      const parsed = new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement;
      if (!closed) replace(diagram, document.importNode(parsed, true));
    } catch (error) {
      replace(diagram, h('p', { class: 'error' }, errorMessage(error)));
    }
  }

  async function drawSummary(state) {
    try {
      const result = await getSweepSummary(id, state);
      const number = (v) => (v === null || v === undefined ? '—' : Math.round(v));
      replace(summary,
        h('thead', {}, h('tr', {}, [state.x, 'runs', 'reached', 'mean', 'sd', 'min', 'max', 'not reached']
          .map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, result.points.map((p) => h('tr', {},
          h('td', {}, String(p.x)), h('td', {}, p.statistic.n), h('td', {}, p.statistic.reached),
          h('td', { 'data-field': 'mean' }, number(p.statistic.mean)), h('td', {}, number(p.statistic.standardDeviation)),
          h('td', {}, number(p.statistic.min)), h('td', {}, number(p.statistic.max)),
          h('td', {}, p.statistic.censored)))));
    } catch (error) {
      replace(summary, h('caption', { class: 'error' }, errorMessage(error)));
    }
  }

  /** One band per cell (or per value of an axis): mean, ± one standard deviation and min–max over its seeds. */
  async function drawBands(state) {
    let result;
    try {
      result = await getSweepBands(id, { metric: state.metric, x: state.x || undefined });
    } catch (error) {
      replace(bandMessage, errorMessage(error));
      return;
    }
    if (closed) return;
    bandChart?.destroy();
    bandPlot.replaceChildren();
    const label = (values) => Object.entries(values).map(([path, v]) => `${path.split('.').pop()}=${v}`).join(', ');
    const groups = result.groups.filter((g) => g.band.steps.length > 0).slice(0, 8);
    replace(bandMessage, groups.length === 0 ? 'No curves yet.'
      : `${state.metric}: mean ± standard deviation (shaded) and min–max (lighter) over each group's runs`
        + (result.groups.length > 8 ? '; the first 8 groups shown' : ''));
    if (groups.length === 0) return;
    const element = figure('sweep-bands', `${state.metric} per ${state.x ? state.x : 'cell'}, over seeds`);
    bandPlot.append(element);
    const shown = seedBands(groups.map((g) => ({ label: `${label(g.values)} (n=${g.experimentIds.length})`, band: g.band })));
    bandChart = new Chart(element, { series: shown.series, fills: shown.fills, height: 320 });
    bandChart.setData(shown.data);
  }

  async function load() {
    try {
      const sweep = await getSweep(id);
      title.textContent = `Sweep #${sweep.id} ${sweep.name}`;
      const p = sweep.progress;
      // Steps saved by runs that stopped once settled (analysis.stopWhenSettled, on by default in sweeps).
      const saved = p.stepsSaved > 0 && p.stepsBudgeted > 0
        ? `; ${p.stepsSaved.toLocaleString('en')} of ${p.stepsBudgeted.toLocaleString('en')} steps saved by stopping settled runs (${Math.round(100 * p.stepsSaved / p.stepsBudgeted)} %)`
        : '';
      progress.textContent = `${p.done} / ${p.total} done (${p.running} running, ${p.queued} queued, ${p.failed} failed)${saved}`;
      return sweep;
    } catch (error) {
      message.textContent = errorMessage(error);
      return null;
    }
  }

  load().then((sweep) => {
    if (!sweep || closed) return;
    const paths = sweep.axes.map((a) => a.path);
    if (paths.length === 0) {
      message.textContent = 'This sweep has no axes, only seeds.';
      return;
    }
    const state = { x: paths[0], y: paths[1] || paths[0], value: 'verdict' };
    const summaryState = { x: paths[0], value: 'generalizationStep' };
    if (paths.length >= 2) {
      replace(controls,
        h('label', { for: 'diagram-x' }, 'x'), select('diagram-x', paths, state.x, (v) => { state.x = v; drawDiagram(state); }),
        h('label', { for: 'diagram-y' }, 'y'), select('diagram-y', paths, state.y, (v) => { state.y = v; drawDiagram(state); }),
        h('label', { for: 'diagram-value' }, 'value'),
        select('diagram-value', VALUES, state.value, (v) => { state.value = v; drawDiagram(state); }));
      drawDiagram(state);
    } else {
      replace(diagram, h('p', {}, 'A phase diagram needs two axes; this sweep has one.'));
    }
    replace(summaryControls,
      h('label', { for: 'summary-x' }, 'over'), select('summary-x', paths, summaryState.x, (v) => { summaryState.x = v; drawSummary(summaryState); }),
      h('label', { for: 'summary-value' }, 'value'),
      select('summary-value', SUMMARY_VALUES, summaryState.value, (v) => { summaryState.value = v; drawSummary(summaryState); }));
    drawSummary(summaryState);
    const bandState = { metric: 'test_acc', x: '' };
    replace(bandControls,
      h('label', { for: 'bands-metric' }, 'metric'),
      select('bands-metric', METRICS, bandState.metric, (v) => { bandState.metric = v; drawBands(bandState); }),
      h('label', { for: 'bands-x' }, 'per'),
      select('bands-x', ['', ...paths], bandState.x, (v) => { bandState.x = v; drawBands(bandState); }));
    bandControls.querySelector('#bands-x option[value=""]').textContent = 'cell';
    drawBands(bandState);
  });
  const timer = setInterval(() => { if (!closed) load(); }, 5000);
  return () => { closed = true; clearInterval(timer); bandChart?.destroy(); };
}

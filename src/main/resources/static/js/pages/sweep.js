// One sweep: progress, the phase diagram (rendered by the service as SVG) over two chosen axes, and the summary
// series of a headline number over one axis with its spread over seeds.

import { getSweep, getSweepSummary, getPhaseDiagramSvg } from '../api.js';
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
  replace(view, title, progress, message, h('h2', {}, 'Phase diagram'), controls, diagram,
    h('h2', {}, 'Summary over seeds'), summaryControls, summary);
  let closed = false;

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

  async function load() {
    try {
      const sweep = await getSweep(id);
      title.textContent = `Sweep #${sweep.id} ${sweep.name}`;
      const p = sweep.progress;
      progress.textContent = `${p.done} / ${p.total} done (${p.running} running, ${p.queued} queued, ${p.failed} failed)`;
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
  });
  const timer = setInterval(() => { if (!closed) load(); }, 5000);
  return () => { closed = true; clearInterval(timer); };
}

// "Analyse curves": a CSV from anywhere (this service's export, or a training log with a step column and one column
// per metric) sent to POST /api/v1/analyses, drawn with the same charts, phases and notes as an experiment page.

import { analyseCurves } from '../api.js';
import { createCharts, drawSeries, renderAnalysis } from '../analysis-view.js';
import { h, replace } from '../dom.js';
import { errorMessage } from '../widgets.js';

export function render(view) {
  const file = h('input', { type: 'file', id: 'curves-file', accept: '.csv,text/csv' });
  const status = h('div', { class: 'run-status', role: 'status' });
  const summary = h('dl', { class: 'summary' });
  const phaseList = h('section', { class: 'phases', 'aria-labelledby': 'phases-heading' });
  const notes = h('section', { class: 'notes' });
  const grid = h('div', { class: 'charts' });
  replace(view,
    h('h1', {}, 'Analyse curves'),
    h('p', { class: 'subtitle' }, 'Upload a CSV: this service\'s export (experiment_id,metric,step,value) or a table with a ',
      h('code', {}, 'step'), ' column and one column per metric (train_acc, test_acc, train_loss, test_loss, weight_norm, …).',
      ' Nothing is stored.'),
    h('p', {}, h('label', { for: 'curves-file' }, 'CSV file '), file),
    status,
    h('section', { class: 'analysis', 'aria-labelledby': 'analysis-heading' },
      h('h2', { id: 'analysis-heading' }, 'Analysis'), summary),
    phaseList,
    h('section', { 'aria-labelledby': 'curves-heading' }, h('h2', { id: 'curves-heading' }, 'Curves'), grid),
    notes);
  const charts = createCharts(grid, false);
  file.addEventListener('change', async () => {
    const chosen = file.files[0];
    if (!chosen) {
      return;
    }
    replace(status, `Analysing ${chosen.name}…`);
    const text = await chosen.text();
    let analysis;
    try {
      analysis = await analyseCurves(text);
    } catch (error) {
      replace(status, h('div', { class: 'error', role: 'alert' }, errorMessage(error),
        error.errors?.length > 0 && h('ul', {}, error.errors.map((e) => h('li', {}, e.pointer ? `${e.pointer}: ${e.detail}` : e.detail)))));
      return;
    }
    replace(status, `${chosen.name}: analysed.`);
    drawSeries(charts, parseCsv(text));
    renderAnalysis({ summary, phaseList, notes, charts }, analysis, 'end');
  });
  return () => charts.forEach(({ chart }) => chart.destroy());
}

/** The series of a CSV the service accepted (long or wide), for drawing: Map name → { steps, values }. */
export function parseCsv(text) {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0].split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  const series = new Map();
  const add = (name, step, value) => {
    if (!series.has(name)) {
      series.set(name, { steps: [], values: [] });
    }
    series.get(name).steps.push(step);
    series.get(name).values.push(value);
  };
  const metric = header.indexOf('metric');
  const stepColumn = header.indexOf('step');
  for (const line of lines.slice(1)) {
    const cells = line.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    const step = Number(cells[stepColumn]);
    if (metric >= 0) {
      add(cells[metric], step, Number(cells[header.indexOf('value')]));
    } else {
      header.forEach((name, i) => {
        if (i !== stepColumn && name !== 'experiment_id' && cells[i] !== '' && cells[i] !== undefined) {
          add(name, step, Number(cells[i]));
        }
      });
    }
  }
  return series;
}

// The analysis drawn on a run's curves, shared by the experiment page and the "Analyse curves" page: the charts, the
// verdict with its reason, the phases (shaded on every chart, listed with their evidence), instabilities and notes.

import { Chart, align, figure } from './charts.js';
import { h, replace } from './dom.js';
import * as fmt from './format.js';

export const CURVES = [
  { key: 'accuracy', caption: 'Accuracy', metrics: ['train_acc', 'test_acc'], yRange: [0, 1] },
  { key: 'loss', caption: 'Loss (log scale)', metrics: ['train_loss', 'test_loss'], logY: true },
  { key: 'weight-norm', caption: 'Weight norm √Σθ²', metrics: ['weight_norm', 'embed_norm'] },
  // Nanda et al. plot the sum of squares itself (their Fig. 7): drawn as its own curve so it compares with theirs.
  { key: 'weight-norm-sq', caption: 'Sum of squared weights Σθ² (Nanda et al.\'s weight norm)', metrics: ['weight_norm_sq'] },
  { key: 'gini', caption: 'Fourier Gini coefficient', metrics: ['fourier_gini_embed', 'fourier_gini_unembed'], yRange: [0, 1] },
  // excluded_loss_max needs no key set, so it is drawn from the first measured step, beside the two that need one.
  { key: 'key-frequency-loss', caption: 'Restricted and excluded loss (log scale)',
    metrics: ['restricted_loss', 'excluded_loss', 'excluded_loss_max'], logY: true },
];

export const LABELS = {
  train_acc: 'train', test_acc: 'test', train_loss: 'train', test_loss: 'test', weight_norm: 'all weights',
  embed_norm: 'embedding', weight_norm_sq: 'all weights Σθ²', fourier_gini_embed: 'embedding W_E',
  fourier_gini_unembed: 'logit map W_L', restricted_loss: 'restricted', excluded_loss: 'excluded',
  excluded_loss_max: 'excluded, largest single frequency',
};

/** The series that depend on a key set: the API lists them as provisional until the whole-run recomputation. */
export const KEY_SET_METRICS = ['restricted_loss', 'excluded_loss'];

/** One chart per curve group, appended to grid: [{ curve, chart }]. */
export function createCharts(grid, logX) {
  return CURVES.map((curve) => {
    const element = figure(curve.key, curve.caption);
    grid.append(element);
    return {
      curve,
      chart: new Chart(element, {
        series: curve.metrics.map((m) => ({ label: LABELS[m] })),
        yRange: curve.yRange, logY: curve.logY, logX,
      }),
    };
  });
}

/** Puts series (a Map name → { steps, values }) on the charts, on one step axis. */
export function drawSeries(charts, series) {
  const all = [...series.values()].filter((s) => s.steps.length > 0);
  const extent = all.length === 0 ? null
    : [Math.min(...all.map((s) => s.steps[0])), Math.max(...all.map((s) => s.steps.at(-1)))];
  for (const { curve, chart } of charts) {
    chart.setData(align(curve.metrics.map((m) => series.get(m) ?? { steps: [], values: [] })), extent);
  }
}

/**
 * Marks each chart that draws one of `names` (series the API lists as provisional) with a note saying so, and removes
 * the note where none of its series is provisional any more. The figure's data-provisional lists the marked series.
 */
export function markProvisional(charts, names) {
  for (const { curve, chart } of charts) {
    const marked = curve.metrics.filter((m) => names.includes(m));
    const element = chart.element;
    let note = element.querySelector('.chart-note');
    element.dataset.provisional = marked.join(' ');
    if (marked.length === 0) {
      note?.remove();
      continue;
    }
    if (!note) {
      note = h('p', { class: 'chart-note provisional', role: 'note' });
      element.insertBefore(note, element.querySelector('.chart-plot'));
    }
    replace(note, `Provisional: ${marked.map((m) => LABELS[m]).join(' and ')} use each step's own key set (the latest`
      + ' frequencies). When the run ends they are recomputed with the final model\'s key set at every stored step.');
  }
}

/**
 * Draws an analysis into its places: summary (a dl), phaseList and notes (sections), charts (shaded).
 * @param openEnd how an open phase end reads: 'now' while a run trains, 'end' otherwise
 */
export function renderAnalysis({ summary, phaseList, notes, charts }, a, openEnd) {
  const item = (term, value, field) => [h('dt', {}, term), h('dd', { 'data-field': field }, value)];
  replace(summary,
    item('Verdict', a.verdict, 'verdict'),
    a.verdictReason && item('Why', a.verdictReason, 'verdict-reason'),
    item('Memorized at', fmt.steps(a.memorizationStep), 'memorization-step'),
    item('Generalized at', fmt.steps(a.generalizationStep), 'generalization-step'),
    item('Grokking delay', a.grokkingDelay === null ? '—'
      : `${fmt.steps(a.grokkingDelay)} steps (×${fmt.number(a.delayRatio, 3)})`, 'grokking-delay'),
    a.transitionWidth != null && item('Transition (10–90 %)',
      `${fmt.steps(a.transitionWidth)} steps${a.transitionShare == null ? '' : ` (${fmt.number(a.transitionShare, 2)} of the delay)`}`,
      'transition-width'),
    a.instabilities?.length > 0 && item('Instabilities', a.instabilities.map((i) =>
      `${i.accuracy} at ${fmt.steps(i.step)}: −${fmt.number(i.depth, 3)} for ${fmt.steps(i.duration)} steps`).join('; '),
    'instabilities'),
    item('Key frequencies', a.keyFrequencies.length ? a.keyFrequencies.join(', ') : 'none yet', 'key-frequencies'));

  const located = a.phases.filter((p) => p.startStep !== null);
  replace(phaseList, h('h2', { id: 'phases-heading' }, 'Phases'),
    located.length === 0 ? h('p', {}, 'No phase located yet.')
      : h('ol', {}, located.map((p) => h('li', { class: `phase-${cssName(p.name)}` },
        h('span', { class: 'swatch', 'aria-hidden': 'true' }),
        h('strong', {}, fmt.phaseName(p.name)), ` steps ${fmt.steps(p.startStep)}–${p.endStep === null ? openEnd : fmt.steps(p.endStep)}`,
        p.evidence.length > 0 && h('details', {}, h('summary', {}, 'evidence'),
          h('ul', {}, p.evidence.map((ev) => h('li', {},
            `${ev.measure} = ${fmt.number(ev.value, 4)} at step ${ev.step}: ${ev.finding}`))))))));
  replace(notes, a.notes.length > 0 && [h('h2', {}, 'Notes'), h('ul', {}, a.notes.map((n) => h('li', {}, n)))]);

  const annotations = {
    bands: located.map((p) => ({
      from: p.startStep, to: p.endStep, label: fmt.phaseName(p.name), edgeLabel: fmt.steps(p.startStep),
      className: `phase-${cssName(p.name)}`,
      title: `${fmt.phaseName(p.name)}: steps ${p.startStep}–${p.endStep ?? openEnd}`,
    })),
    lines: [
      { at: a.memorizationStep, label: `memorized ${fmt.steps(a.memorizationStep)}`, className: 'memorization' },
      { at: a.generalizationStep, label: `generalized ${fmt.steps(a.generalizationStep)}`, className: 'generalization' },
    ],
  };
  charts.forEach(({ chart }) => chart.setAnnotations(annotations));
}

function cssName(phase) {
  return phase.toLowerCase().replaceAll('_', '-');
}

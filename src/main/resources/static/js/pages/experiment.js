// One run: its curves with the analysis drawn on them (phases shaded, milestones marked), the Fourier spectrum with
// each frequency's excluded loss, and live updates from the run's event stream while it trains. Restricted and
// excluded loss are marked provisional while the API lists them so (each step's own key set, until the run's end).

import {
  getExperiment, getMetrics, getAnalysis, getSpectrum, cancelExperiment, followEvents, ACTIVE_STATUSES, annotateExperiment,
} from '../api.js';
import { Chart, PALETTE, figure } from '../charts.js';
import {
  CURVES, KEY_SET_METRICS, LABELS, createCharts, drawSeries, markProvisional, renderAnalysis,
} from '../analysis-view.js';
import { h, replace } from '../dom.js';
import * as fmt from '../format.js';
import { statusBadge, progressCell, errorMessage } from '../widgets.js';

/** While a run trains its provisional analysis is fetched again at most this often. */
const ANALYSIS_REFRESH_MS = 4000;
const LOG_X_KEY = 'grokscope.logX';

export function render(view, params) {
  const id = Number(params.get('id'));
  const page = new ExperimentPage(view, id);
  page.load();
  return () => page.close();
}

class ExperimentPage {
  constructor(view, id) {
    this.view = view;
    this.id = id;
    this.series = new Map();
    this.charts = [];
    this.closed = false;
    this.spectrumStep = null;
    this.lastAnalysis = 0;
    /** The series the API lists as provisional, plus the key-set losses the live stream brings while the run trains. */
    this.provisional = new Set();
  }

  async load() {
    replace(this.view, h('p', { role: 'status' }, 'Loading…'));
    try {
      this.experiment = await getExperiment(this.id);
    } catch (error) {
      replace(this.view, h('h1', {}, `Experiment ${this.id}`), h('p', { class: 'error', role: 'alert' }, errorMessage(error)));
      return;
    }
    this.layout();
    try {
      const metrics = await getMetrics(this.id, { names: CURVES.flatMap((c) => c.metrics) });
      for (const s of metrics.series) {
        this.series.set(s.name, { steps: [...s.steps], values: [...s.values] });
      }
      this.provisional = new Set(metrics.provisional);
      this.redraw();
      await Promise.all([this.refreshAnalysis(), this.refreshSpectrum()]);
    } catch (error) {
      this.statusArea.append(h('p', { class: 'error', role: 'alert' }, errorMessage(error)));
    }
    if (!this.closed && ACTIVE_STATUSES.includes(this.experiment.status)) {
      this.follow();
    }
  }

  layout() {
    const e = this.experiment;
    this.statusArea = h('section', { class: 'run-status', 'aria-label': 'Status' });
    this.summary = h('dl', { class: 'summary' });
    this.phaseList = h('section', { class: 'phases', 'aria-labelledby': 'phases-heading' });
    this.notes = h('section', { class: 'notes' });
    const logX = h('input', { type: 'checkbox', id: 'log-x', checked: localStorage.getItem(LOG_X_KEY) === 'true' });
    logX.addEventListener('change', () => {
      localStorage.setItem(LOG_X_KEY, String(logX.checked));
      this.charts.forEach((c) => c.chart.setLogX(logX.checked));
    });
    const grid = h('div', { class: 'charts' });
    this.charts = createCharts(grid, logX.checked);
    this.spectrumSelect = h('select', { id: 'spectrum-step' });
    this.spectrumSelect.addEventListener('change', () => {
      this.spectrumStep = this.spectrumSelect.value === '' ? null : Number(this.spectrumSelect.value);
      this.refreshSpectrum();
    });
    this.spectrumInfo = h('p', { class: 'spectrum-info' });
    this.excludedInfo = h('p', { class: 'spectrum-info', 'data-field': 'excluded-loss-max' });
    const spectrumFigure = figure('spectrum', 'Fourier norms per frequency');
    const excludedFigure = figure('spectrum-excluded', 'Excluded loss of each single frequency (log scale)');
    replace(this.view,
      h('h1', {}, e.name, ' ', h('span', { class: 'experiment-id' }, `#${e.id}`)),
      h('p', { class: 'subtitle' }, `${fmt.task(e.spec?.task)} · ${fmt.model(e.spec?.model)} · ${fmt.optimizer(e.spec?.optimizer)}`),
      this.statusArea,
      this.annotations(e),
      h('section', { class: 'analysis', 'aria-labelledby': 'analysis-heading' },
        h('h2', { id: 'analysis-heading' }, 'Analysis'), this.summary),
      this.phaseList,
      h('section', { 'aria-labelledby': 'curves-heading' },
        h('div', { class: 'section-head' }, h('h2', { id: 'curves-heading' }, 'Curves'),
          h('label', { class: 'toggle' }, logX, ' Log-scale steps'),
          h('a', { href: `#/compare?ids=${e.id}` }, 'Compare with other runs')),
        grid),
      h('section', { class: 'spectrum', 'aria-labelledby': 'spectrum-heading' },
        h('div', { class: 'section-head' }, h('h2', { id: 'spectrum-heading' }, 'Fourier spectrum'),
          h('label', { for: 'spectrum-step' }, 'At step'), this.spectrumSelect),
        this.spectrumInfo, spectrumFigure, this.excludedInfo, excludedFigure),
      this.notes);
    this.spectrumChart = new Chart(spectrumFigure, {
      bars: true, xLabel: 'frequency k', yLabel: 'norm',
      series: [{ label: 'embedding W_E' }, { label: 'logit map W_L' }],
    });
    // Nanda et al.'s footnote 3: the training loss with frequency k alone removed from the logits; its maximum over k
    // is the excluded_loss_max curve. Log scale: a frequency the network relies on raises the loss by decades.
    this.excludedChart = new Chart(excludedFigure, {
      bars: true, logY: true, xLabel: 'frequency k', yLabel: 'training loss',
      series: [{ label: 'loss without frequency k', color: PALETTE[2] }],
    });
    this.drawStatus();
  }

  drawStatus() {
    const e = this.experiment;
    if (!this.cancelButton) {
      // One button for the page's life: re-created on every progress event it would lose focus under the pointer.
      this.cancelButton = h('button', { type: 'button', class: 'danger', onclick: () => this.cancel() }, 'Cancel run');
      this.statusText = h('div', { class: 'status-text' });
      this.statusArea.append(this.statusText, this.cancelButton);
    }
    this.cancelButton.hidden = !ACTIVE_STATUSES.includes(e.status);
    replace(this.statusText,
      statusBadge(e.status),
      progressCell(e.progress),
      h('span', { class: 'times' }, `started ${fmt.dateTime(e.startedAt)}`, e.finishedAt && ` · finished ${fmt.dateTime(e.finishedAt)}`,
        e.attempt > 1 && ` · attempt ${e.attempt}`),
      e.error && h('p', { class: 'error', role: 'alert' }, e.error),
      e.stopReason && h('p', { class: 'stop-reason' },
        `Stopped once settled at step ${e.progress.step.toLocaleString('en')}, ${(e.stepsSaved ?? 0).toLocaleString('en')} steps before its budget: ${e.stopReason}`));
  }

  /** Tags (comma-separated) and a note, saved with PATCH; the service's errors appear beside them. */
  annotations(e) {
    const tags = h('input', { id: 'run-tags', type: 'text', value: (e.tags || []).join(', '), placeholder: 'baseline, wd-scan' });
    const note = h('textarea', { id: 'run-note', placeholder: 'a note on this run' }, e.note || '');
    const message = h('span', { class: 'message', role: 'status' });
    const save = async (event) => {
      event.preventDefault();
      try {
        const saved = await annotateExperiment(this.id, {
          tags: tags.value.split(',').map((t) => t.trim()).filter(Boolean), note: note.value,
        });
        tags.value = saved.tags.join(', ');
        replace(message, 'Saved.');
      } catch (error) {
        replace(message, errorMessage(error));
      }
    };
    return h('form', { class: 'annotations', onsubmit: save },
      h('label', { for: 'run-tags' }, 'Tags'), tags,
      h('label', { for: 'run-note' }, 'Note'), note,
      h('button', { type: 'submit' }, 'Save'), message);
  }

  async cancel() {
    if (!window.confirm(`Cancel ${this.experiment.name}? A cancelled run cannot be resumed.`)) {
      return;
    }
    try {
      this.experiment = await cancelExperiment(this.id);
      this.drawStatus();
    } catch (error) {
      this.statusArea.append(h('p', { class: 'error', role: 'alert' }, errorMessage(error)));
    }
  }

  /** Joins each chart's series onto one step axis; batched to one frame however many events arrived. */
  redraw() {
    if (this.redrawPending || this.closed) {
      return;
    }
    this.redrawPending = true;
    requestAnimationFrame(() => {
      this.redrawPending = false;
      drawSeries(this.charts, this.series);
      markProvisional(this.charts, [...this.provisional]);
    });
  }

  append(name, step, value) {
    let s = this.series.get(name);
    if (!s) {
      s = { steps: [], values: [] };
      this.series.set(name, s);
    }
    // A fresh stream replays the run from its start: points already loaded are skipped.
    if (s.steps.length === 0 || step > s.steps[s.steps.length - 1]) {
      s.steps.push(step);
      s.values.push(value);
    }
  }

  follow() {
    const source = followEvents(this.id, {
      metrics: (event) => {
        const { step, values } = JSON.parse(event.data);
        for (const [name, value] of Object.entries(values)) {
          if (LABELS[name]) {
            this.append(name, step, value);
          }
          // Measured online with that step's key set: provisional until the run's whole-run recomputation.
          if (KEY_SET_METRICS.includes(name)) {
            this.provisional.add(name);
          }
        }
        this.redraw();
      },
      progress: (event) => {
        const p = JSON.parse(event.data);
        this.experiment.progress = { step: p.step, totalSteps: p.totalSteps, stepsPerSecond: p.stepsPerSecond, etaSeconds: null };
        this.drawStatus();
        if (Date.now() - this.lastAnalysis > ANALYSIS_REFRESH_MS) {
          this.refreshAnalysis();
          this.refreshSpectrum();
        }
      },
      status: (event) => {
        this.experiment.status = JSON.parse(event.data).status;
        this.drawStatus();
      },
      end: async () => {
        // The server closes the stream after `end`; without close() the browser would reconnect.
        source.close();
        try {
          this.experiment = await getExperiment(this.id);
        } catch (error) {
          return;
        }
        if (!this.closed) {
          this.drawStatus();
          this.refreshKeySetLosses();
          this.refreshAnalysis();
          this.refreshSpectrum();
        }
      },
    });
    this.source = source;
  }

  /**
   * Restricted and excluded loss as stored now: when the run ended they were recomputed with the final key set at
   * every stored step, replacing the provisional values the stream brought (and the API stops listing them).
   */
  async refreshKeySetLosses() {
    let metrics;
    try {
      metrics = await getMetrics(this.id, { names: KEY_SET_METRICS });
    } catch (error) {
      return; // the curves drawn stay, still marked provisional
    }
    if (this.closed) {
      return;
    }
    for (const name of KEY_SET_METRICS) {
      this.series.delete(name);
    }
    for (const s of metrics.series) {
      this.series.set(s.name, { steps: [...s.steps], values: [...s.values] });
    }
    this.provisional = new Set(metrics.provisional);
    this.redraw();
  }

  async refreshAnalysis() {
    this.lastAnalysis = Date.now();
    let analysis;
    try {
      analysis = await getAnalysis(this.id);
    } catch (error) {
      replace(this.summary, h('div', { class: 'error' }, errorMessage(error)));
      return;
    }
    if (this.closed) {
      return;
    }
    this.drawAnalysis(analysis);
  }

  drawAnalysis(a) {
    // An open end is "now" while the run trains, and the end of the data once it stopped.
    const openEnd = ACTIVE_STATUSES.includes(this.experiment.status) ? 'now' : 'end';
    renderAnalysis({ summary: this.summary, phaseList: this.phaseList, notes: this.notes, charts: this.charts }, a, openEnd);
  }

  async refreshSpectrum() {
    const spectrum = await getSpectrum(this.id, this.spectrumStep).catch(() => null);
    if (this.closed) {
      return;
    }
    if (!spectrum) {
      replace(this.spectrumInfo, 'No spectrum measured yet (tasks over Z_p only, every analysis.progressMeasuresEvery steps).');
      replace(this.excludedInfo);
      return;
    }
    replace(this.spectrumSelect,
      h('option', { value: '', selected: this.spectrumStep === null }, `latest (${spectrum.measuredSteps.at(-1)})`),
      spectrum.measuredSteps.map((s) => h('option', { value: s, selected: s === this.spectrumStep }, s)));
    replace(this.spectrumInfo, `Step ${spectrum.step}. Key frequencies of W_L: `,
      spectrum.keyFrequencies.length ? spectrum.keyFrequencies.join(', ') : 'none yet', '.');
    this.spectrumChart.setData([spectrum.frequencies, spectrum.embedNorms, spectrum.unembedNorms]);
    this.spectrumChart.setAnnotations({
      bands: spectrum.keyFrequencies.map((k) => ({
        from: k - 0.5, to: k + 0.5, label: `k=${k}`, className: 'key-frequency', title: `key frequency ${k}`,
      })),
    });
    this.drawExcludedLosses(spectrum);
  }

  drawExcludedLosses(spectrum) {
    const losses = spectrum.excludedLosses;
    if (!losses) {
      replace(this.excludedInfo, 'No single-frequency excluded loss at this step (measured before it was recorded, or'
        + ' the task has no restricted and excluded loss).');
      this.excludedChart.setData([[], []]);
      this.excludedChart.setAnnotations({ bands: [] });
      return;
    }
    let worst = -1;
    losses.forEach((loss, i) => {
      if (loss !== null && (worst < 0 || loss > losses[worst])) {
        worst = i;
      }
    });
    replace(this.excludedInfo, 'Training loss with one frequency removed from the logits. ',
      worst < 0 ? 'None finite at this step.'
        : `Largest without k=${spectrum.frequencies[worst]}: ${fmt.number(losses[worst], 4)} (excluded_loss_max at step ${spectrum.step}).`);
    this.excludedChart.setData([spectrum.frequencies, losses]);
    this.excludedChart.setAnnotations({
      bands: spectrum.keyFrequencies.map((k) => ({
        from: k - 0.5, to: k + 0.5, label: `k=${k}`, className: 'key-frequency', title: `key frequency ${k}`,
      })),
    });
  }

  close() {
    this.closed = true;
    this.source?.close();
    this.charts.forEach(({ chart }) => chart.destroy());
    this.spectrumChart?.destroy();
    this.excludedChart?.destroy();
  }
}

// uPlot charts with the dashboard's conventions: steps on x (linear or log), nulls bridged, and annotations — shaded
// x-ranges (phases, key frequencies) behind the curves and labelled vertical markers (milestones) above them.

import uPlot from '../webjars/uplot/dist/uPlot.esm.js';
import { h } from './dom.js';
import * as fmt from './format.js';

/** Colour-blind-safe series colours (Okabe–Ito), in the order series are added. */
export const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#f0e442'];

/**
 * Joins series measured at different steps onto one x axis, as uPlot wants: [xs, ys1, ys2, ...] with null where a
 * series has no point at that step.
 */
export function align(seriesList) {
  const steps = [...new Set(seriesList.flatMap((s) => s.steps))].sort((a, b) => a - b);
  const index = new Map(steps.map((step, i) => [step, i]));
  const columns = seriesList.map((s) => {
    const column = new Array(steps.length).fill(null);
    s.steps.forEach((step, i) => { column[index.get(step)] = s.values[i]; });
    return column;
  });
  return [steps, ...columns];
}

/** Creates the figure a Chart draws into: a caption and a plot area. */
export function figure(key, caption) {
  return h('figure', { class: 'chart', 'data-chart': key },
    h('figcaption', {}, caption),
    h('div', { class: 'chart-plot', role: 'img', 'aria-label': caption }));
}

const isPowerOfTen = (v) => v !== null && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;

/**
 * Log axes: uPlot splits at every 1..9 × 10^k, which over many decades of loss is a solid block of lines and labels.
 * Keep the powers of ten, and of those only every n-th so that labels stay about 18 px apart.
 */
function logSplits(u, splits) {
  const decades = splits.filter(isPowerOfTen).length;
  const height = Math.max(1, u.bbox.height / (window.devicePixelRatio || 1));
  const every = Math.max(1, Math.ceil((decades * 18) / height));
  return splits.map((v) => (isPowerOfTen(v) && Math.round(Math.log10(v)) % every === 0 ? v : null));
}

function logLabel(value) {
  const exponent = Math.round(Math.log10(value));
  return Math.abs(exponent) <= 3 ? fmt.number(value) : `1e${exponent}`;
}

/** A colour with transparency, for the shaded parts of a seed band. */
function translucent(color, alpha) {
  const n = parseInt(color.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * Seed bands as chart series and data: per band its mean (a line), mean ± one standard deviation (shaded) and min–max
 * (shaded lighter). Returns {series, fills, data} for a Chart: series and fills go into its options, data to setData.
 * @param bands [{label, band: {steps, mean, standardDeviation, min, max, n}}]
 */
export function seedBands(bands) {
  const series = [];
  const fills = [];
  const columns = [];
  bands.forEach((b, i) => {
    const color = PALETTE[i % PALETTE.length];
    const first = series.length + 1; // uPlot's index: x is 0
    series.push({ label: `${b.label} mean`, color },
      { label: `${b.label} +sd`, color, edge: true }, { label: `${b.label} −sd`, color, edge: true },
      { label: `${b.label} max`, color, edge: true, hidden: true }, { label: `${b.label} min`, color, edge: true, hidden: true });
    fills.push({ series: [first + 1, first + 2], fill: translucent(color, 0.25) },
      { series: [first + 3, first + 4], fill: translucent(color, 0.1) });
    const { steps, mean, standardDeviation: sd, min, max } = b.band;
    // Below two runs there is no spread: the ±sd edges sit on the mean.
    const plus = mean.map((m, k) => (m === null ? null : m + (sd[k] ?? 0)));
    const minus = mean.map((m, k) => (m === null ? null : m - (sd[k] ?? 0)));
    [mean, plus, minus, max, min].forEach((values) => columns.push({ steps, values }));
  });
  return { series, fills, data: align(columns) };
}

export class Chart {
  /**
   * @param {HTMLElement} element a figure from {@link figure}
   * @param options {series: [{label, color}], logX, logY, yRange: [min, max], bars, xLabel, yLabel, height}
   */
  constructor(element, options) {
    this.element = element;
    this.options = options;
    this.plotArea = element.querySelector('.chart-plot');
    this.caption = element.querySelector('figcaption').textContent;
    this.data = [[], ...options.series.map(() => [])];
    this.annotations = { bands: [], lines: [] };
    this.logX = Boolean(options.logX);
    this.build();
    // Charts follow their column's width; a rebuild would lose the cursor and zoom, setSize keeps them.
    this.resizer = new ResizeObserver(() => {
      const width = this.width();
      if (width !== this.plot.width) {
        this.plot.setSize({ width, height: this.plot.height });
      }
    });
    this.resizer.observe(this.element);
  }

  width() {
    return Math.max(240, Math.floor(this.element.clientWidth || 600));
  }

  build() {
    this.plot?.destroy();
    const o = this.options;
    const x = { time: false, distr: this.logX ? 3 : 1 };
    if (o.bars) {
      // Whole bars at both ends: half a category of room either side.
      x.range = (u, min, max) => [min - 0.5, max + 0.5];
    } else {
      // A shared extent lines up charts whose series start or end at different steps.
      x.range = (u, min, max) => (this.xExtent && min !== null
        ? [this.logX ? min : Math.min(min, this.xExtent[0]), Math.max(max, this.xExtent[1])] : [min, max]);
    }
    const y = { distr: o.logY ? 3 : 1 };
    if (o.yRange) {
      y.range = () => o.yRange;
    } else if (o.bars && !o.logY) {
      // Bar lengths are only comparable from zero (on a log axis uPlot draws bars up from the axis' lower end).
      y.range = (u, min, max) => [0, max > 0 ? max * 1.05 : 1];
    }
    const xLabel = o.xLabel ?? 'step';
    this.plot = new uPlot({
      width: this.width(),
      height: o.height ?? 240,
      scales: { x, y },
      series: [
        { label: xLabel, value: (u, v) => (v === null ? '—' : o.bars ? v : fmt.steps(v)) },
        ...o.series.map((s, i) => this.seriesOptions(s, i)),
      ],
      axes: [
        { label: xLabel, values: (u, ticks) => ticks.map((t) => (o.bars ? t : fmt.steps(t))) },
        o.logY
          ? { label: o.yLabel, size: 60, filter: logSplits, grid: { filter: logSplits }, ticks: { filter: logSplits },
            values: (u, ticks) => ticks.map((t) => (t === null ? null : logLabel(t))) }
          : { label: o.yLabel, size: 60, values: (u, ticks) => ticks.map((t) => fmt.number(t, 2)) },
      ],
      cursor: { drag: { x: !o.bars, y: false } },
      bands: o.fills ?? [],
      plugins: [this.annotationPlugin()],
    }, this.visibleData(), this.plotArea);
    // Tests and the browser console read the drawn data here.
    this.element.uplot = this.plot;
  }

  seriesOptions(series, index) {
    const color = series.color ?? PALETTE[index % PALETTE.length];
    const options = {
      label: series.label,
      // A band's edges are drawn faintly (±sd) or not at all (min–max): the shading shows them.
      stroke: series.edge ? (series.hidden ? 'transparent' : translucent(color, 0.5)) : color,
      width: series.edge ? 0.5 : 1.5,
      spanGaps: true,
      points: { show: false },
      value: (u, v) => fmt.number(v, 4),
    };
    if (this.options.bars) {
      const count = this.options.series.length;
      options.fill = color;
      options.paths = uPlot.paths.bars({ size: [0.8 / count, 40], align: count === 1 ? 0 : index === 0 ? -1 : 1 });
    }
    return options;
  }

  /** The data as uPlot can draw it: no x ≤ 0 on a log x axis, no y ≤ 0 on a log y axis. */
  visibleData() {
    const [xs, ...columns] = this.data;
    const keep = xs.map((step) => !this.logX || step > 0);
    const valid = (v) => (v === undefined || v === null || (this.options.logY && v <= 0) ? null : v);
    return [xs.filter((_, i) => keep[i]), ...columns.map((c) => c.filter((_, i) => keep[i]).map(valid))];
  }

  /**
   * @param data aligned data, as from {@link align}
   * @param xExtent [first, last] step the x axis spans at least (optional)
   */
  setData(data, xExtent = null) {
    this.data = data;
    this.xExtent = xExtent;
    this.plot.setData(this.visibleData());
    this.describe();
  }

  /** @param annotations {bands: [{from, to, label, className, title}], lines: [{at, label, className}]} */
  setAnnotations(annotations) {
    this.annotations = { bands: annotations.bands ?? [], lines: annotations.lines ?? [] };
    this.drawAnnotations(this.plot);
  }

  setLogX(on) {
    if (on !== this.logX) {
      this.logX = on;
      this.build();
      this.describe();
    }
  }

  /** The latest value of each series as the plot's accessible name, since a canvas has no text. */
  describe() {
    const [xs, ...columns] = this.data;
    const latest = this.options.series.map((s, i) => {
      const column = columns[i];
      for (let j = column.length - 1; j >= 0; j--) {
        if (column[j] !== null) {
          return `${s.label} ${fmt.number(column[j], 4)} at ${this.options.bars ? 'frequency' : 'step'} ${xs[j]}`;
        }
      }
      return `${s.label}: no data`;
    });
    this.plotArea.setAttribute('aria-label', `${this.caption}: ${latest.join('; ')}`);
  }

  annotationPlugin() {
    return {
      hooks: {
        ready: (u) => {
          this.underLayer = h('div', { class: 'annotations-under' });
          this.overLayer = h('div', { class: 'annotations-over' });
          u.under.append(this.underLayer);
          u.over.append(this.overLayer);
        },
        // After every redraw (new data, resize, zoom) the annotations follow the x scale.
        draw: (u) => this.drawAnnotations(u),
      },
    };
  }

  drawAnnotations(u) {
    if (!this.underLayer) {
      return;
    }
    this.underLayer.replaceChildren();
    this.overLayer.replaceChildren();
    const scale = u.scales.x;
    if (scale.min === null || scale.max === null || !Number.isFinite(scale.min)) {
      return;
    }
    const position = (value) => u.valToPos(Math.min(Math.max(value, scale.min), scale.max), 'x');
    for (const band of this.annotations.bands) {
      const left = position(band.from ?? scale.min);
      const right = position(band.to ?? scale.max);
      if (right - left < 0.5) {
        continue;
      }
      this.underLayer.append(h('div', {
        class: `band ${band.className ?? ''}`,
        style: `left:${left}px;width:${right - left}px`,
        title: band.title,
        dataset: { from: band.from ?? '', to: band.to ?? '' },
      }, band.label && h('span', { class: 'band-label' }, band.label),
      band.edgeLabel && band.from !== null && band.from > scale.min
        && h('span', { class: 'band-edge' }, band.edgeLabel)));
    }
    for (const line of this.annotations.lines) {
      if (line.at === null || line.at === undefined || line.at < scale.min || line.at > scale.max) {
        continue;
      }
      this.overLayer.append(h('div', {
        class: `marker ${line.className ?? ''}`,
        style: `left:${position(line.at)}px`,
        dataset: { at: line.at },
      }, h('span', { class: 'marker-label' }, line.label)));
    }
  }

  destroy() {
    this.resizer.disconnect();
    this.plot.destroy();
  }
}

// How numbers, durations and specs read on screen.

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** A step count: 950, 1.4K, 40K. */
export function steps(value) {
  if (value === null || value === undefined) {
    return '—';
  }
  return value < 1000 ? String(value) : compact.format(value);
}

export function number(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return '—';
  }
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) {
    return value.toExponential(2);
  }
  return String(Number(value.toPrecision(digits)));
}

export function percent(fraction) {
  return `${Math.floor(fraction * 100)}%`;
}

/** Seconds as "1h 5m", "3m 20s", "45s". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) {
    return '—';
  }
  const s = Math.max(0, Math.round(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (hours > 0) {
    return `${hours}h ${minutes}m`;
  }
  return minutes > 0 ? `${minutes}m ${s % 60}s` : `${s}s`;
}

export function dateTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

const SYMBOLS = { ADD: 'a + b', SUBTRACT: 'a − b', MULTIPLY: 'a · b', DIVIDE: 'a ÷ b' };

const UNREADABLE = '(unreadable spec)';

/** "a + b mod 113", "S5_COMPOSE", "a^2 + b mod 97". */
export function task(settings) {
  // A stored spec this service cannot read (an older or foreign row) is listed as such, not left to break the page.
  if (!settings || typeof settings.operation !== 'string') {
    return UNREADABLE;
  }
  if (settings.operation.startsWith('S5_')) {
    return settings.operation;
  }
  const what = settings.operation === 'EXPRESSION' ? settings.expression
    : SYMBOLS[settings.operation] || settings.operation;
  return `${what} mod ${settings.modulus}`;
}

/** "Transformer 1L d128 4h" or "MLP 128 → 512". */
export function model(settings) {
  if (!settings || (settings.type !== 'TRANSFORMER' && !Array.isArray(settings.hiddenDims))) {
    return UNREADABLE;
  }
  if (settings.type === 'TRANSFORMER') {
    return `Transformer ${settings.layers}L d${settings.dModel} ${settings.heads}h`;
  }
  const input = settings.inputEncoding === 'ONE_HOT' ? 'one-hot' : settings.embedDim;
  return `MLP ${input} → ${settings.hiddenDims.join(' → ')}`;
}

/** "ADAMW lr 0.001 wd 1 + Grokfast-EMA". */
export function optimizer(settings) {
  if (!settings || typeof settings.type !== 'string') {
    return UNREADABLE;
  }
  const filter = settings.gradientFilter ? ` + Grokfast-${settings.gradientFilter.type}` : '';
  return `${settings.type} lr ${number(settings.learningRate)} wd ${number(settings.weightDecay)}${filter}`;
}

/** Phase names as words: CIRCUIT_FORMATION → "Circuit formation". */
export function phaseName(name) {
  const words = name.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

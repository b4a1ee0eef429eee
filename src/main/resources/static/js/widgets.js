// Small pieces several pages show the same way.

import { ProblemError } from './api.js';
import { h } from './dom.js';
import * as fmt from './format.js';

export function statusBadge(status) {
  return h('span', { class: `badge status-${status.toLowerCase()}`, 'data-field': 'status' }, status);
}

/** Seconds to the end at the measured speed; null until a speed is known. */
export function eta(progress) {
  if (progress.etaSeconds !== null && progress.etaSeconds !== undefined) {
    return progress.etaSeconds;
  }
  return progress.stepsPerSecond ? (progress.totalSteps - progress.step) / progress.stepsPerSecond : null;
}

/** A progress bar with "step / total · ETA". */
export function progressCell(progress) {
  const fraction = progress.totalSteps > 0 ? progress.step / progress.totalSteps : 0;
  return h('div', { class: 'progress' },
    h('progress', { max: progress.totalSteps, value: progress.step, 'aria-label': `Step ${progress.step} of ${progress.totalSteps}` }),
    h('span', { class: 'progress-text' },
      h('span', { 'data-field': 'step' }, progress.step), ` / ${progress.totalSteps} (${fmt.percent(fraction)})`,
      ` · ETA ${fmt.duration(eta(progress))}`));
}

export function errorMessage(error) {
  if (error instanceof ProblemError) {
    return `${error.problem.title ?? 'Error'} (${error.status}): ${error.message}`;
  }
  return `Could not reach the service: ${error.message}`;
}

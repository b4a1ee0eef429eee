// The new-experiment form: presets fill it, submitting posts the spec, and the service's validation errors are shown
// beside the fields they name (the form does no validation of its own, so there is one set of rules: the server's).

import { submitExperiment, ProblemError } from '../api.js';
import { h, replace } from '../dom.js';
import { navigate } from '../router.js';
import { PRESETS, GROKFAST, presetSpec } from '../presets.js';
import { SECTIONS } from '../spec-fields.js';
import { errorMessage } from '../widgets.js';

export function render(view) {
  const fields = SECTIONS.flatMap((s) => s.fields).map(control);
  const preset = h('select', { id: 'preset' },
    Object.entries(PRESETS).map(([key, p]) => h('option', { value: key }, p.label)));
  const grokfast = h('select', { id: 'preset-grokfast', 'aria-label': 'Grokfast' },
    Object.entries(GROKFAST).map(([key, g]) => h('option', { value: key }, g.label)));
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Submit experiment');
  const form = h('form', { class: 'spec-form', novalidate: true, onsubmit: onSubmit },
    summary,
    SECTIONS.map((section) => h('fieldset', {}, h('legend', {}, section.legend),
      fields.filter((f) => section.fields.includes(f.field)).map((f) => f.wrapper))),
    h('div', { class: 'actions' }, submit));

  replace(view, h('h1', {}, 'New experiment'),
    h('div', { class: 'presets' },
      h('label', { for: 'preset' }, 'Preset'), preset, grokfast,
      h('button', { type: 'button', onclick: () => fill(presetSpec(preset.value, grokfast.value)) }, 'Apply preset')),
    form);

  form.addEventListener('change', (event) => {
    if (event.target.tagName === 'SELECT') {
      updateVisibility();
    }
  });

  function fill(spec) {
    clearErrors();
    for (const f of fields) {
      const value = at(spec, f.field.pointer);
      f.input.value = value === undefined || value === null ? '' : Array.isArray(value) ? value.join(', ') : value;
    }
    updateVisibility();
  }

  function updateVisibility() {
    for (const f of fields) {
      const when = f.field.when;
      const shown = !when || when.values.includes(enabledInput(when.field)?.value);
      f.wrapper.hidden = !shown;
      f.input.disabled = !shown;
    }
  }

  function enabledInput(pointer) {
    return fields.find((f) => f.field.pointer === pointer && !f.input.disabled)?.input;
  }

  async function onSubmit(event) {
    event.preventDefault();
    clearErrors();
    submit.disabled = true;
    try {
      const created = await submitExperiment(spec());
      navigate(`/experiments/${created.id}`);
    } catch (error) {
      showErrors(error);
    } finally {
      submit.disabled = false;
    }
  }

  /** The spec from the shown fields; empty fields are left out so the service fills its defaults. */
  function spec() {
    const result = {};
    for (const f of fields) {
      if (f.input.disabled || f.input.value.trim() === '') {
        continue;
      }
      put(result, f.field.pointer, parse(f.field, f.input.value.trim()));
    }
    return result;
  }

  function clearErrors() {
    summary.hidden = true;
    summary.replaceChildren();
    for (const f of fields) {
      f.error.hidden = true;
      f.error.replaceChildren();
      f.input.removeAttribute('aria-invalid');
    }
  }

  function showErrors(error) {
    const items = error instanceof ProblemError ? error.errors : [];
    const listed = items.map((item) => {
      const f = fieldFor(item.pointer);
      if (f) {
        f.error.hidden = false;
        f.error.append(h('span', {}, item.detail));
        f.input.setAttribute('aria-invalid', 'true');
      }
      const where = f ? f.field.label : item.pointer || 'spec';
      return h('li', {}, f ? h('button', { type: 'button', class: 'link', onclick: () => f.input.focus() }, where) : where,
        `: ${item.detail}`);
    });
    replace(summary, h('h2', {}, 'The service did not accept this experiment'),
      h('p', {}, errorMessage(error)), listed.length > 0 && h('ul', {}, listed));
    summary.hidden = false;
    summary.focus();
  }

  /** The shown field a pointer names, or the nearest shown field above it (/model/hiddenDims/0 → hidden layers). */
  function fieldFor(pointer) {
    for (let p = pointer ?? ''; p !== ''; p = p.slice(0, p.lastIndexOf('/'))) {
      const found = fields.find((f) => f.field.pointer === p && !f.input.disabled);
      if (found) {
        return found;
      }
    }
    return null;
  }

  fill(presetSpec('nanda', 'none'));
  return null;
}

/** A labelled input with its hint and the slot its server error goes to, tied together for screen readers. */
function control(field) {
  const suffix = field.when ? `-${field.when.values[0].toLowerCase()}` : '';
  const id = `field${field.pointer.replaceAll('/', '-')}${suffix}`;
  const hint = field.hint && h('span', { class: 'hint', id: `${id}-hint` }, field.hint);
  const error = h('span', { class: 'field-error', id: `${id}-error`, 'data-pointer': field.pointer, hidden: true });
  const described = [hint && `${id}-hint`, `${id}-error`].filter(Boolean).join(' ');
  const input = field.type === 'select'
    ? h('select', { id, name: field.pointer, 'aria-describedby': described },
      !field.required && h('option', { value: '' }, field.empty ?? 'default'),
      field.options.map((o) => h('option', { value: o }, o)))
    : h('input', {
      id, name: field.pointer, 'aria-describedby': described, required: field.required,
      type: field.type === 'integer' || field.type === 'number' ? 'number' : 'text',
      step: field.type === 'number' ? 'any' : field.type === 'integer' ? '1' : undefined,
      inputmode: field.type === 'integers' ? 'numeric' : undefined,
    });
  const wrapper = h('div', { class: 'field', 'data-pointer': field.pointer },
    h('label', { for: id }, field.label), input, hint, error);
  return { field, input, error, wrapper };
}

function parse(field, text) {
  switch (field.type) {
    case 'integer':
    case 'number':
      return Number(text);
    case 'integers':
      // Tokens that are not numbers go as they are, so the service names the bad element (/model/hiddenDims/1).
      return text.split(/[\s,]+/).filter(Boolean).map((t) => (/^-?\d+$/.test(t) ? Number(t) : t));
    default:
      return text;
  }
}

function at(object, pointer) {
  return pointer.split('/').slice(1).reduce((value, key) => (value == null ? undefined : value[key]), object);
}

function put(object, pointer, value) {
  const keys = pointer.split('/').slice(1);
  let target = object;
  for (const key of keys.slice(0, -1)) {
    target[key] ??= {};
    target = target[key];
  }
  target[keys.at(-1)] = value;
}

// Every sweep with its progress; each links to its page.

import { listSweeps } from '../api.js';
import { h, replace } from '../dom.js';
import { errorMessage } from '../widgets.js';

export function render(view) {
  const body = h('tbody');
  const message = h('p', { class: 'message', role: 'status' });
  replace(view, h('h1', {}, 'Sweeps'), message,
    h('table', { class: 'experiments sweeps' },
      h('thead', {}, h('tr', {}, ['Sweep', 'Axes', 'Seeds', 'Progress'].map((t) => h('th', { scope: 'col' }, t)))),
      body));
  let closed = false;

  async function load() {
    try {
      const page = await listSweeps({ size: 100 });
      replace(body, page.items.map((s) => h('tr', { 'data-sweep': s.id },
        h('td', {}, h('a', { href: `#/sweeps/${s.id}` }, `#${s.id} ${s.name}`)),
        h('td', {}, s.axes.map((a) => `${a.path} (${a.values.length})`).join(' × ')),
        h('td', {}, (s.seeds || []).length || 1),
        h('td', {}, `${s.progress.done} / ${s.progress.total} done`))));
      message.textContent = page.items.length ? '' : 'No sweeps yet: POST /api/v1/sweeps (see the README).';
    } catch (error) {
      message.textContent = errorMessage(error);
    }
  }
  load();
  const timer = setInterval(() => { if (!closed) load(); }, 5000);
  return () => { closed = true; clearInterval(timer); };
}

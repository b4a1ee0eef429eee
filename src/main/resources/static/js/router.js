// Hash routing: "#/experiments/42?x=1" renders a page module into <main>. Each page's render returns a cleanup
// function (stop polling, close event streams, destroy charts) that runs before the next page renders.

const routes = [];
let cleanup = null;

/** @param pattern a path such as /experiments/:id */
export function route(pattern, page, nav) {
  const names = [];
  const regex = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, name) => { names.push(name); return '([^/]+)'; })}$`);
  routes.push({ regex, names, page, nav });
}

/** Goes to a path; params with empty values are left out. */
export function navigate(path, params = {}) {
  location.hash = `#${path}${queryString(params)}`;
}

/** Changes the query of the current page without rendering it again (the page keeps its own state in sync). */
export function replaceParams(params) {
  const { path } = current();
  history.replaceState(null, '', `#${path}${queryString(params)}`);
}

function queryString(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') {
      search.set(key, value);
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function current() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = hash.split('?');
  return { path: path || '/', params: new URLSearchParams(search) };
}

function show() {
  const { path, params } = current();
  const view = document.getElementById('view');
  cleanup?.();
  cleanup = null;
  const match = routes.map((r) => ({ r, m: path.match(r.regex) })).find((x) => x.m);
  document.querySelectorAll('[data-nav]').forEach((link) => {
    if (match && link.dataset.nav === match.r.nav) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  });
  if (!match) {
    view.replaceChildren(Object.assign(document.createElement('h1'), { textContent: 'Not found' }));
    return;
  }
  const pathParams = Object.fromEntries(match.r.names.map((name, i) => [name, decodeURIComponent(match.m[i + 1])]));
  for (const [key, value] of Object.entries(pathParams)) {
    params.set(key, value);
  }
  cleanup = match.r.page(view, params) ?? null;
}

export function start() {
  window.addEventListener('hashchange', show);
  show();
}

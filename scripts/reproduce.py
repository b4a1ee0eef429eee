#!/usr/bin/env python3
"""Reproduce the grokking papers through Grokscope's public HTTP API, and publish what came out.

Usage (against a running service, e.g. `mvn spring-boot:run`):

    python3 scripts/reproduce.py nanda            # one run
    python3 scripts/reproduce.py nanda grokfast   # several
    python3 scripts/reproduce.py all --base-url http://localhost:8080 --out docs/reproductions

For each run it submits the spec, follows the run until it ends (or, for Nanda et al., until the analysis shows that
the cleanup phase has clearly ended, then cancels it), and writes into --out/<run>/: spec.json (the complete stored
spec), experiment.json, analysis.json, metrics.csv, and curves.svg (the curves drawn by this script, phases shaded
from the service's analysis). It uses the repository's Python client (standard library only; --api-key or
GROKSCOPE_API_KEY for a service with API keys). Nothing is skipped silently: a run that fails, or a
service that cannot be reached, stops the script with a non-zero exit code and says why.
"""
import argparse
import csv
import datetime
import io
import json
import math
import os
import sys
import time

# The client from this repository when it is not installed (pip install ./clients/python).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'clients', 'python'))
import grokscope  # noqa: E402

RUNS = {}


def run(name):
    def register(fn):
        RUNS[name] = fn
        return fn
    return register


class Api:
    """The calls this script makes, through the Python client (clients/python): API keys, Idempotency-Key on
    submissions (a retried POST never queues a second run), problem details. Errors stop the script and say why."""

    def __init__(self, base, api_key=None):
        self.client = grokscope.Client(base, api_key=api_key, timeout=120)

    def request(self, method, path, body=None, accept='application/json'):
        try:
            if method == 'POST' and path == '/api/v1/experiments':
                return self.client.submit(body).raw
            if method == 'POST' and path == '/api/v1/sweeps':
                return self.client.submit_sweep(body).raw
            payload, _ = self.client._request(method, path, body=body, accept=accept)
        except grokscope.ApiError as e:
            raise SystemExit(str(e))
        except ConnectionError as e:
            raise SystemExit(str(e))
        text = payload.decode()
        return json.loads(text) if accept == 'application/json' and text else text

    def get(self, path, accept='application/json'):
        return self.request('GET', path, accept=accept)

    def post(self, path, body=None):
        return self.request('POST', path, body)


def follow(api, experiment_id, stop_when=None, poll=10):
    """Polls until the run ends; stop_when(analysis) -> reason cancels it early. Returns (experiment, wall seconds)."""
    started = time.time()
    cancelled_for = None
    while True:
        exp = api.get(f'/api/v1/experiments/{experiment_id}')
        status = exp['status']
        p = exp['progress']
        print(f"  [{time.strftime('%H:%M:%S')}] {status} step {p['step']}/{p['totalSteps']}"
              f" {p['stepsPerSecond'] or 0:.1f} steps/s", flush=True)
        if status in ('SUCCEEDED', 'FAILED', 'CANCELLED'):
            if status == 'FAILED':
                raise SystemExit(f"experiment {experiment_id} FAILED: {exp['error']}")
            if status == 'CANCELLED' and cancelled_for is None:
                raise SystemExit(f'experiment {experiment_id} was cancelled by someone else')
            return exp, time.time() - started, cancelled_for
        if stop_when is not None and status == 'RUNNING' and cancelled_for is None:
            reason = stop_when(api.get(f'/api/v1/experiments/{experiment_id}/analysis'))
            if reason:
                print(f'  stopping early: {reason}', flush=True)
                cancelled_for = reason
                api.post(f'/api/v1/experiments/{experiment_id}/cancel')
        time.sleep(poll)


def submit_and_publish(api, out, name, spec, stop_when=None, note='', attach=None):
    """Submits the spec (or, with `attach`, follows the already submitted experiment of that id), then publishes."""
    os.makedirs(os.path.join(out, name), exist_ok=True)
    if attach is None:
        eid = api.post('/api/v1/experiments', spec)['id']
        print(f'{name}: experiment {eid} submitted', flush=True)
    else:
        eid = attach
        submitted = api.get(f'/api/v1/experiments/{eid}')['spec']
        if submitted['name'] != spec['name']:
            raise SystemExit(f"experiment {eid} is {submitted['name']!r}, not {spec['name']!r}")
        print(f'{name}: following experiment {eid}', flush=True)
    exp, wall, stopped = follow(api, eid, stop_when)
    if attach is not None:  # the script did not see the start: the service's own start and finish times
        wall = (parse_time(exp['finishedAt']) - parse_time(exp['startedAt'])).total_seconds()
    analysis = api.get(f'/api/v1/experiments/{eid}/analysis')
    metrics_csv = api.get(f'/api/v1/experiments/{eid}/metrics?maxPoints=20000', accept='text/csv')
    folder = os.path.join(out, name)
    write(folder, 'spec.json', json.dumps(exp['spec'], indent=2))
    exp['wallSeconds'] = round(wall)
    exp['stoppedEarlyBecause'] = stopped
    write(folder, 'experiment.json', json.dumps(exp, indent=2))
    write(folder, 'analysis.json', json.dumps(analysis, indent=2))
    write(folder, 'metrics.csv', metrics_csv)
    series = parse_csv(metrics_csv)
    write(folder, 'curves.svg', render(f'{name} (experiment {eid}) {note}', series, analysis))
    print(f"{name}: {analysis['verdict']} memorization {analysis['memorizationStep']} generalization "
          f"{analysis['generalizationStep']} key frequencies {analysis['keyFrequencies']} ({wall / 60:.1f} min)",
          flush=True)
    return exp, analysis, series


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))


def write(folder, file, text):
    with open(os.path.join(folder, file), 'w') as f:
        f.write(text)


def parse_csv(text):
    series = {}
    for row in csv.DictReader(io.StringIO(text)):
        series.setdefault(row['metric'], ([], []))
        series[row['metric']][0].append(int(row['step']))
        series[row['metric']][1].append(float(row['value']))
    return series


def first_step_at(series, metric, threshold):
    steps, values = series.get(metric, ([], []))
    for s, v in zip(steps, values):
        if v >= threshold:
            return s
    return None


# ----------------------------------------------------------------------------------------------------------- pictures

PANELS = [
    ('accuracy', ['train_acc', 'test_acc'], False),
    ('loss (log)', ['train_loss', 'test_loss', 'restricted_loss', 'excluded_loss'], True),
    ('weight norm', ['weight_norm'], False),
    ('Fourier Gini', ['fourier_gini_embed', 'fourier_gini_unembed'], False),
]
COLOURS = {'train_acc': '#1f77b4', 'test_acc': '#d62728', 'train_loss': '#1f77b4', 'test_loss': '#d62728',
           'restricted_loss': '#2ca02c', 'excluded_loss': '#9467bd', 'weight_norm': '#444444',
           'fourier_gini_embed': '#ff7f0e', 'fourier_gini_unembed': '#17becf'}
PHASE_FILL = {'MEMORIZATION': '#fde0dd', 'CIRCUIT_FORMATION': '#fff7bc', 'CLEANUP': '#e5f5e0'}


def esc(text):
    return str(text).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;')


def render(title, series, analysis):
    width, panel_h, left, right, top = 900, 190, 70, 170, 40
    height = top + len(PANELS) * (panel_h + 40) + 10
    last = max((s[-1] for s, _ in series.values() if s), default=1)
    x_of = lambda step: left + (width - left - right) * step / max(last, 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
           f'font-size="11">', f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="20" font-size="14">{esc(title)}: {esc(analysis["verdict"])}</text>']
    for i, (label, names, log) in enumerate(PANELS):
        y0 = top + i * (panel_h + 40)
        present = [n for n in names if n in series and series[n][1]]
        values = [v for n in present for v in series[n][1] if math.isfinite(v) and (v > 0 or not log)]
        out.append(f'<text x="{left}" y="{y0 - 4}">{esc(label)}</text>')
        for phase in analysis.get('phases', []):
            start = phase['startStep'] if phase['startStep'] is not None else 0
            end = phase['endStep'] if phase['endStep'] is not None else last
            out.append(f'<rect x="{x_of(start):.1f}" y="{y0}" width="{max(0.0, x_of(end) - x_of(start)):.1f}" '
                       f'height="{panel_h}" fill="{PHASE_FILL[phase["name"]]}"/>')
        out.append(f'<rect x="{left}" y="{y0}" width="{width - left - right}" height="{panel_h}" fill="none" '
                   f'stroke="#999"/>')
        if not values:
            out.append(f'<text x="{left + 10}" y="{y0 + 20}">not recorded for this task</text>')
            continue
        lo, hi = min(values), max(values)
        if log:
            lo, hi = math.log10(lo), math.log10(hi)
        if hi - lo < 1e-12:
            hi = lo + 1
        y_of = lambda v: y0 + panel_h - panel_h * ((math.log10(v) if log else v) - lo) / (hi - lo)
        for tick in (lo, (lo + hi) / 2, hi):
            shown = f'1e{tick:.1f}' if log else f'{tick:.3g}'
            out.append(f'<text x="{left - 5}" y="{y0 + panel_h - panel_h * (tick - lo) / (hi - lo) + 4:.1f}" '
                       f'text-anchor="end">{shown}</text>')
        for k, name in enumerate(present):
            pts = [(x_of(s), y_of(v)) for s, v in zip(*series[name]) if math.isfinite(v) and (v > 0 or not log)]
            path = ' '.join(f'{x:.1f},{y:.1f}' for x, y in pts)
            out.append(f'<polyline points="{path}" fill="none" stroke="{COLOURS[name]}" stroke-width="1.3"/>')
            out.append(f'<text x="{width - right + 8}" y="{y0 + 14 + 14 * k}" fill="{COLOURS[name]}">'
                       f'{esc(name)}</text>')
        for key, colour in (('memorizationStep', '#1f77b4'), ('generalizationStep', '#d62728')):
            if analysis.get(key) is not None:
                x = x_of(analysis[key])
                out.append(f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{y0 + panel_h}" stroke="{colour}" '
                           f'stroke-dasharray="4,3"/>')
        out.append(f'<text x="{left}" y="{y0 + panel_h + 14}">0</text>')
        out.append(f'<text x="{width - right}" y="{y0 + panel_h + 14}" text-anchor="end">step {last}</text>')
    legend_y = height - 8
    for j, (phase, fill) in enumerate(PHASE_FILL.items()):
        out.append(f'<rect x="{left + 200 * j}" y="{legend_y - 9}" width="10" height="10" fill="{fill}" '
                   f'stroke="#999"/><text x="{left + 200 * j + 14}" y="{legend_y}">{phase}</text>')
    out.append('</svg>')
    return '\n'.join(out) + '\n'


# -------------------------------------------------------------------------------------------------------------- runs

@run('nanda')
def nanda(api, out, seed=0, stop_when=None):
    """Nanda et al. 2023: p = 113, 30 %, 1-layer transformer, full-batch AdamW 1e-3, wd 1, betas (0.9, 0.98)."""
    spec = {'name': 'repro-nanda-p113' + (f'-seed{seed}' if seed else ''),
            'task': {'operation': 'ADD', 'modulus': 113, 'trainFraction': 0.3, 'seed': seed},
            'model': {'type': 'TRANSFORMER', 'layers': 1, 'dModel': 128, 'heads': 4, 'dMlp': 512,
                      'activation': 'RELU', 'layerNorm': 'NONE', 'sequence': 'A_B_EQ', 'initScale': 1.0},
            'optimizer': {'type': 'ADAMW', 'learningRate': 1e-3, 'weightDecay': 1.0, 'beta1': 0.9, 'beta2': 0.98,
                          'warmupSteps': 10},
            'training': {'steps': 40000, 'batchSize': None, 'evalEvery': 100, 'checkpointEvery': 1000, 'seed': seed},
            'analysis': {'progressMeasuresEvery': 100}}

    return submit_and_publish(api, out, 'nanda' + (f'-seed{seed}' if seed else ''), spec,
                              stop_when=stop_when or stop_after_cleanup(api), note=f'p=113, frac 0.3, 1L transformer, seed {seed}')


@run('nanda-seed1')
def nanda_seed1(api, out):
    """The same setup with another seed (split and initialisation): it must find its own key frequencies.

    To fit the session's budget this run stops once it has generalized and its key frequencies have held for
    1 000 steps, without waiting for the end of cleanup."""
    return nanda(api, out, seed=1, stop_when=stop_once_keys_settle(api, 1000))


def stop_once_keys_settle(api, steps):
    """Stops a run once it generalized and its key frequencies stayed the same for `steps` steps."""
    state = {'keys': None, 'since': None}

    def check(analysis):
        eid = analysis['experimentId']
        step = api.get(f'/api/v1/experiments/{eid}')['progress']['step']
        keys = analysis['keyFrequencies']
        if keys != state['keys']:
            state['keys'], state['since'] = keys, step
        if keys and analysis['generalizationStep'] is not None and step - state['since'] >= steps:
            return f"generalized at {analysis['generalizationStep']}; key frequencies {keys} unchanged since step " \
                   f"{state['since']}"
        return None
    return check


def stop_after_cleanup(api, margin=3000):
    """Stops a run once its analysis closes the cleanup phase and `margin` more steps confirm it."""

    def check(analysis):
        eid = analysis['experimentId']
        exp = api.get(f'/api/v1/experiments/{eid}')
        step = exp['progress']['step']
        cleanup = next((p for p in analysis['phases'] if p['name'] == 'CLEANUP'), None)
        if cleanup is None or cleanup['endStep'] is None or analysis['generalizationStep'] is None:
            return None
        done = max(cleanup['endStep'], analysis['generalizationStep'])
        if step >= done + margin:
            return f"cleanup ended at step {cleanup['endStep']} and test accuracy stayed >= threshold since " \
                   f"{analysis['generalizationStep']}; {step - done} further steps confirm it"
        return None
    return check


@run('nogen')
def no_generalization(api, out):
    """A run that must not generalize: no weight decay and a small train fraction (MLP, a+b mod 97, 20 %)."""
    spec = {'name': 'repro-no-generalization',
            'task': {'operation': 'ADD', 'modulus': 97, 'trainFraction': 0.2, 'seed': 0},
            'model': {'type': 'MLP', 'embedDim': 128, 'hiddenDims': [512], 'activation': 'RELU'},
            'optimizer': {'type': 'ADAMW', 'learningRate': 1e-3, 'weightDecay': 0.0, 'beta1': 0.9, 'beta2': 0.98,
                          'warmupSteps': 10},
            'training': {'steps': 3000, 'evalEvery': 50, 'checkpointEvery': 1000, 'seed': 0},
            'analysis': {'progressMeasuresEvery': 100}}
    return submit_and_publish(api, out, 'no-generalization', spec, note='wd 0, frac 0.2')


def grokfast_spec(name, gradient_filter, weight_decay, steps, eval_every):
    """The Grokfast reference code's setup (ironjr/grokfast main.py): its block continues the residual stream from
    LN1(x) (PRE_NORMALISED_STREAM) and its modules keep PyTorch's default initialisation (TORCH_DEFAULT)."""
    return {'name': name,
            'task': {'operation': 'MULTIPLY', 'modulus': 97, 'trainFraction': 0.5, 'seed': 0},
            'model': {'type': 'TRANSFORMER', 'layers': 2, 'dModel': 128, 'heads': 4, 'dMlp': 512,
                      'activation': 'GELU', 'layerNorm': 'PRE_NORMALISED_STREAM', 'sequence': 'A_OP_B_EQ',
                      'initScale': 1.0, 'init': 'TORCH_DEFAULT'},
            'optimizer': {'type': 'ADAM', 'learningRate': 1e-3, 'weightDecay': weight_decay, 'beta1': 0.9,
                          'beta2': 0.98, 'warmupSteps': 10, 'gradientFilter': gradient_filter},
            'training': {'steps': steps, 'batchSize': 512, 'evalEvery': eval_every, 'checkpointEvery': 1000,
                         'seed': 0},
            'analysis': {'generalizationThreshold': 0.95, 'progressMeasuresEvery': 0}}


# name -> (filter, weight decay, budget, evaluation interval). The paper evaluates every epoch (10 steps); the
# filtered runs do too, the baseline every 50 steps (its step to 95 %, if reached at all, is ~10^4, so +-50 is
# immaterial, and evaluation every 10 steps would cost half as much again as its training).
GROKFAST_RUNS = {
    'grokfast-ema': ({'type': 'EMA', 'alpha': 0.98, 'lambda': 2.0}, 0.005, 5000, 10),
    'grokfast-ma': ({'type': 'MA', 'window': 100, 'lambda': 5.0}, 0.01, 5000, 10),
    'grokfast-baseline': (None, 0.0, 40000, 50),
}
# The paper's steps to 95 % validation accuracy (Lee et al. 2024, Figure 2 / Table 1).
GROKFAST_PAPER = {'grokfast-baseline': 39890, 'grokfast-ma': 790, 'grokfast-ema': 910}


def stop_after_generalization(api, margin):
    """Stops a run once test accuracy first reached the threshold and `margin` more steps have run."""

    def check(analysis):
        first = analysis['firstCrossing']['generalization']
        if first is None:
            return None
        step = api.get(f"/api/v1/experiments/{analysis['experimentId']}")['progress']['step']
        if step >= first + margin:
            return f'test accuracy reached the threshold at step {first}; {step - first} further steps shown'
        return None
    return check


def stop_at_deadline(deadline):
    """Stops a run at a wall-clock time (seconds since the epoch): the budget of a run that cannot finish here."""

    def check(analysis):
        if time.time() >= deadline:
            return f"the session's deadline ({time.strftime('%H:%M UTC', time.gmtime(deadline))}) was reached"
        return None
    return check


def any_of(*rules):
    """Stops when the first of the rules (None entries ignored) gives a reason."""
    rules = [r for r in rules if r is not None]

    def check(analysis):
        return next((reason for reason in (r(analysis) for r in rules) if reason), None)
    return check


def grokfast_run(api, out, name):
    """GROKFAST_DEADLINE (seconds since the epoch) stops a run still going then and publishes it as it stands;
    GROKFAST_ATTACH_<RUN> (e.g. GROKFAST_ATTACH_EMA=12) follows an experiment submitted by an earlier invocation."""
    filt, wd, steps, eval_every = GROKFAST_RUNS[name]
    deadline = os.environ.get('GROKFAST_DEADLINE')
    stop = any_of(stop_after_generalization(api, 300), stop_at_deadline(float(deadline)) if deadline else None)
    attach = os.environ.get('GROKFAST_ATTACH_' + name.split('-')[1].upper())
    return submit_and_publish(api, out, name, grokfast_spec('repro-' + name, filt, wd, steps, eval_every),
                              stop_when=stop, note=f'filter {filt and filt["type"]}, wd {wd}',
                              attach=int(attach) if attach else None)


@run('grokfast-ema')
def grokfast_ema(api, out):
    """Lee et al. 2024 with Grokfast-EMA (alpha 0.98, lambda 2, wd 0.005); stops 300 steps after reaching 95 %."""
    return grokfast_run(api, out, 'grokfast-ema')


@run('grokfast-ma')
def grokfast_ma(api, out):
    """Lee et al. 2024 with Grokfast-MA (window 100, lambda 5, wd 0.01); stops 300 steps after reaching 95 %."""
    return grokfast_run(api, out, 'grokfast-ma')


@run('grokfast-baseline')
def grokfast_baseline(api, out):
    """Lee et al. 2024 without a filter (wd 0): up to the paper's 40 000 steps, 300 steps past 95 %, or until
    GROKFAST_DEADLINE."""
    return grokfast_run(api, out, 'grokfast-baseline')


def grokfast_ablation(api, out, layer_norm, init):
    """The EMA run with one of the two model differences undone: which of them made the earlier run fail?"""
    name = f"grokfast-ablation-{layer_norm.lower().replace('_', '-')}-{init.lower().replace('_', '-')}"
    filt, wd, _, _ = GROKFAST_RUNS['grokfast-ema']
    spec = grokfast_spec('repro-' + name, filt, wd, 1500, 50)
    spec['model'].update({'layerNorm': layer_norm, 'init': init})
    deadline = os.environ.get('GROKFAST_DEADLINE')
    stop = any_of(stop_after_generalization(api, 300), stop_at_deadline(float(deadline)) if deadline else None)
    return submit_and_publish(api, out, name, spec, stop_when=stop, note=f'EMA, {layer_norm}, {init}')


@run('grokfast-ablation-pre-torch')
def grokfast_ablation_pre_torch(api, out):
    """EMA setting with the standard pre-LN block and PyTorch's initialisation."""
    return grokfast_ablation(api, out, 'PRE', 'TORCH_DEFAULT')


@run('grokfast-ablation-stream-nanda')
def grokfast_ablation_stream_nanda(api, out):
    """EMA setting with the reference's block and Nanda et al.'s initialisation."""
    return grokfast_ablation(api, out, 'PRE_NORMALISED_STREAM', 'NANDA')


@run('grokfast-summary')
def grokfast_summary(api, out):
    """Steps to 95 % test accuracy and speed-ups from the three runs' published metrics (no training).

    A run that never reached 95 % is censored at the last step it ran; a speed-up over a censored baseline is then a
    lower bound."""
    results = {}
    for name in GROKFAST_RUNS:
        folder = os.path.join(out, name)
        with open(os.path.join(folder, 'metrics.csv')) as f:
            series = parse_csv(f.read())
        with open(os.path.join(folder, 'experiment.json')) as f:
            exp = json.load(f)
        with open(os.path.join(folder, 'analysis.json')) as f:
            analysis = json.load(f)
        results[name] = {'stepsTo95': first_step_at(series, 'test_acc', 0.95),
                         'lastStep': max(series['test_acc'][0]), 'verdict': analysis['verdict'],
                         'wallSeconds': exp['wallSeconds'], 'paperStepsTo95': GROKFAST_PAPER[name]}
    base = results['grokfast-baseline']
    for name in ('grokfast-ema', 'grokfast-ma'):
        r = results[name]
        r['paperSpeedUp'] = round(GROKFAST_PAPER['grokfast-baseline'] / GROKFAST_PAPER[name], 2)
        if r['stepsTo95'] is None:
            r['speedUp'] = None
        elif base['stepsTo95'] is not None:
            r['speedUp'] = f"{base['stepsTo95'] / r['stepsTo95']:.2f}"
        else:
            r['speedUp'] = f">= {base['lastStep'] / r['stepsTo95']:.2f} (lower bound: the baseline did not reach " \
                           f"95 % within its {base['lastStep']} steps)"
    write(out, 'grokfast-summary.json', json.dumps(results, indent=2) + '\n')
    print(json.dumps(results, indent=2))
    return results


@run('grokfast')
def grokfast(api, out):
    """Lee et al. 2024: x*y mod 97, 50 %, 2-layer GELU transformer, Adam, batch 512; with and without filters."""
    for name in GROKFAST_RUNS:
        grokfast_run(api, out, name)
    return grokfast_summary(api, out)


@run('power')
def power(api, out):
    """Power et al. 2022: steps to 99 % test accuracy against the train fraction, through the sweep API.

    The paper's 2-layer transformer and 10^5 steps per run do not fit an hour on 2 cores, so a small MLP stands in
    (embedding 32, hidden 128, AdamW lr 3e-3, wd 1, full batch) on (a + b) mod 47, 4 fractions x 2 seeds, 3 000 steps.
    """
    base = {'task': {'operation': 'ADD', 'modulus': 47},
            'model': {'type': 'MLP', 'embedDim': 32, 'hiddenDims': [128]},
            'optimizer': {'type': 'ADAMW', 'learningRate': 3e-3, 'weightDecay': 1.0, 'beta1': 0.9, 'beta2': 0.98,
                          'warmupSteps': 10},
            'training': {'steps': 3000, 'evalEvery': 10, 'checkpointEvery': 1000},
            'analysis': {'memorizationThreshold': 0.99, 'generalizationThreshold': 0.99, 'grokkingMinDelay': 500,
                         'progressMeasuresEvery': 500}}
    sweep = {'name': 'repro-power-fraction', 'base': base,
             'axes': {'task.trainFraction': [0.3, 0.4, 0.5, 0.7]}, 'seeds': [0, 1]}
    folder = os.path.join(out, 'power')
    os.makedirs(folder, exist_ok=True)
    started = time.time()
    created = api.post('/api/v1/sweeps', sweep)
    sid = created['id']
    print(f"power: sweep {sid} with {created['progress']['total']} experiments", flush=True)
    while True:
        view = api.get(f'/api/v1/sweeps/{sid}')
        p = view['progress']
        print(f"  [{time.strftime('%H:%M:%S')}] {p['done']}/{p['total']} done, {p['failed']} failed", flush=True)
        if p['failed']:
            raise SystemExit(f'sweep {sid} has failed runs: {json.dumps(view, indent=2)}')
        if p['done'] >= p['total']:
            break
        time.sleep(15)
    wall = time.time() - started
    summary = api.get(f'/api/v1/sweeps/{sid}/summary?x=task.trainFraction&value=generalizationStep')
    write(folder, 'sweep.json', json.dumps(view, indent=2))
    write(folder, 'summary.json', json.dumps(summary, indent=2))
    write(folder, 'summary.csv', api.get(f'/api/v1/sweeps/{sid}/summary?x=task.trainFraction&value='
                                         f'generalizationStep', accept='text/csv'))
    write(folder, 'wall-seconds.txt', f'{round(wall)}\n')
    write(folder, 'steps-vs-fraction.svg', render_summary(summary, base['training']['steps']))
    print(json.dumps(summary, indent=2))
    return summary


def render_summary(summary, budget):
    """Steps to generalize against the train fraction: mean with min-max whiskers; censored runs at the budget."""
    width, height, left, bottom, top = 620, 360, 70, 50, 48
    points = summary['points']
    xs = [p['x'] for p in points]
    x_of = lambda x: left + (width - left - 30) * (x - min(xs)) / max(1e-9, max(xs) - min(xs))
    y_of = lambda v: top + (height - top - bottom) * (1 - v / budget)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
           f'font-size="11">', f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="16" font-size="13">{esc(summary["value"])} against {esc(summary["x"])}</text>',
           f'<text x="{left}" y="31">mean and min-max over seeds; open circles: not reached within {budget} steps'
           f'</text>',
           f'<line x1="{left}" y1="{y_of(0)}" x2="{width - 30}" y2="{y_of(0)}" stroke="#999"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{y_of(0)}" stroke="#999"/>']
    for tick in (0, budget / 2, budget):
        out.append(f'<text x="{left - 6}" y="{y_of(tick) + 4:.1f}" text-anchor="end">{tick:.0f}</text>')
    line = []
    for p in points:
        x = x_of(p['x'])
        out.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle">{p["x"]}</text>')
        st = p['statistic']
        if st['mean'] is not None:
            out.append(f'<line x1="{x:.1f}" y1="{y_of(st["min"]):.1f}" x2="{x:.1f}" y2="{y_of(st["max"]):.1f}" '
                       f'stroke="#d62728"/>')
            out.append(f'<circle cx="{x:.1f}" cy="{y_of(st["mean"]):.1f}" r="4" fill="#d62728"/>')
            line.append(f'{x:.1f},{y_of(st["mean"]):.1f}')
        if st['censored']:
            out.append(f'<circle cx="{x:.1f}" cy="{y_of(budget):.1f}" r="5" fill="none" stroke="#555"/>'
                       f'<text x="{x + 8:.1f}" y="{y_of(budget) + 4:.1f}">{st["censored"]} not reached</text>')
    if len(line) > 1:
        out.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="#d62728" stroke-dasharray="3,3"/>')
    out.append(f'<text x="{(left + width) / 2:.0f}" y="{height - 10}" text-anchor="middle">{esc(summary["x"])}'
               f'</text></svg>')
    return '\n'.join(out) + '\n'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('runs', nargs='+', help=f"which: {', '.join(RUNS)} or all")
    parser.add_argument('--base-url', default='http://localhost:8080')
    parser.add_argument('--out', default='docs/reproductions')
    parser.add_argument('--api-key', default=os.environ.get('GROKSCOPE_API_KEY'),
                        help='sent as a bearer key when the service has API keys (default: $GROKSCOPE_API_KEY)')
    args = parser.parse_args()
    names = list(RUNS) if args.runs == ['all'] else args.runs
    unknown = [n for n in names if n not in RUNS]
    if unknown:
        raise SystemExit(f'unknown runs {unknown}; known: {list(RUNS)}')
    api = Api(args.base_url, args.api_key)
    api.get('/actuator/health')
    os.makedirs(args.out, exist_ok=True)
    for name in names:
        RUNS[name](api, args.out)


if __name__ == '__main__':
    main()

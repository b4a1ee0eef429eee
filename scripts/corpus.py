#!/usr/bin/env python3
"""Generate the analysis validation corpus through Grokscope's public API (issue #21).

Each run is a small MLP on (a + b) mod p, trained by the service; its curves are exported with the CSV export
(`GET /experiments/{id}/metrics`, Accept text/csv) restricted to the series the analysis reads, and written to
src/test/resources/corpus/<name>.csv with the stored spec beside it (<name>.spec.json).

Usage: python3 scripts/corpus.py --base-url http://localhost:18321 [names...]
Only the standard library is used.
"""
import argparse
import json
import os
import sys
import time
import urllib.request

ANALYSED = ['train_acc', 'test_acc', 'train_loss', 'test_loss', 'weight_norm', 'excluded_loss', 'restricted_loss',
            'fourier_gini_embed', 'fourier_gini_unembed']


def mlp(name, p, fraction, wd, steps, lr=3e-3, every=10, seed=0, embed=32, hidden=128, measures=50):
    return name, {
        'name': 'corpus-' + name,
        'task': {'operation': 'ADD', 'modulus': p, 'trainFraction': fraction, 'seed': seed},
        'model': {'type': 'MLP', 'embedDim': embed, 'hiddenDims': [hidden]},
        'optimizer': {'type': 'ADAMW', 'learningRate': lr, 'weightDecay': wd, 'beta1': 0.9, 'beta2': 0.98},
        'training': {'steps': steps, 'evalEvery': every, 'seed': seed},
        'analysis': {'progressMeasuresEvery': measures},
    }


RUNS = dict([
    # train-fraction series at p = 47, weight decay 1 (Power et al.: less data, later generalization)
    mlp('mlp-p47-f03-wd1', 47, 0.3, 1.0, 3000),
    mlp('mlp-p47-f05-wd1', 47, 0.5, 1.0, 6000),
    mlp('mlp-p47-f07-wd1', 47, 0.7, 1.0, 3000),
    mlp('mlp-p47-f09-wd1', 47, 0.9, 1.0, 2000),
    # weight-decay series at p = 47, fraction 0.5 (Nanda et al.: no weight decay, no grokking; more decay, sooner)
    mlp('mlp-p47-f05-wd0', 47, 0.5, 0.0, 3000),
    mlp('mlp-p47-f05-wd3', 47, 0.5, 3.0, 6000),
    # other moduli
    mlp('mlp-p31-f05-wd1', 31, 0.5, 1.0, 4000),
    mlp('mlp-p59-f05-wd1', 59, 0.5, 1.0, 6000),
    mlp('mlp-p31-f05-wd1-long', 31, 0.5, 1.0, 12000),
    # a learning rate too small to fit the training set within the budget (confusion)
    mlp('mlp-p47-f05-lr1e-5', 47, 0.5, 1.0, 1000, lr=1e-5),
])


def request(base, method, path, body=None, accept='application/json'):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={'Accept': accept})
    if data is not None:
        req.add_header('Content-Type', 'application/json')
    with urllib.request.urlopen(req, timeout=120) as resp:
        text = resp.read().decode()
    return json.loads(text) if accept == 'application/json' else text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('names', nargs='*')
    parser.add_argument('--base-url', default='http://localhost:8080')
    parser.add_argument('--out', default='src/test/resources/corpus')
    args = parser.parse_args()
    base = args.base_url.rstrip('/')
    names = args.names or list(RUNS)
    os.makedirs(args.out, exist_ok=True)
    for name in names:
        started = time.time()
        created = request(base, 'POST', '/api/v1/experiments', RUNS[name])
        eid = created['id']
        while True:
            status = request(base, 'GET', f'/api/v1/experiments/{eid}')['status']
            if status in ('SUCCEEDED', 'FAILED', 'CANCELLED'):
                break
            time.sleep(3)
        if status != 'SUCCEEDED':
            sys.exit(f'{name}: experiment {eid} ended {status}')
        csv = request(base, 'GET', f'/api/v1/experiments/{eid}/metrics?maxPoints=20000&names=' + ','.join(ANALYSED), accept='text/csv')
        with open(os.path.join(args.out, name + '.csv'), 'w') as f:
            f.write(csv)
        spec = request(base, 'GET', f'/api/v1/experiments/{eid}')['spec']
        with open(os.path.join(args.out, name + '.spec.json'), 'w') as f:
            json.dump(spec, f, indent=2)
            f.write('\n')
        analysis = request(base, 'GET', f'/api/v1/experiments/{eid}/analysis')
        print(f'{name}: experiment {eid}, {time.time() - started:.0f} s, {analysis["verdict"]}, '
              f'mem {analysis["memorizationStep"]} gen {analysis["generalizationStep"]}', flush=True)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Cross-check for docs/reproductions.md section 2, outside the service: the Grokfast setup restated in PyTorch from
the facts of the reference code (ironjr/grokfast main.py, grokfast.py), to tell a remaining model difference from
seed-to-seed variation. Needs torch (not a project dependency); one CPU thread.

    python3 scripts/grokfast_torch_check.py FILTER WEIGHT_DECAY MAX_STEPS [BLOCK] [INIT] [SEED]
    python3 scripts/grokfast_torch_check.py ema 0.005 1500          # the paper's EMA run: 95 % at 910
    python3 scripts/grokfast_torch_check.py ma 0.01 1500            # the paper's MA run: 95 % at 790

FILTER: none | ema (alpha 0.98, lambda 2) | ma (window 100, lambda 5); BLOCK: stream (the reference's: LN1 replaces
the residual stream) | pre (standard pre-LN); INIT: torch (module defaults) | nanda (N(0, 1/d) weights, zero biases).
Validation accuracy over the held-out half after every epoch (10 updates); stops 100 updates after the first epoch
at >= 95 %, printing that update count.
"""
import sys, math, time, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(1)
filt, wd, steps = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
block = sys.argv[4] if len(sys.argv) > 4 else 'stream'   # stream | pre
init = sys.argv[5] if len(sys.argv) > 5 else 'torch'      # torch | nanda
seed = int(sys.argv[6]) if len(sys.argv) > 6 else 0
torch.manual_seed(seed)
p, d = 97, 128

class Blk(nn.Module):
    def __init__(s):
        super().__init__()
        s.l1, s.l2 = nn.LayerNorm(d), nn.LayerNorm(d)
        s.att = nn.MultiheadAttention(d, 4)
        s.ff = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
    def forward(s, x):
        mask = torch.triu(torch.full((len(x), len(x)), float('-inf')), 1)
        h = s.l1(x)
        a = s.att(h, h, h, attn_mask=mask, need_weights=False)[0]
        x = (h if block == 'stream' else x) + a
        return x + s.ff(s.l2(x))

class Net(nn.Module):
    def __init__(s):
        super().__init__()
        s.tok, s.pos = nn.Embedding(p + 2, d), nn.Embedding(5, d)
        s.blocks = nn.ModuleList([Blk(), Blk()])
        s.lnf, s.head = nn.LayerNorm(d), nn.Linear(d, p + 2, bias=False)
    def forward(s, x):
        h = s.tok(x) + s.pos(torch.arange(x.shape[0]).unsqueeze(-1)).expand(x.shape[0], x.shape[1], d)
        for b in s.blocks:
            h = b(h)
        return s.head(s.lnf(h))

net = Net()
if init == 'nanda':
    with torch.no_grad():
        for n, t in net.named_parameters():
            if 'l1' in n or 'l2' in n or 'lnf' in n:
                continue
            if n.endswith('bias'):
                t.zero_()
            else:
                t.normal_(0, 1 / math.sqrt(d))
x, y = torch.cartesian_prod(torch.arange(p), torch.arange(1, p)).T
data = torch.stack([x, torch.full_like(x, p + 1), y, torch.full_like(x, p), x * y % p])
perm = torch.randperm(data.shape[1])
tr, va = data[:, perm[:data.shape[1] // 2]], data[:, perm[data.shape[1] // 2:]]
opt = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=wd, betas=(0.9, 0.98))
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda u: 1 if u > 10 else u / 10)
ema, ring, i, t0, first = None, None, 0, time.time(), None
while i < steps:
    tr = tr[:, torch.randperm(tr.shape[1])]
    correct = 0
    for b in torch.split(tr, 512, dim=1):
        logits = net(b[:-1])[-1]
        loss = F.cross_entropy(logits, b[-1])
        net.zero_grad(); loss.backward()
        correct += (logits.argmax(-1) == b[-1]).sum().item()
        ps = [q for q in net.parameters()]
        if filt == 'ema':
            if ema is None:
                ema = [q.grad.detach().clone() for q in ps]
            for k, q in enumerate(ps):
                ema[k] = ema[k] * 0.98 + q.grad.detach() * 0.02
                q.grad = q.grad + ema[k] * 2.0
        elif filt == 'ma':
            if ring is None:
                ring = [[] for _ in ps]
            for k, q in enumerate(ps):
                ring[k].append(q.grad.detach().clone()); ring[k] = ring[k][-100:]
                if len(ring[k]) == 100:
                    q.grad = q.grad + sum(ring[k]) / 100 * 5.0
        opt.step(); sched.step(); i += 1
    with torch.no_grad():
        vacc = sum((net(b[:-1])[-1].argmax(-1) == b[-1]).sum().item() for b in torch.split(va, 2048, dim=1)) / va.shape[1]
    wn = math.sqrt(sum((q.detach() ** 2).sum().item() for q in ps))
    if vacc >= 0.95 and first is None:
        first = i
    if i % 50 == 0 or (first == i):
        print(f'step {i} train {correct / tr.shape[1]:.3f} val {vacc:.3f} loss {loss.item():.3f} w {wn:.1f} e {net.tok.weight.norm().item():.1f} t {time.time() - t0:.0f}s', flush=True)
    if first is not None and i >= first + 100:
        break
print('first95', first, 'steps', i)

#!/usr/bin/env python3
"""`npm run train:shots`, step 2: trains the transition network and exports it to ONNX.

A small temporal convolutional network over the per-frame features of transition-features.ts (pair measures,
thumbnail / histogram / structure distances at lags 1-16, frame statistics): a frame-wise projection, then
dilated residual convolutions (receptive field +-32 frames on top of the lags), then two sigmoid outputs
per frame: P(the first frame of a new shot after a hard cut), P(inside a gradual transition). Our own code,
trained from scratch on the splices prepare-data.ts writes under .cache/shots (tune material only).
CPU only (Debian's python3-torch), seeded; validation on the action dev set's tune part (never dev).

Writes models/shots/transition-tcn.onnx and models/shots/training.json (data, losses, seed, time).
Usage: /usr/bin/python3 models/training/shots/train.py [--steps N] [--data DIR]
"""
import argparse
import json
import os
import time

import numpy as np
import torch
from torch import nn

CHUNK = 256


class Block(nn.Module):
    def __init__(self, channels, dilation, dropout):
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, 3, dilation=dilation, padding=dilation)
        self.mix = nn.Conv1d(channels, channels, 1)
        self.act = nn.ELU()
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        return x + self.mix(self.drop(self.act(self.conv(x))))


class TransitionTcn(nn.Module):
    def __init__(self, features, mean, std, channels=32, dilations=(1, 2, 4, 8, 16), dropout=0.1):
        super().__init__()
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32).view(1, -1, 1))
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32).view(1, -1, 1))
        self.inp = nn.Sequential(nn.Conv1d(features, channels, 3, padding=1), nn.ELU(), nn.Dropout(dropout))
        self.blocks = nn.Sequential(*[Block(channels, d, dropout) for d in dilations])
        self.out = nn.Conv1d(channels, 2, 1)

    def logits(self, x):
        # x: (batch, frames, features) -> (batch, 2, frames)
        x = (x.transpose(1, 2) - self.mean) / self.std
        return self.out(self.blocks(self.inp(x)))

    def forward(self, x):
        return torch.sigmoid(self.logits(x)).transpose(1, 2)


def load(data_dir, sets):
    items = []
    for name in sorted(os.listdir(data_dir)):
        if not name.endswith('.json') or name == 'prepare.json':
            continue
        meta = json.load(open(os.path.join(data_dir, name)))
        if meta.get('set') not in sets:
            continue
        frames, width = meta['frames'], meta['features']
        x = np.fromfile(os.path.join(data_dir, meta['name'] + '.features.f32'), np.float32).reshape(frames, width)
        y = np.fromfile(os.path.join(data_dir, meta['name'] + '.labels.u8'), np.uint8).reshape(frames, 2).astype(np.float32)
        # Cut channel: frames next to a cut are neither positive nor negative (scoring allows +-2).
        w = np.ones((frames, 2), np.float32)
        for t in np.nonzero(y[:, 0])[0]:
            for k in (-1, 1):
                if 0 <= t + k < frames and not y[t + k, 0]:
                    w[t + k, 0] = 0
        items.append({'name': meta['name'], 'x': x, 'y': y, 'w': w, 'truth': meta['truth']})
    return items


def batch(items, rng, size):
    xs, ys, ws = [], [], []
    for _ in range(size):
        item = items[rng.integers(len(items))]
        frames = len(item['x'])
        start = rng.integers(0, max(1, frames - CHUNK))
        sl = slice(start, start + CHUNK)
        x, y, w = item['x'][sl], item['y'][sl], item['w'][sl]
        if len(x) < CHUNK:
            pad = CHUNK - len(x)
            x = np.pad(x, ((0, pad), (0, 0)), mode='edge')
            y = np.pad(y, ((0, pad), (0, 0)))
            w = np.pad(w, ((0, pad), (0, 0)))
        xs.append(x); ys.append(y); ws.append(w)
    return torch.tensor(np.stack(xs)), torch.tensor(np.stack(ys)), torch.tensor(np.stack(ws))


def predict(model, x):
    with torch.no_grad():
        return model(torch.tensor(x[None]))[0].numpy()


def quick_scores(model, items, cut_threshold=0.5, gradual_threshold=0.5):
    """Rough F1 for model selection (peaks for cuts, +-2 frames; runs for gradual, by overlap)."""
    tp_c = det_c = ref_c = tp_g = det_g = ref_g = 0
    for item in items:
        p = predict(model, item['x'])
        truth = item['truth']
        cuts = [t for t in range(1, len(p)) if p[t, 0] >= cut_threshold and p[t, 0] >= p[max(0, t - 2):t + 3, 0].max()]
        spans, t = [], 0
        g = p[:, 1] >= gradual_threshold
        while t < len(g):
            if g[t]:
                e = t
                while e + 1 < len(g) and (g[e + 1] or (e + 2 < len(g) and g[e + 2])):
                    e += 1
                if e - t + 1 >= 4:
                    spans.append((t, e))
                t = e + 1
            else:
                t += 1
        ref_spans = [(s['start'], s['end']) for s in truth['gradual']]
        inside = lambda f: any(a - 2 <= f <= b + 2 for a, b in ref_spans)
        ref = list(truth['cuts'])
        counted = [c for c in cuts if any(abs(c - r) <= 2 for r in ref) or not inside(c)]
        used = set()
        for r in ref:
            best = None
            for i, c in enumerate(counted):
                if i not in used and abs(c - r) <= 2 and (best is None or abs(c - r) < abs(counted[best] - r)):
                    best = i
            if best is not None:
                used.add(best)
        tp_c += len(used); det_c += len(counted); ref_c += len(ref)
        used_r = set()
        for a, b in spans:
            for j, (c, d) in enumerate(ref_spans):
                if j not in used_r and a <= d and c <= b:
                    used_r.add(j)
                    break
        tp_g += len(used_r); det_g += len(spans); ref_g += len(ref_spans)
    f1 = lambda tp, det, ref: 0.0 if tp == 0 else 2 * tp / (det + ref)
    return f1(tp_c, det_c, ref_c), f1(tp_g, det_g, ref_g)


def main():
    parser = argparse.ArgumentParser()
    root = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
    parser.add_argument('--data', default=os.path.join(root, '.cache', 'shots'))
    parser.add_argument('--out', default=os.path.join(root, 'models', 'shots'))
    parser.add_argument('--steps', type=int, default=2000)
    parser.add_argument('--batch', type=int, default=16)
    parser.add_argument('--seed', type=int, default=20261216)
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args()
    started = time.time()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    torch.set_num_threads(args.threads)
    train = load(args.data, {'train'})
    tune = load(args.data, {'tune'})
    if not train:
        raise SystemExit(f'no training data in {args.data}: run models/training/shots/prepare-data.ts first')
    stacked = np.concatenate([item['x'] for item in train])
    mean = stacked.mean(0)
    std = stacked.std(0) + 1e-3
    features = stacked.shape[1]
    model = TransitionTcn(features, mean, std)
    parameters = sum(p.numel() for p in model.parameters())
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=3e-3, total_steps=args.steps, pct_start=0.15)
    pos_weight = torch.tensor([8.0, 2.0]).view(1, 1, 2)
    history = []
    best = (-1.0, None, None)
    running = 0.0
    for step in range(1, args.steps + 1):
        model.train()
        x, y, w = batch(train, rng, args.batch)
        # Augmentation: a little noise on the standardised input.
        x = x + torch.randn_like(x) * torch.tensor(std) * 0.03
        logits = model.logits(x).transpose(1, 2)
        loss_map = nn.functional.binary_cross_entropy_with_logits(logits, y, reduction='none', pos_weight=pos_weight)
        loss = (loss_map * w).sum() / w.sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        running += loss.item()
        if step % 250 == 0 or step == args.steps:
            model.eval()
            cut_f1, gradual_f1 = quick_scores(model, tune) if tune else (0.0, 0.0)
            history.append({'step': step, 'loss': round(running / 250, 4), 'tuneCutF1': round(cut_f1, 3), 'tuneGradualF1': round(gradual_f1, 3)})
            print(json.dumps(history[-1]), flush=True)
            running = 0.0
            if cut_f1 + gradual_f1 > best[0]:
                best = (cut_f1 + gradual_f1, step, {k: v.clone() for k, v in model.state_dict().items()})
    model.load_state_dict(best[2])
    model.eval()
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, 'transition-tcn.onnx')
    dummy = torch.zeros(1, 300, features)
    torch.onnx.export(model, dummy, onnx_path, input_names=['features'], output_names=['activations'],
                      dynamic_axes={'features': {1: 'frames'}, 'activations': {1: 'frames'}}, opset_version=13)
    cut_f1, gradual_f1 = quick_scores(model, tune) if tune else (0.0, 0.0)
    summary = {
        'seed': args.seed,
        'steps': args.steps,
        'batch': args.batch,
        'chunkFrames': CHUNK,
        'parameters': parameters,
        'features': features,
        'trainingMovies': len(train),
        'trainingFrames': int(sum(len(i['x']) for i in train)),
        'trainingCuts': int(sum(i['y'][:, 0].sum() for i in train)),
        'trainingGradualFrames': int(sum(i['y'][:, 1].sum() for i in train)),
        'trainingGradual': int(sum(len(i['truth']['gradual']) for i in train)),
        'tuneMovies': len(tune),
        'bestStep': best[1],
        'tuneCutF1': round(cut_f1, 3),
        'tuneGradualF1': round(gradual_f1, 3),
        'seconds': round(time.time() - started, 1),
        'threads': args.threads,
        'torch': torch.__version__,
        'history': history,
    }
    with open(os.path.join(args.out, 'training.json'), 'w') as f:
        json.dump(summary, f, indent=1)
    print(json.dumps({k: v for k, v in summary.items() if k != 'history'}))


if __name__ == '__main__':
    main()

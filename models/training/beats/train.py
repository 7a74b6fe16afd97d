#!/usr/bin/env python3
"""`npm run train:beats`, step 2: trains the beat/downbeat activation network and exports it to ONNX.

A temporal convolutional network in the spirit of Böck & Davies (2019): a frame-wise projection of the
log-mel spectrogram and its rises, then dilated residual convolutions (receptive field about 10 s), then two
sigmoid outputs per frame: P(beat), P(downbeat). Our own code, trained from scratch on the corpus that
prepare-data.ts writes (exact tempo-map annotations). CPU only (Debian's python3-torch), seeded.

Writes models/beats/beat-tcn.onnx and models/beats/training.json (data counts, losses, seed, time).
Usage: python3 models/training/beats/train.py [--steps N] [--corpus DIR]
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
from torch import nn

FRAME_RATE = 100
CHUNK = 1500  # frames per training excerpt (15 s)


class Block(nn.Module):
    def __init__(self, channels, kernel, dilation, dropout):
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, kernel, dilation=dilation, padding=dilation * (kernel - 1) // 2)
        self.mix = nn.Conv1d(channels, channels, 1)
        self.act = nn.ELU()
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        return x + self.mix(self.drop(self.act(self.conv(x))))


class BeatTcn(nn.Module):
    def __init__(self, features, mean, std, channels=40, kernel=5, dilations=(1, 2, 4, 8, 16, 32, 64, 128), dropout=0.15):
        super().__init__()
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32).view(1, -1, 1))
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32).view(1, -1, 1))
        self.inp = nn.Sequential(nn.Conv1d(features, channels, 3, padding=1), nn.ELU(), nn.Dropout(dropout))
        self.blocks = nn.Sequential(*[Block(channels, kernel, d, dropout) for d in dilations])
        self.out = nn.Conv1d(channels, 2, 1)

    def logits(self, x):
        # x: (batch, frames, features) → (batch, 2, frames)
        x = (x.transpose(1, 2) - self.mean) / self.std
        return self.out(self.blocks(self.inp(x)))

    def forward(self, x):
        return torch.sigmoid(self.logits(x)).transpose(1, 2)


def targets(times, frames):
    """1 on the annotated frame, 0.5 on its neighbours (tolerance, as Böck et al.)."""
    y = np.zeros(frames, np.float32)
    for t in times:
        f = int(round(t * FRAME_RATE))
        for g, v in ((f - 1, 0.5), (f + 1, 0.5), (f, 1.0)):
            if 0 <= g < frames:
                y[g] = max(y[g], v)
    return y


def load(corpus):
    items = json.load(open(os.path.join(corpus, 'dataset.json')))
    data = []
    for item in items:
        x = np.fromfile(os.path.join(corpus, item['file']), dtype=np.float32).reshape(item['frames'], item['features'])
        no_pulse = item['genre'] == 'no-pulse'
        if (not item['beats'] and not no_pulse) or item['frames'] < 200:
            continue
        # The loss counts the annotated span only; sound with no beat counts everywhere (every target is 0).
        mask = np.zeros(item['frames'], np.float32)
        lo = 0 if no_pulse else max(0, int(item['beats'][0] * FRAME_RATE) - 30)
        hi = item['frames'] if no_pulse else min(item['frames'], int(item['beats'][-1] * FRAME_RATE) + 30)
        mask[lo:hi] = 1
        data.append(dict(item, x=x, beat=targets(item['beats'], item['frames']), downbeat=targets(item['downbeats'], item['frames']), mask=mask))
    return data


def excerpt(d, rng, stretch):
    """A CHUNK-frame excerpt of item d, read at `stretch` source frames per output frame (> 1: faster music).

    Features are interpolated between frames; the targets are rebuilt from the annotation times, so a stretched
    excerpt is annotated as exactly as the original."""
    span = CHUNK * stretch
    # Whole frames when not stretched (the recipe of the network trained without stretching).
    start = rng.integers(-CHUNK // 4, max(1, d['frames'] - CHUNK * 3 // 4)) if stretch == 1 else rng.uniform(-span / 4, max(1.0, d['frames'] - span * 3 / 4))
    source = start + np.arange(CHUNK) * stretch
    inside = (source >= 0) & (source <= d['frames'] - 1)
    lo = np.clip(np.floor(source).astype(np.int64), 0, d['frames'] - 1)
    hi = np.minimum(lo + 1, d['frames'] - 1)
    w = np.clip(source - lo, 0, 1)[:, None].astype(np.float32)
    x = (d['x'][lo] * (1 - w) + d['x'][hi] * w) * inside[:, None]
    shift = lambda times: [(t * FRAME_RATE - start) / stretch / FRAME_RATE for t in times]
    y = np.stack([targets(shift(d['beats']), CHUNK), targets(shift(d['downbeats']), CHUNK)])
    m = d['mask'][np.rint(np.clip(source, 0, d['frames'] - 1)).astype(np.int64)] * inside
    return x.astype(np.float32), y, m.astype(np.float32)


def batches(train, rng, batch_size, stretch_range):
    # Real band recordings are few: sample them four times as often per frame.
    weights = np.array([d['frames'] * (4 if d['genre'] == 'band' else 1) for d in train], np.float64)
    weights /= weights.sum()
    features = train[0]['features']
    lo, hi = np.log(1 / stretch_range), np.log(stretch_range)
    while True:
        x = np.zeros((batch_size, CHUNK, features), np.float32)
        y = np.zeros((batch_size, 2, CHUNK), np.float32)
        m = np.zeros((batch_size, CHUNK), np.float32)
        for b in range(batch_size):
            d = train[rng.choice(len(train), p=weights)]
            # Half the excerpts are played faster or slower (up to stretch_range either way): more tempi per piece.
            # Never the real band recordings: stretching them too cost their downbeats (dev 0.50, against 0.95).
            stretchable = stretch_range > 1 and d['genre'] != 'band'
            stretch = float(np.exp(rng.uniform(lo, hi))) if stretchable and rng.random() < 0.5 else 1.0
            x[b], y[b], m[b] = excerpt(d, rng, stretch)
        yield torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(m)


def loss_of(model, x, y, m):
    logits = model.logits(x)
    # Beats are about 2 % of frames: weight the positives so the network does not learn to say "never".
    weight = (1 + 4 * y) * m.unsqueeze(1)
    return (nn.functional.binary_cross_entropy_with_logits(logits, y, reduction='none') * weight).sum() / weight.sum()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--corpus', default=os.environ.get('AM_CORPUS_DIR', '.cache/music-corpus'))
    parser.add_argument('--steps', type=int, default=6000)
    parser.add_argument('--batch', type=int, default=12)
    parser.add_argument('--seed', type=int, default=20261202)
    parser.add_argument('--channels', type=int, default=40)
    parser.add_argument('--stretch', type=float, default=1.3, help='time-stretch augmentation: up to this factor faster or slower (1 = none)')
    parser.add_argument('--out', default='models/beats')
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    rng = np.random.default_rng(args.seed)
    started = time.time()

    data = load(args.corpus)
    train = [d for d in data if d['split'] == 'train']
    dev = [d for d in data if d['split'] == 'dev']
    stacked = np.concatenate([d['x'][::10] for d in train])
    mean, std = stacked.mean(0), stacked.std(0) + 1e-3
    model = BeatTcn(train[0]['features'], mean, std, channels=args.channels)
    params = sum(p.numel() for p in model.parameters())
    print(f'{len(train)} train / {len(dev)} dev items, {params} parameters', flush=True)

    optimiser = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=3e-3, total_steps=args.steps, pct_start=0.1)
    stream = batches(train, rng, args.batch, args.stretch)
    history = []
    model.train()
    for step in range(1, args.steps + 1):
        x, y, m = next(stream)
        loss = loss_of(model, x, y, m)
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        if step % 100 == 0 or step == args.steps:
            history.append({'step': step, 'loss': float(loss), 'seconds': round(time.time() - started)})
            print(f'step {step} loss {float(loss):.4f} {time.time() - started:.0f} s', flush=True)

    model.eval()
    with torch.no_grad():
        dev_losses = [float(loss_of(model, torch.from_numpy(d['x'][None]), torch.from_numpy(np.stack([d['beat'], d['downbeat']])[None]), torch.from_numpy(d['mask'][None]))) for d in dev]
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, 'beat-tcn.onnx')
    dummy = torch.zeros(1, 1000, train[0]['features'])
    torch.onnx.export(model, dummy, onnx_path, input_names=['features'], output_names=['activations'],
                      dynamic_axes={'features': {1: 'frames'}, 'activations': {1: 'frames'}}, opset_version=13)
    summary = {
        'seed': args.seed,
        'steps': args.steps,
        'batch': args.batch,
        'chunkFrames': CHUNK,
        'channels': args.channels,
        'stretch': args.stretch,
        'parameters': params,
        'trainItems': len(train),
        'devItems': len(dev),
        'trainHours': round(sum(d['frames'] for d in train) / FRAME_RATE / 3600, 2),
        'trainPieces': len({d['piece'] for d in train}),
        'devPieces': len({d['piece'] for d in dev}),
        'devLoss': round(float(np.mean(dev_losses)), 4),
        'trainingSeconds': round(time.time() - started),
        'torch': torch.__version__,
        'history': history,
    }
    json.dump(summary, open(os.path.join(args.out, 'training.json'), 'w'), indent=1)
    print(json.dumps({k: v for k, v in summary.items() if k != 'history'}))


if __name__ == '__main__':
    main()

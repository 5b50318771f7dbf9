import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  latestSummary,
  lossPointsFromRows,
  lossSeries,
  smooth,
  termLabel,
  termNames,
  validationPointsFromRows,
  weightedPoints,
  weightsFromConfig,
  type LossPoint,
} from '../src/lossData';
import { withAlpha } from '../src/lossChart';
import { report } from './fixtures';

describe('loss series', () => {
  test('a report’s rows become generic points: every numeric key but step and epoch is a term', () => {
    const points = lossPointsFromRows(report().training!.losses);
    assert.deepEqual(points[0], { step: 1, epoch: 1, losses: { total: 1, distillation: 0.5, l1: 0.4, kl: 0.1 } });
  });

  test('one series per term found, usual terms first, new terms after in order of appearance, validation last', () => {
    const points: LossPoint[] = [
      { step: 1, epoch: 1, losses: { tv: 3, kl: 0.1, total: 1 } },
      { step: 2, epoch: 1, losses: { total: 0.9, entropy: 2 } },
    ];
    assert.deepEqual(termNames(points), ['total', 'kl', 'tv', 'entropy']);
    const series = lossSeries(points, [{ step: 2, epoch: 1, validation: 0.5, maskChange: 0 }]);
    assert.deepEqual(
      series.map((s) => s.name),
      ['total', 'kl', 'tv', 'entropy', 'validation'],
    );
    assert.deepEqual(series[0]!.points, [
      { x: 1, y: 1 },
      { x: 2, y: 0.9 },
    ]);
    assert.deepEqual(series[3]!.points, [{ x: 2, y: 2 }], 'a term missing from a step has no point there');
    assert.equal(series[4]!.kind, 'validation');
  });

  test('validation that is not a number (no held-out samples) draws no series', () => {
    const series = lossSeries(lossPointsFromRows(report().training!.losses), [
      { step: 2, epoch: 1, validation: Number.NaN, maskChange: 0 },
    ]);
    assert.ok(series.every((s) => s.name !== 'validation'));
  });

  test('a baseline’s empty histories give no series', () => {
    assert.deepEqual(lossSeries([], []), []);
  });

  test('the text summary names the latest values', () => {
    const r = report();
    assert.equal(
      latestSummary(lossPointsFromRows(r.training!.losses), validationPointsFromRows(r.training!.validation), String),
      'Step 2 (epoch 1): total 0.8, distillation 0.4, l1 0.3, kl 0.1; validation 0.7 after epoch 1',
    );
  });
});

describe('the terms that count, as they enter the total', () => {
  // DAX with λ2 = 0: total = distillation + λ1(t) · l1; KL is computed but does not train (values 1-10).
  const points: LossPoint[] = [
    { step: 1, epoch: 1, losses: { total: 0.5, distillation: 0.4, l1: 0.2, kl: 8 } },
    { step: 2, epoch: 1, losses: { total: 0.42, distillation: 0.3, l1: 0.1, kl: 3 } },
  ];

  test('the weights come from the report’s configuration (λ1 through its effective value)', () => {
    assert.deepEqual(weightsFromConfig({ lambda1: 2.3, lambda1Effective: 0.05, lambda2: 0 }), {
      distillation: 1,
      l1: null,
      kl: 0,
    });
    assert.deepEqual(weightsFromConfig({ lambda1Effective: 0, lambda2: 0.5 }), { distillation: 1, l1: 0, kl: 0.5 });
    assert.equal(weightsFromConfig({}), undefined);
  });

  test('a term of weight 0 is left out, a weighted one scaled, the unknown one is the total minus the others', () => {
    const weighted = weightedPoints(points, { distillation: 1, l1: null, kl: 0 });
    assert.deepEqual(Object.keys(weighted[0]!.losses).sort(), ['distillation', 'l1', 'total']);
    assert.ok(Math.abs(weighted[0]!.losses.l1! - 0.1) < 1e-12, `l1 enters as ${weighted[0]!.losses.l1}`);
    assert.ok(Math.abs(weighted[1]!.losses.l1! - 0.12) < 1e-12);
    const withKl = weightedPoints(points, { distillation: 1, l1: null, kl: 0.01 });
    assert.ok(Math.abs(withKl[0]!.losses.kl! - 0.08) < 1e-12);
    assert.ok(Math.abs(withKl[0]!.losses.l1! - (0.5 - 0.4 - 0.08)) < 1e-12);
  });

  test('the chart draws no KL curve when λ2 = 0, and the legend says how each term is weighted', () => {
    const series = lossSeries(points, [], { distillation: 1, l1: null, kl: 0 });
    assert.deepEqual(
      series.map((s) => s.name),
      ['total', 'distillation', 'l1'],
    );
    assert.deepEqual(
      series.map((s) => s.label),
      ['total', 'distillation', 'l1, weighted'],
    );
    assert.equal(termLabel('kl', { kl: 0.5 }), 'kl × 0.5');
    assert.ok(
      series.every((s) => s.smoothed?.length === s.points.length),
      'each training series has its smoothed line',
    );
  });

  test('a term that is what the total leaves and stays at zero (no such term in the run) is not drawn', () => {
    const flat: LossPoint[] = [{ step: 1, epoch: 1, losses: { total: 0.3, distillation: 0.3, l1: 0, kl: 0 } }];
    assert.deepEqual(
      lossSeries(flat, [], { distillation: 1, l1: null, kl: 0 }).map((s) => s.name),
      ['total', 'distillation'],
    );
  });

  test('without weights every term is drawn as it is', () => {
    assert.deepEqual(
      lossSeries(points, []).map((s) => s.name),
      ['total', 'distillation', 'l1', 'kl'],
    );
  });

  test('smoothing: the start is debiased, a constant stays constant, noise is damped', () => {
    const constant = smooth(Array.from({ length: 50 }, (_, i) => ({ x: i, y: 2 })));
    assert.ok(constant.every((point) => Math.abs(point.y - 2) < 1e-12));
    const noisy = Array.from({ length: 200 }, (_, i) => ({ x: i, y: 1 + (i % 2 === 0 ? 0.5 : -0.5) }));
    const smoothed = smooth(noisy);
    assert.equal(smoothed[0]!.y, noisy[0]!.y, 'the first point is the first value');
    const spread = (values: { y: number }[]) =>
      Math.max(...values.map((v) => v.y)) - Math.min(...values.map((v) => v.y));
    assert.ok(
      spread(smoothed.slice(100)) < 0.2 * spread(noisy.slice(100)),
      `smoothed spread ${spread(smoothed.slice(100))}`,
    );
    assert.deepEqual(
      smooth([
        { x: 1, y: 3 },
        { x: 2, y: 5 },
      ]),
      [
        { x: 1, y: 3 },
        { x: 2, y: 5 },
      ],
      'a few points stay as they are',
    );
  });

  test('the raw points are drawn in the curve’s colour, faint', () => {
    assert.equal(withAlpha('#3794ff', 0.3), '#3794ff4d');
    assert.equal(withAlpha('rgb(1, 2, 3)', 0.3), 'rgba(1, 2, 3, 0.3)');
  });
});

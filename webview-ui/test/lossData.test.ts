import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { latestSummary, lossPointsFromRows, lossSeries, termNames, validationPointsFromRows, type LossPoint } from '../src/lossData';
import { report } from './fixtures';

describe('loss series', () => {
  test('a report’s rows become generic points: every numeric key but step and epoch is a term', () => {
    const points = lossPointsFromRows(report().losses);
    assert.deepEqual(points[0], { step: 1, epoch: 1, losses: { total: 1, distillation: 0.5, l1: 0.4, kl: 0.1 } });
  });

  test('one series per term found, usual terms first, new terms after in order of appearance, validation last', () => {
    const points: LossPoint[] = [
      { step: 1, epoch: 1, losses: { tv: 3, kl: 0.1, total: 1 } },
      { step: 2, epoch: 1, losses: { total: 0.9, entropy: 2 } },
    ];
    assert.deepEqual(termNames(points), ['total', 'kl', 'tv', 'entropy']);
    const series = lossSeries(points, [{ step: 2, epoch: 1, validation: 0.5, maskChange: 0 }]);
    assert.deepEqual(series.map((s) => s.name), ['total', 'kl', 'tv', 'entropy', 'validation']);
    assert.deepEqual(series[0]!.points, [{ x: 1, y: 1 }, { x: 2, y: 0.9 }]);
    assert.deepEqual(series[3]!.points, [{ x: 2, y: 2 }], 'a term missing from a step has no point there');
    assert.equal(series[4]!.kind, 'validation');
  });

  test('validation that is not a number (no held-out samples) draws no series', () => {
    const series = lossSeries(lossPointsFromRows(report().losses), [{ step: 2, epoch: 1, validation: Number.NaN, maskChange: 0 }]);
    assert.ok(series.every((s) => s.name !== 'validation'));
  });

  test('a baseline’s empty histories give no series', () => {
    assert.deepEqual(lossSeries([], []), []);
  });

  test('the text summary names the latest values', () => {
    const r = report();
    assert.equal(
      latestSummary(lossPointsFromRows(r.losses), validationPointsFromRows(r.validation), String),
      'Step 2 (epoch 1): total 0.8, distillation 0.4, l1 0.3, kl 0.1; validation 0.7 after epoch 1',
    );
  });
});

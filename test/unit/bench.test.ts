// The benchmark is an instrument: its statistics must only call a difference real when it is larger than twice
// its paired standard error, its answer cache must never serve answers of another model, and its diff must show
// what changed between two runs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BlackBox, ImageBatch } from '../../src/engine/blackbox/classifier';
import type { ModelConfig } from '../../src/engine/blackbox/modelConfig';
import { withAnswerStore } from '../../bench/answerStore';
import { diffRuns } from '../../bench/diff';
import { renderRun } from '../../bench/markdown';
import type { BenchRun, CaseRecord } from '../../bench/records';
import { quickSubset } from '../../bench/sets';
import { compare, meanSe, perCase } from '../../bench/stats';

describe('benchmark statistics', () => {
  test('the standard error of a mean is the sample deviation over the square root of n', () => {
    const { mean, se, n } = meanSe([1, 2, 3, 4]);
    assert.equal(n, 4);
    assert.equal(mean, 2.5);
    assert.ok(Math.abs(se - Math.sqrt(1.6666666666666667 / 4)) < 1e-12);
    assert.equal(meanSe([7]).se, 0);
  });

  test('a consistent paired difference is called for the better side, by the metric direction', () => {
    const a = new Map([
      ['x', 0.2],
      ['y', 0.3],
      ['z', 0.25],
      ['w', 0.22],
    ]);
    const b = new Map([
      ['x', 0.5],
      ['y', 0.55],
      ['z', 0.6],
      ['w', 0.52],
    ]);
    // Lower is better (deletion): a wins every case.
    const lower = compare(a, b, -1);
    assert.equal(lower.verdict, 'a');
    assert.deepEqual([lower.winsA, lower.winsB, lower.ties], [4, 0, 0]);
    // Higher is better: the same numbers favour b.
    assert.equal(compare(a, b, 1).verdict, 'b');
  });

  test('a difference within twice its standard error is no verdict, even with more wins on one side', () => {
    const a = new Map([
      ['x', 0.51],
      ['y', 0.52],
      ['z', 0.1],
      ['w', 0.53],
    ]);
    const b = new Map([
      ['x', 0.5],
      ['y', 0.5],
      ['z', 0.6],
      ['w', 0.5],
    ]);
    const c = compare(a, b, 1);
    assert.equal(c.winsA, 3);
    assert.equal(c.verdict, 'none');
  });

  test('only the cases both sides have are paired, and seeds are averaged within a case first', () => {
    const records = [record('a', 0, 'dax', 0.2), record('a', 1, 'dax', 0.4), record('b', 0, 'dax', 0.5)];
    const byCase = perCase(
      records,
      () => true,
      (r) => r.metrics.deletionZero,
    );
    assert.ok(Math.abs(byCase.get('a')! - 0.3) < 1e-12);
    assert.equal(compare(byCase, new Map([['a', 0.1]]), 1).n, 1);
  });

  test('the quick subset is fixed and spread over the whole list', () => {
    const cases = Array.from({ length: 10 }, (_, i) => i);
    assert.deepEqual(quickSubset(cases, 3), [1, 5, 8]);
    assert.deepEqual(quickSubset(cases, 3), quickSubset(cases, 3));
    assert.deepEqual(quickSubset([1, 2], 3), [1, 2]);
  });
});

describe('benchmark report and diff', () => {
  test('the report says DAX is first only where it leads every baseline by more than 2 SE', () => {
    const clear = run(
      ['a', 'b', 'c', 'd'].flatMap((c, i) => [
        record(c, 0, 'dax', 0.1 + i * 0.01),
        record(c, 0, 'lime', 0.5 + i * 0.02),
        record(c, 0, 'rise', 0.6),
      ]),
    );
    assert.match(renderRun(clear, 'npm run bench'), /DAX is first in 2 of 2 /);
    const mixed = run(
      ['a', 'b', 'c', 'd'].flatMap((c, i) => [
        record(c, 0, 'dax', 0.1 + i * 0.01),
        record(c, 0, 'lime', i % 2 ? 0.05 : 0.3),
      ]),
    );
    assert.match(renderRun(mixed, 'npm run bench'), /DAX is first in 0 of 2 /);
  });

  test('the diff reports the paired change of every metric, and which cases moved most', () => {
    const before = run(['a', 'b', 'c'].map((c) => record(c, 0, 'dax', 0.5)));
    const after = run(['a', 'b', 'c'].map((c, i) => record(c, 0, 'dax', 0.2 + i * 0.01)));
    const text = diffRuns(before, after);
    assert.match(text, /deletion AUC, zero ↓\s+−0\.290 ± 0\.006\s+3\/0\s+3\s+better/);
    assert.match(text, /DAX cases that moved most/);
    assert.match(diffRuns(before, run([record('other', 0, 'dax', 0.1)])), /share no/);
  });
});

describe('benchmark answer cache', () => {
  test('a second run of the same queries is answered from disk, and a changed model file is never served old answers', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dax-bench-cache-'));
    const modelFile = path.join(dir, 'model.onnx');
    await writeFile(modelFile, 'weights v1');
    const inputs = [new Float32Array([1, 2, 3]), new Float32Array([4, 5, 6])];

    const first = await withAnswerStore(countingBlackBox(modelFile, 1), path.join(dir, 'cache'));
    const answers = await first.blackBox.classify({ images: inputs });
    assert.deepEqual(first.counts, { asked: 2, cached: 0 });

    const again = countingBlackBox(modelFile, 1);
    const second = await withAnswerStore(again, path.join(dir, 'cache'));
    assert.deepEqual(await second.blackBox.classify({ images: [inputs[1]!, new Float32Array([7, 8, 9])] }), [
      answers[1],
      new Float32Array([24, 0.5]),
    ]);
    assert.deepEqual(second.counts, { asked: 2, cached: 1 });
    assert.equal(again.calls, 1, 'only the new input reaches the model');
    assert.equal(second.blackBox.description, 'counting', "the wrapper keeps the black box's properties");

    await writeFile(modelFile, 'weights v2');
    const retrained = countingBlackBox(modelFile, 2);
    const third = await withAnswerStore(retrained, path.join(dir, 'cache'));
    const fresh = await third.blackBox.classify({ images: inputs });
    assert.deepEqual(third.counts, { asked: 2, cached: 0 });
    assert.deepEqual(fresh[0], new Float32Array([12, 0.5]));
  });
});

/** A black box that answers [factor · sum of the input, 0.5] and counts its calls. */
function countingBlackBox(file: string, factor: number): BlackBox & { calls: number } {
  const config: ModelConfig = {
    name: 'counting',
    kind: 'onnx',
    path: file,
    input: { resize: 'stretch', align: 'center', padValue: 0, scale: 1, mean: [0], std: [1], channels: 'RGB' },
    output: { activation: 'none' },
    batchSize: 8,
  };
  const box = {
    config,
    description: 'counting',
    calls: 0,
    async classify(batch: ImageBatch): Promise<Float32Array[]> {
      box.calls++;
      return batch.images.map((image) => new Float32Array([factor * image.reduce((a, b) => a + b, 0), 0.5]));
    },
    async dispose(): Promise<void> {},
  };
  return box;
}

function record(caseId: string, seed: number, method: string, deletion: number): CaseRecord {
  return {
    set: 'toy',
    case: caseId,
    budget: 100,
    seed,
    method,
    target: '0',
    probability: 0.9,
    metrics: { deletionZero: deletion, insertionZero: 1 - deletion },
    queries: 100,
    wallMs: 1000,
    queryMs: 100,
    modelMs: 50,
    trainMs: method === 'dax' ? 800 : 0,
    trainingSteps: method === 'dax' ? 10 : 0,
    backend: 'cpu',
    cachedQueries: 0,
  };
}

function run(records: CaseRecord[]): BenchRun {
  return {
    schema: 1,
    mode: 'quick',
    date: '2026-12-02',
    machine: 'test',
    commit: 'abc',
    minutes: 1,
    sets: [
      {
        id: 'toy',
        title: 'Toy',
        model: 'm',
        description: 'toy model',
        source: 's',
        truth: 'none',
        runs: [{ budget: 100, seeds: [0] }],
        steps: 8,
        cases: 4,
      },
    ],
    records,
    agreements: [],
    skipped: [],
  };
}

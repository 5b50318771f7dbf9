import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { colormapLut } from '../src/colormaps';
import {
  bestRows,
  comparisonEntries,
  comparisonHeading,
  comparisonPlacement,
  curveDatasets,
  curvePoints,
  curveSeries,
  curveSummary,
  mapPixels,
  methodStyle,
  sameDetail,
  tileMetrics,
  trapezoidArea,
} from '../src/comparisonData';
import { composeView, displayProblem } from '../src/pixels';
import { comparison, comparisonDetail, comparisonRow, report } from './fixtures';

const theme = { palette: ['blue', 'orange', 'green', 'purple', 'red', 'yellow'], highContrast: false };

describe('comparison: methods and rows', () => {
  test('each map gets the table row of its method, in the table’s order', () => {
    const rows = [comparisonRow('rise', { deletionAuc: 0.3 }), comparisonRow('dax', { deletionAuc: 0.1 })];
    const entries = comparisonEntries(comparisonDetail(['dax', 'rise']), rows);
    assert.deepEqual(
      entries.map((entry) => entry.method),
      ['rise', 'dax'],
    );
    assert.deepEqual(
      entries.map((entry) => entry.label),
      ['RISE', 'DAX'],
    );
    assert.equal(entries[0]!.row, rows[0]);
    assert.equal(entries[1]!.row, rows[1]);
    assert.equal(entries[1]!.detail.method, 'dax');
  });

  test('a map without a row comes last and has no metrics; a row without a map is left to the table', () => {
    const rows = [comparisonRow('occlusion'), comparisonRow('lime')];
    const entries = comparisonEntries(comparisonDetail(['dax', 'lime', 'rise']), rows);
    assert.deepEqual(
      entries.map((entry) => [entry.method, entry.row?.method]),
      [
        ['lime', 'lime'],
        ['dax', undefined],
        ['rise', undefined],
      ],
    );
    assert.deepEqual(tileMetrics(entries[1]!.row), []);
  });

  test('a row is matched once even when a method appears twice', () => {
    const rows = [comparisonRow('dax', { deletionAuc: 0.1 }), comparisonRow('dax', { deletionAuc: 0.2 })];
    const entries = comparisonEntries(comparisonDetail(['dax', 'dax']), rows);
    assert.deepEqual(
      entries.map((entry) => entry.row?.deletionAuc),
      [0.1, 0.2],
    );
  });

  test('tile labels: both AUCs, and IoU when the report has ground truth', () => {
    assert.deepEqual(tileMetrics(comparisonRow('dax', { deletionAuc: 0.123456, insertionAuc: 0.7 })), [
      { name: 'Deletion AUC', value: '0.1235' },
      { name: 'Insertion AUC', value: '0.7' },
    ]);
    assert.deepEqual(tileMetrics(comparisonRow('dax', { iouAt02: 0.31, bestIou: 0.5 }))[2], {
      name: 'IoU at 0.2',
      value: '0.31',
    });
    assert.deepEqual(tileMetrics(comparisonRow('dax', { bestIou: 0.5 }))[2], { name: 'Best IoU', value: '0.5' });
  });

  test('a map is the shared input with the method’s saliency, composed as an overlay', () => {
    const detail = comparisonDetail(['dax']);
    const pixels = mapPixels(detail, detail.methods[0]!);
    assert.equal(displayProblem(pixels), undefined);
    const lut = colormapLut('greys');
    assert.deepEqual(
      Array.from(composeView(pixels, { view: 'overlay', opacity: 1, lut })),
      [0, 0, 0, 255, 255, 255, 255, 255],
    );
    assert.match(
      displayProblem(mapPixels(detail, { ...detail.methods[0]!, saliency: new Uint8Array(1) }))!,
      /saliency has 1 values/,
    );
  });
});

describe('comparison: curves', () => {
  test('points take x from the fractions and y from the curve', () => {
    const method = comparisonDetail(['dax']).methods[0]!;
    assert.deepEqual(curvePoints(method, 'deletion'), [
      { x: 0, y: 0.9 },
      { x: 0.25, y: 0.5 },
      { x: 0.5, y: 0.3 },
      { x: 0.75, y: 0.2 },
      { x: 1, y: 0.1 },
    ]);
    assert.deepEqual(curvePoints(method, 'insertion')[4], { x: 1, y: 0.9 });
  });

  test('fractions that do not match the curve are replaced by an even spacing; values that are not finite are left out', () => {
    const method = { ...comparisonDetail(['dax']).methods[0]!, fractions: [0, 1], deletionCurve: [1, Number.NaN, 0.5] };
    assert.deepEqual(curvePoints(method, 'deletion'), [
      { x: 0, y: 1 },
      { x: 1, y: 0.5 },
    ]);
    assert.deepEqual(curvePoints({ ...method, deletionCurve: [] }, 'deletion'), []);
  });

  test('the trapezoid area', () => {
    assert.equal(
      trapezoidArea([
        { x: 0, y: 1 },
        { x: 1, y: 0 },
      ]),
      0.5,
    );
    assert.ok(Number.isNaN(trapezoidArea([{ x: 0, y: 1 }])));
  });

  test('one series per method with the row’s AUC, or the area under its points when it has no row', () => {
    const entries = comparisonEntries(comparisonDetail(['dax', 'rise']), [
      comparisonRow('dax', { deletionAuc: 0.123, insertionAuc: 0.8 }),
    ]);
    const deletion = curveSeries(entries, 'deletion');
    assert.deepEqual(
      deletion.map((s) => [s.label, s.auc]),
      [
        ['DAX', 0.123],
        ['RISE', trapezoidArea(deletion[1]!.points)],
      ],
    );
    assert.equal(curveSeries(entries, 'insertion')[0]!.auc, 0.8);
  });

  test('datasets: labelled by method, told apart by dashes and markers as well as colour, the same style in both charts', () => {
    const entries = comparisonEntries(comparisonDetail(), comparison().rows);
    const deletion = curveDatasets(curveSeries(entries, 'deletion'), theme);
    const insertion = curveDatasets(curveSeries(entries, 'insertion'), theme);
    assert.deepEqual(
      deletion.map((d) => d.label),
      ['DAX', 'RISE', 'LIME', 'Occlusion'],
    );
    assert.deepEqual(
      deletion.map((d) => d.borderColor),
      ['blue', 'orange', 'green', 'purple'],
    );
    const dashes = deletion.map((d) => JSON.stringify(d.borderDash));
    assert.equal(new Set(dashes).size, 4, 'every method has its own dash pattern');
    assert.equal(new Set(deletion.map((d) => d.pointStyle)).size, 4, 'and its own marker');
    assert.deepEqual(
      insertion.map((d) => [d.borderColor, d.borderDash, d.pointStyle]),
      deletion.map((d) => [d.borderColor, d.borderDash, d.pointStyle]),
    );
    assert.deepEqual(deletion[0]!.data, curveSeries(entries, 'deletion')[0]!.points);
    assert.equal(curveDatasets(curveSeries(entries, 'deletion'), { ...theme, highContrast: true })[0]!.borderWidth, 2);
  });

  test('a method’s style does not depend on which others are compared; unknown methods still differ', () => {
    assert.deepEqual(methodStyle('lime', 0), methodStyle('lime', 2));
    assert.notDeepEqual(methodStyle('other', 0).dash, methodStyle('other', 1).dash);
  });

  test('the summary names every method’s AUC', () => {
    const entries = comparisonEntries(comparisonDetail(['dax', 'rise']), [
      comparisonRow('dax', { deletionAuc: 0.15 }),
      comparisonRow('rise', { deletionAuc: 0.25 }),
    ]);
    assert.equal(curveSummary(curveSeries(entries, 'deletion')), 'AUC: DAX 0.15, RISE 0.25.');
  });
});

describe('comparison: re-sent details', () => {
  test('a detail with the same content is the same; any difference is not', () => {
    const a = comparisonDetail();
    assert.ok(sameDetail(a, comparisonDetail()));
    assert.ok(sameDetail(undefined, undefined));
    assert.ok(!sameDetail(a, undefined));
    const b = comparisonDetail();
    b.methods[2]!.saliency[1] = 7;
    assert.ok(!sameDetail(a, b));
    const c = comparisonDetail();
    c.methods[0]!.insertionCurve = [...c.methods[0]!.insertionCurve.slice(0, 4), 0.95];
    assert.ok(!sameDetail(a, c));
    assert.ok(!sameDetail(a, comparisonDetail(['dax', 'rise', 'occlusion', 'lime'])));
    const nan = comparisonDetail(['dax']);
    nan.methods[0]!.deletionCurve[2] = Number.NaN;
    const nan2 = comparisonDetail(['dax']);
    nan2.methods[0]!.deletionCurve[2] = Number.NaN;
    assert.ok(sameDetail(nan, nan2), 'NaN points are the same');
  });
});

describe('comparison: tied to its file and model', () => {
  test('shown after a result of the same input and model, before (as its own view) a result of another file, never absent', () => {
    const same = { report: report({ input: { file: '/tmp/a.png', width: 2, height: 1 } }) };
    const otherFile = { report: report({ input: { file: '/tmp/open-the-door.wav', width: 2, height: 1 } }) };
    const otherModel = {
      report: report({ model: { name: 'other', kind: 'onnx', path: '/tmp/other.onnx', description: '' } }),
    };
    assert.equal(comparisonPlacement(same, comparison()), 'after');
    assert.equal(comparisonPlacement(otherFile, comparison()), 'before');
    assert.equal(comparisonPlacement(otherModel, comparison()), 'before');
    assert.equal(comparisonPlacement(undefined, comparison()), 'before');
    assert.equal(comparisonPlacement(same, undefined), 'none');
  });

  test('its heading names what it compares', () => {
    assert.equal(comparisonHeading(comparison()), 'Compare Methods: a.png');
  });
});

describe('comparison: the best value of each column', () => {
  test('lowest deletion AUC and time, highest insertion AUC and IoU; ties mark every row that holds the best', () => {
    const rows = [
      comparisonRow('dax', { deletionAuc: 0.1, insertionAuc: 0.8, totalMs: 900, iouAt02: 0.5 }),
      comparisonRow('rise', { deletionAuc: 0.3, insertionAuc: 0.8, totalMs: 400, iouAt02: 0.7 }),
      comparisonRow('lime', { deletionAuc: 0.2, insertionAuc: 0.6, totalMs: 500, iouAt02: Number.NaN }),
    ];
    const best = bestRows(rows);
    assert.deepEqual([...best.deletionAuc], [0]);
    assert.deepEqual([...best.insertionAuc], [0, 1]);
    assert.deepEqual([...best.totalMs], [1]);
    assert.deepEqual([...best.iouAt02], [1], 'NaN is never best');
    assert.deepEqual([...best.bestIou], [], 'a column nobody has marks nothing');
  });

  test('a single row marks nothing (there is nothing to beat)', () => {
    assert.deepEqual([...bestRows([comparisonRow('dax')]).deletionAuc], []);
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { audioFacts, reportFacts } from '../src/runFacts';
import { audioFindings, audioRunView, displayAudio, report, training } from './fixtures';

const asText = (facts: [string, string | Node][]) =>
  facts.map(([term, description]) => `${term}: ${String(description)}`);

describe('run facts of an audio result', () => {
  test('name the top interval with its length, the next ones, and the time IoU with the ground truth', () => {
    const view = audioRunView('a');
    assert.deepEqual(asText(audioFacts(view.report, view.display.audio)), [
      'Top interval: 0.35–0.65 s (0.30 s)',
      'Next intervals: 0.85–0.95 s',
      'Time IoU: 0.7143 with the ground truth 0.30–0.60 s',
    ]);
  });

  test('come right after the class, and the sound replaces the image resolution', () => {
    const view = audioRunView('a');
    const facts = asText(reportFacts(view.report, view.display.audio));
    const terms = facts.map((fact) => fact.split(':')[0]);
    assert.deepEqual(terms.slice(2, 6), ['Class', 'Top interval', 'Next intervals', 'Time IoU']);
    assert.ok(!terms.includes('Resolution'));
    assert.ok(
      facts.some(
        (fact) =>
          fact ===
          'Sound: 1.00 s at 8 kHz; spectrogram 64 mel bands × 11 frames (0 Hz to 4 kHz, FFT 512, hop 800); mask 1×1, 4 segments',
      ),
      facts.join('\n'),
    );
  });

  test('fall back to the display when the report has no findings (then without IoU)', () => {
    assert.deepEqual(asText(audioFacts(report(), displayAudio({ intervals: [{ start: 0.1, end: 0.2 }] }))), [
      'Top interval: 0.10–0.20 s (0.10 s)',
      'Ground truth: 0.30–0.60 s',
    ]);
  });

  test('say so when no interval stands out', () => {
    const facts = asText(audioFacts(report({ audio: audioFindings({ intervals: [], groundTruth: undefined }) })));
    assert.deepEqual(facts, ['Top interval: none: no moment stands out (the map is flat over time)']);
  });

  test('an image result has none, and keeps its resolution', () => {
    assert.deepEqual(audioFacts(report()), []);
    assert.ok(reportFacts(report()).some(([term]) => term === 'Resolution'));
  });
});

describe('the training facts', () => {
  test("come from DAX's training section: steps, epochs, and the training's share of the time", () => {
    const facts = asText(reportFacts(report({ training: training({ stoppedEarly: true }) })));
    assert.ok(facts.includes('Training: 2 steps in 1 epochs, stopped early (the mask settled)'), facts.join('\n'));
    assert.ok(facts.includes('Training time: 680 ms (68.0 %)'), facts.join('\n'));
  });
  test('are absent for a baseline, whose report has no training section', () => {
    const terms = reportFacts(report({ method: 'rise' })).map(([term]) => term);
    assert.ok(!terms.includes('Training') && !terms.includes('Training time'), terms.join(', '));
  });
});

describe("the student's fidelity, DAX's trust indicator", () => {
  test('is shown with its figures when the student learnt the model', () => {
    const facts = asText(
      reportFacts(
        report({ method: 'dax', training: training({ fidelity: { heldOut: 90, r2: 0.81, spearman: 0.9 } }) }),
      ),
    );
    assert.ok(
      facts.includes('Student fidelity: R² 0.81, rank correlation 0.90 on 90 held-out copies'),
      facts.join('\n'),
    );
  });
  test('warns in plain words when the student did not learn the model', () => {
    const fact = asText(
      reportFacts(
        report({ method: 'dax', training: training({ fidelity: { heldOut: 90, r2: 0.05, spearman: 0.2 } }) }),
      ),
    ).find((f) => f.startsWith('Student fidelity'));
    assert.match(
      fact ?? '',
      /Warning: the student did not learn to predict the model's answers, so this map says little/,
    );
  });
  test('is absent where no student was trained (the baselines, the pixel networks)', () => {
    assert.ok(!reportFacts(report({ method: 'lime' })).some(([term]) => term === 'Student fidelity'));
  });
});

describe("the map's readout, chosen by the black box", () => {
  test('names the readout the map is, its score, and the scores of the others', () => {
    const fact = asText(
      reportFacts(
        report({
          method: 'dax',
          training: training({
            readout: { candidates: ['masks', 'smooth', 'first-order'], scores: [0.41, 0.52, 0.3], chosen: 'smooth' },
          }),
        }),
      ),
    ).find((f) => f.startsWith('Map readout'));
    assert.equal(
      fact,
      "Map readout: the masks blurred by half a segment: the most faithful of 3 readouts by the model's own answers (insertion minus deletion 0.52; the masks as they are 0.41, the student's first-order effects 0.3)",
    );
  });
  test('is absent where nothing was judged', () => {
    assert.ok(!reportFacts(report({ method: 'dax' })).some(([term]) => term === 'Map readout'));
  });
});

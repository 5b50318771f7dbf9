// The judging of DAX's readouts by the black box: each candidate map is asked about along its own deletion and
// insertion orders, the comparison is paired (the same cuts and fills for every candidate), and the candidate
// whose top pixels carry the target wins.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeMaps, judgingCuts, descendingRanks, type PixelAsk } from '../../src/engine/methods/dax/mapJudge';

/** A black box over a 4 x 4 plane that answers the share of its evidence pixels (0, 1, 4, 5) a copy keeps. */
const EVIDENCE = [0, 1, 4, 5];
function recorder(): { ask: PixelAsk; copies: { kept: number[]; fill: number }[] } {
  const copies: { kept: number[]; fill: number }[] = [];
  const ask: PixelAsk = async (count, write) => {
    const answers: number[] = [];
    const kept = new Uint8Array(16);
    for (let i = 0; i < count; i++) {
      const fill = write(i, kept);
      copies.push({ kept: Array.from(kept), fill });
      answers.push(EVIDENCE.filter((p) => kept[p] === 1).length / EVIDENCE.length);
    }
    return answers;
  };
  return { ask, copies };
}

const onEvidence = Float32Array.from({ length: 16 }, (_, p) => (EVIDENCE.includes(p) ? 1 : 0));
const elsewhere = Float32Array.from({ length: 16 }, (_, p) => (EVIDENCE.includes(p) ? 0 : 1));

describe("judging DAX's readouts through the black box", () => {
  test('chooses the map whose top pixels the black box needs, whatever its place in the list', async () => {
    for (const candidates of [
      [
        { name: 'elsewhere', map: elsewhere },
        { name: 'on the evidence', map: onEvidence },
      ],
      [
        { name: 'on the evidence', map: onEvidence },
        { name: 'elsewhere', map: elsewhere },
      ],
    ]) {
      const judgement = await judgeMaps(candidates, 3, 2, recorder().ask);
      assert.equal(candidates[judgement.chosen]!.name, 'on the evidence');
      assert.ok(judgement.scores[judgement.chosen]! > Math.min(...judgement.scores));
    }
  });

  test('spends 2 · points · fills copies per candidate, with the same cuts and fills for each', async () => {
    const { ask, copies } = recorder();
    const judgement = await judgeMaps(
      [
        { name: 'a', map: onEvidence },
        { name: 'b', map: elsewhere },
      ],
      3,
      2,
      ask,
    );
    assert.equal(judgement.queries, 2 * 2 * 3 * 2);
    assert.equal(copies.length, judgement.queries);
    const perCandidate = copies.length / 2;
    const shape = (i: number) => [copies[i]!.fill, copies[i]!.kept.reduce((a, b) => a + b, 0)];
    for (let i = 0; i < perCandidate; i++) assert.deepEqual(shape(i), shape(i + perCandidate), `copy ${i}`);
    // Deletion then insertion at each cut: the two copies of a pair are complements.
    assert.ok(copies[0]!.kept.every((k, p) => k + copies[1]!.kept[p]! === 1));
  });

  test('ties go to the first candidate, so equal readouts keep the default', async () => {
    const judgement = await judgeMaps(
      [
        { name: 'first', map: onEvidence },
        { name: 'same', map: Float32Array.from(onEvidence) },
      ],
      2,
      1,
      recorder().ask,
    );
    assert.equal(judgement.chosen, 0);
  });

  test('cuts spread evenly over (0, 0.8], and ranks break ties by index', () => {
    judgingCuts(4).forEach((cut, i) => assert.ok(Math.abs(cut - [0.1, 0.3, 0.5, 0.7][i]!) < 1e-12, `cut ${i}: ${cut}`));
    assert.deepEqual(Array.from(descendingRanks(Float32Array.from([0.5, 1, 0.5, 0]))), [1, 0, 2, 3]);
  });
});

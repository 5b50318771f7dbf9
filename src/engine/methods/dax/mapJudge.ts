// Which of several readouts of the trained networks the black box itself finds most faithful. The student is
// judged by the student when the masks are optimised through it, so where it is wrong (a scattered set of units
// that it overrates) nothing inside the training can tell. A few copies along each candidate map's own deletion
// and insertion orders, asked of the black box, can: the candidate whose top pixels, taken away, lower the
// target most and, kept alone, restore it most wins. The candidates differ in how far the map is smoothed,
// which is what the evidence's shape decides (thin strokes of text against whole objects or spoken words) and no
// single setting gets right for both.

/** One readout of the networks, one value per pixel of the units' plane (larger = more salient). */
export interface MapCandidate {
  name: string;
  map: Float32Array;
}

/** The black box's verdict: a score per candidate (insertion minus deletion, averaged over the cuts). */
export interface Judgement {
  chosen: number;
  scores: number[];
  queries: number;
}

/**
 * Asks the black box about `count` copies; `write(i, kept)` fills `kept` (one 0/1 per pixel of the plane) for
 * copy i and returns the index of the fill its removed pixels show. Resolves with the target's answer per copy,
 * on the scale the candidates are compared on.
 */
export type PixelAsk = (count: number, write: (i: number, kept: Uint8Array) => number) => Promise<number[]>;

/**
 * Shares of the plane's pixels removed (deletion) or kept (insertion) at the judging points: evenly spread over
 * (0, 0.8], the part of the curves where maps differ (past it both curves are near their ends).
 */
export function judgingCuts(points: number): number[] {
  return Array.from({ length: points }, (_, p) => (0.8 * (p + 0.5)) / points);
}

/** Rank of every value (a pixel's, a unit's), largest first; ties by index, so a flat map ranks reproducibly. */
export function descendingRanks(map: Float32Array): Int32Array {
  const order = Array.from(map.keys()).sort((a, b) => map[b]! - map[a]! || a - b);
  const rankOf = new Int32Array(map.length);
  order.forEach((pixel, rank) => (rankOf[pixel] = rank));
  return rankOf;
}

/**
 * Spends 2 · points · fills · candidates queries: for each candidate, cut and fill, one copy with its top pixels
 * removed and one with only them kept (the same cuts and fills for every candidate, so the comparison is paired).
 * Ties go to the earlier candidate; another than the first wins only by more than `margin`.
 */
export async function judgeMaps(
  candidates: readonly MapCandidate[],
  points: number,
  fills: number,
  ask: PixelAsk,
  margin = 0,
): Promise<Judgement> {
  const cuts = judgingCuts(points);
  const ranks = candidates.map((c) => descendingRanks(c.map));
  const perCandidate = 2 * points * fills;
  const answers = await ask(candidates.length * perCandidate, (i, kept) => {
    const c = Math.floor(i / perCandidate);
    const j = i % perCandidate;
    const pair = Math.floor(j / 2);
    const point = Math.floor(pair / fills);
    const deleting = j % 2 === 0;
    const rankOf = ranks[c]!;
    const cut = Math.round(cuts[point]! * rankOf.length);
    for (let p = 0; p < rankOf.length; p++) {
      const top = rankOf[p]! < cut;
      kept[p] = (deleting ? !top : top) ? 1 : 0;
    }
    return pair % fills;
  });
  const scores = candidates.map((_, c) => {
    let sum = 0;
    for (let pair = 0; pair < points * fills; pair++) {
      const at = c * perCandidate + 2 * pair;
      sum += answers[at + 1]! - answers[at]!;
    }
    return sum / (points * fills);
  });
  // The first candidate (the default readout) keeps its place unless another beats it by `margin`: a few cuts
  // measure the curves only roughly, and a readout chosen on a hair's breadth trades precision for nothing.
  let chosen = 0;
  scores.forEach((score, c) => {
    if (score > scores[chosen]! && score > scores[0]! + margin) chosen = c;
  });
  return { chosen, scores, queries: answers.length };
}

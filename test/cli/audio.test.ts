// `dax explain` on sounds as a user meets it: DAX on real speech, a real wake-word chain end to end, and every kind
// of bad audio refused with exit 2, a message naming the file, and no files left behind.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import sharp from 'sharp';
import { execFileSync } from 'node:child_process';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { decodeAudio } from '../../src/engine/audio/decodeAudio';
import { encodeWav } from '../../src/engine/audio/encodeWav';
import { loadModelConfig } from '../../src/engine/blackbox/modelConfig';
import { openAudioClassifier } from '../../src/engine/blackbox/openAudioClassifier';
import { listDir, tempDir } from '../helpers/files';
import { runCli, ROOT } from '../helpers/cli';

const wakeWordModel = path.join(ROOT, 'test', 'fixtures', 'wakeword', 'hey-jarvis.model.json');
const speechModel = path.join(ROOT, 'examples', 'speech', 'speech-activity.model.json');
const imageModel = path.join(ROOT, 'examples', 'text-direction.model.json');
const speechClip = path.join(ROOT, 'examples', 'speech', 'open-the-door.wav');
const RATE = 16000;
let dir: string;

before(async () => {
  dir = await tempDir('dax-cli-audio-');
});

/** `seconds` of a 440 Hz tone at 16 kHz, in each of `channels` channels. */
function tone(seconds: number, channels = 1): Float32Array[] {
  const samples = Float32Array.from(
    { length: Math.round(seconds * RATE) },
    (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / RATE),
  );
  return Array.from({ length: channels }, () => samples);
}

async function writeInput(name: string, bytes: Uint8Array): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return file;
}

describe('dax explain with DAX on real speech at a known offset (Silero VAD)', () => {
  // "open the door" (espeak-ng) at 0.25-1.05 s of a 3 s clip in pink noise at 12 dB SNR (test/fixtures/speech).
  // Measured at --preset fast on wasm, top interval's time IoU for seeds 0, 1, 2: 0.730, 0.571, 0.890 (0-1.09 s,
  // 0-1.40 s, 0.20-1.09 s). Floor 0.5: an interval over the whole clip scores 0.27, one on the noise after the
  // speech 0, so only a map whose top interval is mostly the utterance passes; seed 0 (the default) has 0.23 of room.
  // This is the bundled example, not a claim about speech in general: at fast, "what time is it" (1.1-1.9 s) gave
  // 0.37, 0.26, 0.37 and "please call me back" (1.8-2.85 s) 0, 0, 0.95 (top interval on the clip's first second);
  // the benchmark's figures over the speech set are in docs/benchmarks/quick.md (npm run bench:quick).
  // Kept/removed scores are not asserted: the VAD gives the whole clip only p = 0.34 and the quieter kept sound
  // scores lower still (0.31 vs 0.39 removed, seed 0), so those numbers say nothing about the map here.
  test('the top interval at --preset fast is the utterance (time IoU ≥ 0.5), within 500 queries', async () => {
    const out = path.join(dir, 'speech');
    const result = await runCli([
      'explain',
      speechClip,
      '--model',
      speechModel,
      '--ground-truth',
      '0.25-1.047625',
      '--preset',
      'fast',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout).results[0].report;
    assert.equal(report.method, 'dax');
    assert.equal(report.target.label, 'speech');
    assert.ok(report.queries <= 500, `queries ${report.queries}`);
    const iou = report.audio.groundTruth.timeIou;
    assert.ok(iou >= 0.5, `time IoU ${iou}, intervals ${JSON.stringify(report.audio.intervals)}`);
  });
});

describe('dax explain on a real wake-word chain (openWakeWord "hey jarvis")', () => {
  // The chain costs ~80-100 ms per query on these 2-core machines: one run per method in this file.
  //
  // Measured on light-then-hey-jarvis.wav ("turn off the light" at 0.2-1.08 s, "hey jarvis" at 2.2-2.91 s; wasm):
  // - Occlusion (full-band 0.2 s time segments, 470 queries at fast, no randomness): top interval 2.06-3.04 s,
  //   time IoU 0.723; "hey jarvis" on the kept sound 0.993, on the removed one 0.000.
  // - DAX at --preset fast, seeds 0, 1, 2: time IoU 0.761, 0.986, 0.631 since DAX imitates log-odds when most
  //   copies answer near zero (median 0.004 here); before, 0, 0, 0 (the top interval on the other utterance).
  //   Its kept/removed sounds are not a clean split: "hey jarvis" 0.98/0.98, 0.39/0.88, 0.77/0.00 for seeds 0-2,
  //   as this model still fires on the wake word at 10 % volume (0.26), so input x (1 - M) keeps firing.
  // The floor 0.6 leaves room for another backend's rounding and fails on anything that misses the wake word
  // (the other utterance has IoU 0 with it).
  test('writes the five files; the top interval is the wake word; the kept sound keeps it and the removed one does not', async () => {
    const clips = JSON.parse(await readFile(path.join(ROOT, 'test', 'fixtures', 'wakeword', 'clips.json'), 'utf8')) as {
      file: string;
      start: number;
      end: number;
    }[];
    const clip = clips.find((c) => c.file === 'light-then-hey-jarvis.wav')!;
    const input = path.join(ROOT, 'test', 'fixtures', 'wakeword', clip.file);
    const out = path.join(dir, 'wakeword');
    const result = await runCli([
      'explain',
      input,
      '--model',
      wakeWordModel,
      '--target',
      'hey jarvis',
      '--ground-truth',
      `${clip.start}-${clip.end}`,
      '--preset',
      'fast',
      '--method',
      'occlusion',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const stem = 'light-then-hey-jarvis.occlusion';
    const suffixes = ['dax.json', 'kept.wav', 'mask.png', 'removed.wav', 'saliency.png'];
    assert.deepEqual(
      await listDir(out),
      suffixes.map((suffix) => `${stem}.${suffix}`),
    );

    const { results } = JSON.parse(result.stdout);
    assert.equal(results.length, 1);
    const report = results[0].report;
    assert.deepEqual(
      JSON.parse(await readFile(path.join(out, `${stem}.dax.json`), 'utf8')).audio,
      report.audio,
      'the file holds the printed report',
    );
    assert.equal(report.target.label, 'hey jarvis');
    assert.ok(report.target.probability > 0.9, `p = ${report.target.probability}`);
    assert.ok(report.queries <= 500, `queries ${report.queries}`);
    assert.deepEqual([report.audio.groundTruth.start, report.audio.groundTruth.end], [clip.start, clip.end]);
    const iou = report.audio.groundTruth.timeIou;
    assert.ok(iou >= 0.6, `time IoU ${iou}, intervals ${JSON.stringify(report.audio.intervals)}`);
    const frames = 1 + Math.floor((4 * RATE) / 128);
    assert.deepEqual([report.input.width, report.input.height, report.audio.timeSaliency.length], [frames, 64, frames]);

    const mask = await sharp(path.join(out, `${stem}.mask.png`)).metadata();
    assert.deepEqual([mask.width, mask.height, mask.channels], [frames, 64, 1], 'one pixel per spectrogram cell');
    const saliency = await sharp(path.join(out, `${stem}.saliency.png`)).metadata();
    assert.equal(saliency.channels, 3);

    const original = await decodeAudio(input);
    const kept = await decodeAudio(path.join(out, `${stem}.kept.wav`));
    const removed = await decodeAudio(path.join(out, `${stem}.removed.wav`));
    for (const sound of [kept, removed]) {
      assert.equal(sound.samples.length, original.samples.length);
      assert.equal(sound.sampleRate, original.sampleRate);
      assert.equal(sound.channels, 1);
    }
    const model = await openAudioClassifier(await loadModelConfig(wakeWordModel));
    try {
      const [keptRow, removedRow] = await model.classify({ images: [kept.samples, removed.samples] });
      assert.ok(
        keptRow![1]! > removedRow![1]! + 0.5,
        `"hey jarvis" on the kept sound ${keptRow![1]}, on the removed one ${removedRow![1]}`,
      );
    } finally {
      await model.dispose();
    }
  });

  test('DAX\'s pixel networks at --preset fast find "hey jarvis" too (time IoU ≥ 0.6), imitating the log-odds of the sparse answers', async () => {
    const clip = { file: 'light-then-hey-jarvis.wav', start: 2.2, end: 2.9059375 };
    const result = await runCli([
      'explain',
      path.join(ROOT, 'test', 'fixtures', 'wakeword', clip.file),
      '--model',
      wakeWordModel,
      '--target',
      'hey jarvis',
      '--ground-truth',
      `${clip.start}-${clip.end}`,
      '--preset',
      'fast',
      '--network',
      'pixels',
      '--out',
      path.join(dir, 'wakeword-dax'),
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout).results[0].report;
    assert.equal(report.method, 'dax');
    assert.deepEqual([report.config.targetScaleUsed, report.config.maskReadoutUsed], ['logit', 'input']);
    const iou = report.audio.groundTruth.timeIou;
    assert.ok(iou >= 0.6, `time IoU ${iou}, intervals ${JSON.stringify(report.audio.intervals)}`);
  });

  // The default segment networks put the top interval at 1.0-3.0 s on this clip (time IoU 0.35): their map,
  // the sum of masks up to 40 % of the cells, is broad in time where the answers are sparse. See the DAX issue.
  test.todo(
    'DAX\'s default segment networks at --preset fast find "hey jarvis" in light-then-hey-jarvis.wav (time IoU ≥ 0.6; 0.35 today)',
  );
  test.todo(
    "DAX's kept sound outscores its removed one on the wake word (see above: the continuous mask leaves the removed sound firing)",
  );
});

describe('dax explain refuses bad audio with exit 2, naming the file, leaving no files', () => {
  const cases: [string, () => Uint8Array | Promise<Uint8Array>, RegExp][] = [
    ['empty.wav', () => new Uint8Array(0), /empty/],
    ['truncated.wav', () => encodeWav(tone(1), RATE).subarray(0, 30), /truncated/],
    ['zero-hz.wav', () => encodeWav(tone(1), 0), /sample rate of 0 Hz/],
    ['picture.wav', () => readFile(path.join(ROOT, 'examples', 'stationery-sign.jpg')), /not an audio file/],
    ['too-short.wav', () => encodeWav(tone(0.01), RATE), /0\.010 s long; at least 0\.032 s/],
  ];
  for (const [name, bytes, message] of cases) {
    test(name, async () => {
      const input = await writeInput(name, await bytes());
      const out = path.join(dir, `out-${name}`);
      const result = await runCli(['explain', input, '--model', speechModel, '--out', out]);
      assert.equal(result.code, 2, result.stderr);
      assert.ok(result.stderr.includes(`${input}: `), `names the file: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.deepEqual(await listDir(out), []);
    });
  }

  test('a 61-second clip, from its header, as fast as an empty file (the default --max-seconds is 60)', async () => {
    const empty = await writeInput('empty-again.wav', new Uint8Array(0));
    const long = await writeInput('long.wav', encodeWav(tone(61), RATE));
    let started = performance.now();
    const baseline = await runCli([
      'explain',
      empty,
      '--model',
      speechModel,
      '--out',
      path.join(dir, 'out-empty-again'),
    ]);
    const emptyMs = performance.now() - started;
    assert.equal(baseline.code, 2);
    started = performance.now();
    const result = await runCli(['explain', long, '--model', speechModel, '--out', path.join(dir, 'out-long')]);
    const longMs = performance.now() - started;
    assert.equal(result.code, 2, result.stderr);
    assert.ok(result.stderr.includes(`${long}: `), result.stderr);
    assert.match(result.stderr, /1 min 1\.0 s long, above the limit of 1 min/);
    // Both runs pay Node's start, the bundle's load and the backend's start; the refusal itself adds little.
    assert.ok(longMs < emptyMs + 1000, `refused in ${longMs.toFixed(0)} ms (an empty file: ${emptyMs.toFixed(0)} ms)`);
    assert.deepEqual(await listDir(path.join(dir, 'out-long')), []);
  });

  test('a sparse 1.15 GB WAV is refused from its header, as fast as an empty file: the input is not hashed first', async () => {
    const empty = await writeInput('empty-sparse.wav', new Uint8Array(0));
    const dataBytes = 1_150_000_000;
    const header = Buffer.from(encodeWav(tone(0.01), RATE).subarray(0, 44));
    header.writeUInt32LE(36 + dataBytes, 4);
    header.writeUInt32LE(dataBytes, 40);
    const sparse = await writeInput('sparse.wav', header);
    await truncate(sparse, 44 + dataBytes);
    for (const batch of [false, true]) {
      let started = performance.now();
      const baseline = await runCli([
        'explain',
        batch ? `${dir}/empty-sparse.w?v` : empty,
        '--model',
        speechModel,
        '--out',
        path.join(dir, 'out-empty-sparse'),
      ]);
      const emptyMs = performance.now() - started;
      assert.equal(baseline.code, 2);
      started = performance.now();
      const out = path.join(dir, `out-sparse-${batch}`);
      const result = await runCli([
        'explain',
        batch ? `${dir}/sparse.w?v` : sparse,
        '--model',
        speechModel,
        '--out',
        out,
      ]);
      const sparseMs = performance.now() - started;
      assert.equal(result.code, 2, result.stderr);
      assert.match(
        result.stderr,
        /sparse\.wav: the audio is 9 h \d+ min|sparse\.wav: the audio is .* above the limit of 1 min/,
      );
      assert.ok(
        sparseMs < emptyMs + 1000,
        `refused in ${sparseMs.toFixed(0)} ms (an empty file: ${emptyMs.toFixed(0)} ms)`,
      );
    }
  });

  test('a FIFO named like a sound is refused, not read', async () => {
    const fifo = path.join(dir, 'pipe.wav');
    execFileSync('mkfifo', [fifo]);
    const out = path.join(dir, 'out-fifo');
    const result = await runCli(['explain', fifo, '--model', speechModel, '--out', out], { timeoutMs: 60_000 });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /pipe\.wav: is not a file/);
    assert.deepEqual(await listDir(out), []);
  });

  test('--max-seconds lowers the limit', async () => {
    const input = await writeInput('one-second.wav', encodeWav(tone(1), RATE));
    const out = path.join(dir, 'out-max-seconds');
    const result = await runCli(['explain', input, '--model', speechModel, '--max-seconds', '0.5', '--out', out]);
    assert.equal(result.code, 2, result.stderr);
    assert.ok(result.stderr.includes(`${input}: `), result.stderr);
    assert.match(result.stderr, /above the limit of 0\.5 s/);
    assert.deepEqual(await listDir(out), []);
  });

  test('8 channels are mixed to mono and explained (DAX with a tiny budget, speech-activity model)', async () => {
    const input = await writeInput('eight-channels.wav', encodeWav(tone(1, 8), RATE));
    const out = path.join(dir, 'out-eight');
    const result = await runCli([
      'explain',
      input,
      '--model',
      speechModel,
      '--samples',
      '20',
      '--epochs',
      '1',
      '--out',
      out,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await listDir(out), [
      'eight-channels.dax.json',
      'eight-channels.kept.wav',
      'eight-channels.mask.png',
      'eight-channels.removed.wav',
      'eight-channels.saliency.png',
    ]);
    assert.match(result.stdout, /eight-channels\.wav: "(speech|no speech)" \(class [01]\), p = /);
    assert.match(result.stdout, /top interval: (\d+\.\d\d-\d+\.\d\d s|none \(flat map\)) of 1\.00 s/);
    const report = JSON.parse(await readFile(path.join(out, 'eight-channels.dax.json'), 'utf8'));
    assert.equal(report.method, 'dax');
    assert.equal(report.queries, 20);
    assert.equal(report.audio.durationSeconds, 1);
    assert.deepEqual([report.input.width, report.input.height], [1 + RATE / 128, 64]);
    assert.equal(report.outputs.kept, path.join(out, 'eight-channels.kept.wav'));
    const kept = await decodeAudio(path.join(out, 'eight-channels.kept.wav'));
    assert.deepEqual([kept.channels, kept.samples.length], [1, RATE]);
  });
});

describe('dax explain refuses mismatches before any work', () => {
  test('--ground-truth that is not START-END, or ends before it starts: exit 2', async () => {
    for (const truth of ['3-1', 'abc']) {
      const out = path.join(dir, `out-truth-${truth}`);
      const result = await runCli([
        'explain',
        speechClip,
        '--model',
        speechModel,
        '--ground-truth',
        truth,
        '--out',
        out,
      ]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`--ground-truth: .*"${truth}"`));
      assert.deepEqual(await listDir(out), []);
    }
  });

  test('a sound with an image model: exit 2, naming the file', async () => {
    const out = path.join(dir, 'out-image-model');
    const result = await runCli(['explain', speechClip, '--model', imageModel, '--out', out]);
    assert.equal(result.code, 2, result.stderr);
    assert.ok(result.stderr.includes(`${speechClip}: `), result.stderr);
    assert.match(result.stderr, /is a sound, but .* is an image model/);
    assert.deepEqual(await listDir(out), []);
  });

  test('an image with an audio model: exit 2 naming the image and saying the model takes sounds', async () => {
    const image = path.join(ROOT, 'examples', 'stationery-sign.jpg');
    const out = path.join(dir, 'out-audio-model');
    const result = await runCli(['explain', image, '--model', speechModel, '--out', out]);
    assert.equal(result.code, 2);
    assert.ok(result.stderr.includes('stationery-sign.jpg: '), result.stderr);
    assert.match(result.stderr, /is an image, but .* is an audio model/);
    assert.deepEqual(await listDir(out), []);
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  audioProblem,
  curveFractions,
  formatHz,
  formatInterval,
  formatSeconds,
  fractionToTime,
  frequencyAt,
  frequencyFraction,
  frequencyTicks,
  hzToMel,
  intervalPixels,
  intervalSpan,
  isAudioFileName,
  melToHz,
  playbackPosition,
  seekOffset,
  ticksThatFit,
  timeExtent,
  timeStep,
  timeTicks,
  timeToFraction,
} from '../src/audioTimeline';
import { displayAudio } from './fixtures';

const close = (actual: number, expected: number, message?: string, tolerance = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${message ?? ''} expected ${expected}, got ${actual}`);

describe('time on the spectrogram', () => {
  test('the picture covers the frames, each half a frame either side of its centre', () => {
    // 11 frames 0.1 s apart: centres 0 … 1 s, edges −0.05 … 1.05 s.
    const extent = timeExtent(displayAudio());
    close(extent.start, -0.05);
    close(extent.end, 1.05);
  });

  test('each point of the curve lies over the middle of its column', () => {
    const audio = displayAudio();
    const xs = curveFractions(audio.timeSaliency.length, audio.frameSeconds, timeExtent(audio));
    for (let t = 0; t < xs.length; t++) close(xs[t]!, (t + 0.5) / 11, `point ${t}`);
  });

  test('without a curve the picture spans the duration', () => {
    assert.deepEqual(timeExtent({ timeSaliency: new Float32Array(0), frameSeconds: 0.1, durationSeconds: 2 }), {
      start: 0,
      end: 2,
    });
    assert.deepEqual(timeExtent({ timeSaliency: new Float32Array(3), frameSeconds: 0, durationSeconds: 2 }), {
      start: 0,
      end: 2,
    });
  });

  test('time and fraction are inverse inside the picture, and clamped outside it', () => {
    const extent = { start: 0, end: 2 };
    for (const t of [0, 0.3, 1, 1.99]) close(fractionToTime(timeToFraction(t, extent), extent), t);
    assert.equal(timeToFraction(-1, extent), 0);
    assert.equal(timeToFraction(5, extent), 1);
    assert.equal(timeToFraction(Number.NaN, extent), 0);
    assert.equal(fractionToTime(1.5, extent), 2);
    // A click on the left half-frame of the picture is before 0 s: it plays from the start.
    assert.equal(fractionToTime(0, { start: -0.05, end: 1.05 }), 0);
  });

  test('an interval becomes the share of the width it covers, clamped, and at least a pixel wide', () => {
    const extent = { start: 0, end: 2 };
    assert.deepEqual(intervalSpan({ start: 0.5, end: 1 }, extent), { from: 0.25, to: 0.5 });
    assert.deepEqual(intervalSpan({ start: 1.5, end: 3 }, extent), { from: 0.75, to: 1 });
    assert.deepEqual(intervalPixels({ start: 0.5, end: 1 }, extent, 400), { x: 100, width: 100 });
    assert.deepEqual(intervalPixels({ start: 1, end: 1 }, extent, 400), { x: 200, width: 1 });
  });
});

describe('time ticks', () => {
  test('use an easy step that fits the count', () => {
    assert.equal(timeStep(1, 6), 0.2);
    assert.equal(timeStep(1, 11), 0.1);
    assert.equal(timeStep(10, 6), 2);
    assert.equal(timeStep(3, 4), 1);
    assert.equal(timeStep(0.05, 6), 0.01);
  });

  test('start at 0 s, stay inside the picture, and read as seconds', () => {
    const ticks = timeTicks({ start: -0.05, end: 1.05 }, 6);
    assert.deepEqual(
      ticks.map((tick) => tick.label),
      ['0 s', '0.25 s', '0.50 s', '0.75 s', '1.00 s'],
    );
    assert.deepEqual(
      timeTicks({ start: -0.05, end: 1.05 }, 7).map((tick) => tick.label),
      ['0 s', '0.2 s', '0.4 s', '0.6 s', '0.8 s', '1.0 s'],
    );
    close(ticks[0]!.fraction, 0.05 / 1.1);
    for (const tick of ticks) assert.ok(tick.fraction >= 0 && tick.fraction <= 1);
  });

  test('are never more than asked for, whatever the length', () => {
    for (const end of [0.03, 0.5, 1, 2.7, 9.9, 61, 600]) {
      for (const most of [2, 3, 5, 8]) {
        const ticks = timeTicks({ start: 0, end }, most);
        assert.ok(ticks.length >= 1 && ticks.length <= most, `${end} s, at most ${most}: ${ticks.length}`);
        for (let i = 1; i < ticks.length; i++) assert.ok(ticks[i]!.value > ticks[i - 1]!.value);
      }
    }
  });

  test('keep the labels at the ends inside the axis', () => {
    const ticks = timeTicks({ start: 0, end: 1 }, 6);
    assert.equal(ticks[0]!.anchor, 'start');
    assert.equal(ticks.at(-1)!.anchor, 'end');
    assert.equal(ticks[1]!.anchor, 'middle');
  });

  test("are written with the step's decimals, and in minutes for long sounds", () => {
    assert.equal(formatSeconds(0.5, 0.5), '0.5 s');
    assert.equal(formatSeconds(0.25, 0.25), '0.25 s');
    assert.equal(formatSeconds(0.3, 0.1), '0.3 s');
    assert.equal(formatSeconds(0.05, 0.05), '0.05 s');
    assert.equal(formatSeconds(2, 1), '2 s');
    assert.equal(formatSeconds(90, 30, true), '1:30');
    assert.deepEqual(
      timeTicks({ start: 0, end: 120 }, 3).map((tick) => tick.label),
      ['0:00', '1:00', '2:00'],
    );
  });

  test('fit the axis: one label per ~72 pixels, at least two', () => {
    assert.equal(ticksThatFit(720, 72), 10);
    assert.equal(ticksThatFit(50, 72), 2);
    assert.equal(ticksThatFit(Number.NaN, 72), 2);
  });
});

describe('the frequency axis', () => {
  test("mel is Slaney's scale (librosa's default), as the engine's filterbank", () => {
    assert.equal(hzToMel(1000), 15);
    close(hzToMel(500), 7.5);
    close(hzToMel(6400), 42, undefined, 1e-9);
    for (const hz of [0, 123, 999, 1000, 4321, 16000]) close(melToHz(hzToMel(hz)), hz, `${hz} Hz`, 1e-6);
  });

  test('a linear axis spaces the rows evenly', () => {
    const axis = { lowHz: 0, highHz: 8000, scale: 'linear' as const };
    assert.equal(frequencyAt(0.5, axis), 4000);
    assert.equal(frequencyFraction(2000, axis), 0.25);
  });

  test('a mel axis gives the low frequencies more room', () => {
    const axis = { lowHz: 0, highHz: 8000, scale: 'mel' as const };
    close(frequencyFraction(1000, axis), 15 / hzToMel(8000));
    assert.ok(frequencyFraction(1000, axis) > 0.3, '1 kHz lies a third of the way up, not an eighth');
    close(frequencyAt(frequencyFraction(2500, axis), axis), 2500, undefined, 1e-6);
    assert.equal(frequencyAt(0, axis), 0);
    close(frequencyAt(1, axis), 8000, undefined, 1e-6);
  });

  test('ticks label the bottom and top edges, and round frequencies between them where they lie', () => {
    const linear = frequencyTicks({ lowHz: 0, highHz: 8000, scale: 'linear' }, 5);
    assert.deepEqual(
      linear.map((tick) => tick.label),
      ['0 Hz', '2 kHz', '4 kHz', '6 kHz', '8 kHz'],
    );
    assert.deepEqual(
      linear.map((tick) => tick.fraction),
      [0, 0.25, 0.5, 0.75, 1],
    );
    assert.equal(linear[0]!.anchor, 'end');
    assert.equal(linear.at(-1)!.anchor, 'start');

    const mel = frequencyTicks({ lowHz: 0, highHz: 8000, scale: 'mel' }, 8);
    assert.deepEqual(
      mel.map((tick) => tick.label),
      ['0 Hz', '500 Hz', '1 kHz', '2 kHz', '5 kHz', '8 kHz'],
    );
    // Fewer labels: 500 Hz (a sixth of the way up on this axis) would crowd 0 Hz.
    assert.deepEqual(
      frequencyTicks({ lowHz: 0, highHz: 8000, scale: 'mel' }, 6).map((tick) => tick.label),
      ['0 Hz', '1 kHz', '2 kHz', '8 kHz'],
    );
    const axis = { lowHz: 0, highHz: 8000, scale: 'mel' as const };
    for (const tick of mel) close(tick.fraction, frequencyFraction(tick.value, axis));
  });

  test('ticks never crowd: at most the count asked for, a count-th of the height apart', () => {
    for (const axis of [
      { lowHz: 0, highHz: 8000, scale: 'mel' as const },
      { lowHz: 20, highHz: 22050, scale: 'mel' as const },
      { lowHz: 0, highHz: 4000, scale: 'linear' as const },
      { lowHz: 300, highHz: 3400, scale: 'linear' as const },
    ]) {
      for (const most of [2, 4, 6, 9]) {
        const ticks = frequencyTicks(axis, most);
        assert.ok(ticks.length <= most, `${JSON.stringify(axis)} at most ${most}: ${ticks.length}`);
        assert.equal(ticks[0]!.value, axis.lowHz);
        assert.equal(ticks.at(-1)!.value, axis.highHz);
        for (let i = 1; i < ticks.length; i++)
          assert.ok(
            ticks[i]!.fraction - ticks[i - 1]!.fraction >= 1 / most - 1e-9,
            `${JSON.stringify(axis)}: ${ticks.map((t) => t.label)}`,
          );
      }
    }
  });

  test('frequencies read in Hz below 1 kHz and in kHz above', () => {
    assert.equal(formatHz(0), '0 Hz');
    assert.equal(formatHz(440.4), '440 Hz');
    assert.equal(formatHz(1000), '1 kHz');
    assert.equal(formatHz(2500), '2.5 kHz');
    assert.equal(formatHz(22050), '22.05 kHz');
  });
});

describe('intervals and playback', () => {
  test('intervals read as start–end in seconds', () => {
    assert.equal(formatInterval({ start: 0.35, end: 0.65 }), '0.35–0.65 s');
    assert.equal(formatInterval({ start: 0.1, end: 0.12 }), '0.100–0.120 s');
  });

  test('the playback position follows the context clock from the start offset, and is gone at the end', () => {
    const start = { contextTime: 10, offset: 0.25 };
    assert.equal(playbackPosition(start, 10, 1), 0.25);
    close(playbackPosition(start, 10.5, 1)!, 0.75);
    assert.equal(playbackPosition(start, 10.75, 1), undefined);
    assert.equal(playbackPosition(start, 9, 1), 0.25, 'never before the offset');
    close(playbackPosition(start, 10.5, 1, 0.1)!, 0.65, 'the output latency delays what is heard');
    close(playbackPosition(start, 10.5, 1, 9)!, 0.25, 'an absurd latency is capped at 0.5 s');
  });

  test('seeking stays inside the sound, and near its end starts over', () => {
    assert.equal(seekOffset(0.4, 1), 0.4);
    assert.equal(seekOffset(-1, 1), 0);
    assert.equal(seekOffset(0.99, 1), 0);
    assert.equal(seekOffset(Number.NaN, 1), 0);
  });

  test('sounds that cannot be played are reported', () => {
    assert.equal(audioProblem(displayAudio()), undefined);
    assert.match(audioProblem(displayAudio({ sampleRate: 100 })) ?? '', /sample rate 100 Hz/);
    assert.match(audioProblem(displayAudio({ original: new Float32Array(0) })) ?? '', /no samples/);
    assert.match(audioProblem(displayAudio({ kept: new Float32Array(3) })) ?? '', /kept sound has 3 samples/);
  });

  test('sound files are told by their names', () => {
    for (const name of ['a.wav', 'B.FLAC', 'c.mp3', 'd.ogg']) assert.ok(isAudioFileName(name), name);
    for (const name of ['a.png', 'wav.jpg', 'x']) assert.ok(!isAudioFileName(name), name);
  });
});

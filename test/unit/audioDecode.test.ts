import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { decodeAudio } from '../../src/engine/audio/decodeAudio';
import { encodeWav, type WavEncoding } from '../../src/engine/audio/encodeWav';
import { DaxError } from '../../src/engine/core/errors';
import { tempDir } from '../helpers/files';

const fixtures = path.join(__dirname, '..', 'fixtures', 'audio');
let dir: string;

before(async () => {
  dir = await tempDir('dax-audio-');
});

function isInputError(pattern: RegExp, file?: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof DaxError, `expected a DaxError, got ${String(error)}`);
    assert.equal(error.kind, 'input');
    assert.match(error.message, pattern);
    if (file) assert.ok(error.message.startsWith(`${file}: `), `the message names the file: ${error.message}`);
    return true;
  };
}

/** The fixtures' signal (see test/fixtures/audio/LICENSE.md): left 0.5·sin 440 Hz, right 0.3·sin 1 kHz. */
const left = (t: number) => 0.5 * Math.sin(2 * Math.PI * 440 * t);
const right = (t: number) => 0.3 * Math.sin(2 * Math.PI * 1000 * t);
const monoMix = (t: number) => (left(t) + right(t)) / 2;

function render(f: (t: number) => number, rate: number, seconds: number): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = f(i / rate);
  return out;
}

/** Signal-to-noise ratio (dB) of `samples` against `expected` at `rate`, skipping 50 ms at each end. */
function snrDb(samples: Float32Array, expected: (t: number) => number, rate: number): number {
  let signal = 0;
  let noise = 0;
  const skip = Math.round(0.05 * rate);
  for (let i = skip; i < samples.length - skip; i++) {
    const e = expected(i / rate);
    signal += e * e;
    noise += (samples[i]! - e) ** 2;
  }
  return 10 * Math.log10(signal / noise);
}

function maxError(samples: Float32Array, expected: (t: number) => number, rate: number): number {
  let max = 0;
  for (let i = 0; i < samples.length; i++) max = Math.max(max, Math.abs(samples[i]! - expected(i / rate)));
  return max;
}

/** Frequency (1 Hz steps within [from, to]) with the largest DFT magnitude, and that magnitude as an amplitude. */
function peakFrequency(
  samples: Float32Array,
  rate: number,
  from: number,
  to: number,
): { hz: number; amplitude: number } {
  let best = { hz: from, amplitude: -1 };
  for (let hz = from; hz <= to; hz++) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < samples.length; i++) {
      re += samples[i]! * Math.cos((2 * Math.PI * hz * i) / rate);
      im -= samples[i]! * Math.sin((2 * Math.PI * hz * i) / rate);
    }
    const amplitude = (2 * Math.hypot(re, im)) / samples.length;
    if (amplitude > best.amplitude) best = { hz, amplitude };
  }
  return best;
}

async function writeWav(
  name: string,
  channels: Float32Array[],
  rate: number,
  encoding?: WavEncoding,
  extensible?: boolean,
): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, encodeWav(channels, rate, { encoding, extensible }));
  return file;
}

describe('decoding WAV', () => {
  const rate = 22050;
  const channels = [render(left, rate, 0.5), render(right, rate, 0.5)];
  // Worst error of each encoding against the exact mono mix: half a quantisation step (8, 16 bits), float32
  // rounding beyond.
  const encodings: [string, WavEncoding, number][] = [
    ['8-bit PCM', { bits: 8 }, 0.5 / 128 + 1e-4],
    ['16-bit PCM', { bits: 16 }, 0.5 / 32768 + 1e-6],
    ['24-bit PCM', { bits: 24 }, 1e-6],
    ['32-bit PCM', { bits: 32 }, 1e-6],
    ['32-bit float', { float: true, bits: 32 }, 1e-7],
    ['64-bit float', { float: true, bits: 64 }, 1e-7],
  ];
  for (const [label, encoding, tolerance] of encodings) {
    for (const extensible of [false, true]) {
      test(`${label}${extensible ? ' (WAVE_FORMAT_EXTENSIBLE)' : ''} decodes to the mono mix of its channels`, async () => {
        const file = await writeWav(
          `tones-${encoding.bits}${encoding.float ? 'f' : ''}${extensible ? 'x' : ''}.wav`,
          channels,
          rate,
          encoding,
          extensible,
        );
        const audio = await decodeAudio(file);
        assert.deepEqual(
          [audio.format, audio.channels, audio.sampleRate, audio.sourceSampleRate, audio.samples.length],
          ['wav', 2, rate, rate, rate / 2],
        );
        assert.equal(audio.durationSeconds, 0.5);
        const error = maxError(audio.samples, monoMix, rate);
        assert.ok(error <= tolerance, `max error ${error} > ${tolerance}`);
      });
    }
  }

  test('every encoding gives the same waveform (within 8-bit quantisation)', async () => {
    const decoded = [];
    for (const [, encoding] of encodings)
      decoded.push(
        (
          await decodeAudio(
            await writeWav(`same-${encoding.bits}${encoding.float ? 'f' : ''}.wav`, channels, rate, encoding),
          )
        ).samples,
      );
    for (const samples of decoded.slice(1)) {
      let max = 0;
      for (let i = 0; i < samples.length; i++)
        max = Math.max(max, Math.abs(samples[i]! - decoded[decoded.length - 1]![i]!));
      assert.ok(max < 0.5 / 128 + 1e-4, `differs by ${max}`);
    }
  });

  test('stereo becomes mono by the mean of the channels', async () => {
    const a = Float32Array.from([0.5, -0.5, 0.25, 1, -1, 0]);
    const b = Float32Array.from([0.5, 0.5, -0.75, 1, 0.5, 0.125]);
    const audio = await decodeAudio(await writeWav('mean.wav', [a, b], 8000, { float: true, bits: 32 }));
    assert.deepEqual(Array.from(audio.samples), [0.5, 0, -0.25, 1, -0.25, 0.0625]);
  });

  test('8 channels decode and mix to mono', async () => {
    const eight = Array.from({ length: 8 }, (_, c) => new Float32Array(100).fill((c - 3) / 10));
    const audio = await decodeAudio(await writeWav('eight.wav', eight, 16000, { bits: 24 }));
    assert.equal(audio.channels, 8);
    for (const value of audio.samples)
      assert.ok(Math.abs(value - 0.05) < 1e-6, `mean of -0.3..0.4 is 0.05, got ${value}`);
  });

  test('chunks the WAV reader does not need (LIST, odd-sized with their pad byte) are skipped', async () => {
    const plain = encodeWav([render(left, 8000, 0.1)], 8000);
    const list = Buffer.concat([Buffer.from('LIST\x0b\x00\x00\x00INFOISFT\x03\x00\x00', 'latin1'), Buffer.alloc(1)]);
    const file = path.join(dir, 'with-list.wav');
    await writeFile(file, Buffer.concat([plain.subarray(0, 36), list, plain.subarray(36)]));
    const audio = await decodeAudio(file);
    assert.equal(audio.samples.length, 800);
    assert.ok(maxError(audio.samples, left, 8000) < 1e-4);
  });

  test('resampling 44.1 kHz to 16 kHz keeps a 440 Hz tone at 440 Hz and its amplitude', async () => {
    const tone = render((t) => 0.5 * Math.sin(2 * Math.PI * 440 * t), 44100, 1);
    const audio = await decodeAudio(await writeWav('a440.wav', [tone, tone], 44100), { targetRate: 16000 });
    assert.deepEqual(
      [audio.sampleRate, audio.sourceSampleRate, audio.samples.length, audio.durationSeconds],
      [16000, 44100, 16000, 1],
    );
    const peak = peakFrequency(audio.samples, 16000, 400, 480);
    assert.equal(peak.hz, 440);
    assert.ok(Math.abs(peak.amplitude - 0.5) < 0.5 * 0.02, `amplitude ${peak.amplitude}`);
    assert.ok(snrDb(audio.samples, (t) => 0.5 * Math.sin(2 * Math.PI * 440 * t), 16000) > 60);
  });
});

describe('decoding FLAC, MP3, Ogg Opus and Ogg Vorbis (fixtures made by the reference encoders)', () => {
  // [file, format, rate it decodes at, minimum SNR in dB against the exact mono mix]. Measured: FLAC 86 dB (16-bit
  // source), Opus 41, Vorbis 27, MP3 26 (64 kbit/s).
  const cases: [string, string, number, number][] = [
    ['tones.flac', 'flac', 22050, 75],
    ['tones.mp3', 'mp3', 22050, 20],
    ['tones.opus', 'ogg-opus', 48000, 35],
    ['tones.ogg', 'ogg-vorbis', 22050, 20],
  ];
  for (const [name, format, sourceRate, minSnr] of cases) {
    test(`${name} decodes to the source's mono mix, aligned, at the model's rate`, async () => {
      const audio = await decodeAudio(path.join(fixtures, name), { targetRate: 16000 });
      assert.deepEqual(
        [audio.format, audio.channels, audio.sourceSampleRate, audio.sampleRate],
        [format, 2, sourceRate, 16000],
      );
      assert.equal(
        audio.samples.length,
        16000,
        'exactly the 1 s the source lasted (encoder delay and padding removed)',
      );
      const snr = snrDb(audio.samples, monoMix, 16000);
      assert.ok(snr > minSnr, `SNR ${snr.toFixed(1)} dB`);
    });
  }

  test('FLAC decodes to the 16-bit source exactly (lossless)', async () => {
    const audio = await decodeAudio(path.join(fixtures, 'tones.flac'));
    assert.equal(audio.samples.length, 22050);
    assert.ok(maxError(audio.samples, monoMix, 22050) < 1e-4);
  });

  test('8-channel Ogg Opus decodes all channels and mixes them', async () => {
    const audio = await decodeAudio(path.join(fixtures, 'eight.opus'));
    assert.deepEqual([audio.channels, audio.sampleRate, audio.samples.length], [8, 48000, 12000]);
    assert.ok(snrDb(audio.samples, (t) => 0.225 * Math.sin(2 * Math.PI * 660 * t), 48000) > 15);
  });

  test('a FLAC file behind an ID3v2 tag decodes the same', async () => {
    const flac = await readFile(path.join(fixtures, 'tones.flac'));
    const id3 = Buffer.concat([Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x20', 'latin1'), Buffer.alloc(32)]);
    const file = path.join(dir, 'tagged.flac');
    await writeFile(file, Buffer.concat([id3, flac]));
    const audio = await decodeAudio(file);
    assert.equal(audio.format, 'flac');
    assert.ok(maxError(audio.samples, monoMix, 22050) < 1e-4);
  });

  test('the format comes from the content, not the extension', async () => {
    const file = path.join(dir, 'really-an-mp3.wav');
    await writeFile(file, await readFile(path.join(fixtures, 'tones.mp3')));
    assert.equal((await decodeAudio(file)).format, 'mp3');
  });
});

describe('bad audio is refused with a DaxError of kind input naming the file', () => {
  const tone = render(left, 16000, 1);

  test('a missing file', async () => {
    const file = path.join(dir, 'missing.wav');
    await assert.rejects(decodeAudio(file), isInputError(/cannot read the audio file: ENOENT/, file));
  });

  test('a zero-length file', async () => {
    const file = path.join(dir, 'empty.wav');
    await writeFile(file, Buffer.alloc(0));
    await assert.rejects(decodeAudio(file), isInputError(/empty \(0 bytes\)/, file));
  });

  test('a WAV with a data chunk of zero samples', async () => {
    const file = await writeWav('silent.wav', [new Float32Array(0)], 16000);
    await assert.rejects(decodeAudio(file), isInputError(/contains no audio samples/, file));
  });

  test('a text file, and an image', async () => {
    const file = path.join(dir, 'notes.wav');
    await writeFile(file, 'These are my notes, not audio.\n'.repeat(20));
    await assert.rejects(
      decodeAudio(file),
      isInputError(/is not an audio file that can be read \(expected WAV, FLAC, MP3, Ogg Opus or Ogg Vorbis\)/, file),
    );
    const image = path.join(__dirname, '..', '..', 'examples', 'stationery-sign.jpg');
    await assert.rejects(decodeAudio(image), isInputError(/is not an audio file that can be read/, image));
  });

  for (const [name, bytes, pattern] of [
    ['cut.wav', 20, /the WAV header is truncated/],
    ['cut-riff.wav', 10, /the WAV header is truncated/],
    ['cut.flac', 30, /the FLAC header is truncated/],
    ['cut.opus', 40, /the Ogg header is truncated/],
  ] as const) {
    test(`a truncated header (${name}, first ${bytes} bytes)`, async () => {
      const source = name.endsWith('.wav')
        ? encodeWav([tone], 16000)
        : await readFile(path.join(fixtures, name.replace('cut', 'tones')));
      const file = path.join(dir, name);
      await writeFile(file, source.subarray(0, bytes));
      await assert.rejects(decodeAudio(file), isInputError(pattern, file));
    });
  }

  for (const name of ['tones.flac', 'tones.mp3', 'tones.opus']) {
    test(`truncated data (${name} cut to a third)`, async () => {
      const source = await readFile(path.join(fixtures, name));
      const file = path.join(dir, `third-${name}`);
      await writeFile(file, source.subarray(0, Math.floor(source.length / 3)));
      await assert.rejects(decodeAudio(file), isInputError(/truncated/, file));
    });
  }

  test('truncated WAV data: the header announces more than the file holds', async () => {
    const source = encodeWav([tone], 16000);
    const file = path.join(dir, 'half.wav');
    await writeFile(file, source.subarray(0, 44 + 16000));
    await assert.rejects(
      decodeAudio(file),
      isInputError(/its header announces 1\.0 s of audio but the file holds 0\.5 s/, file),
    );
  });

  test('corrupt compressed data (random bytes after the headers)', async () => {
    let seed = 1;
    const noise = Buffer.alloc(20000).map(() => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24) & 255);
    for (const name of ['tones.mp3', 'tones.opus', 'tones.flac']) {
      const source = await readFile(path.join(fixtures, name));
      const file = path.join(dir, `garbage-${name}`);
      await writeFile(file, Buffer.concat([source.subarray(0, 1500), noise]));
      await assert.rejects(decodeAudio(file), isInputError(/corrupt/, file));
    }
  });

  test('a 0 Hz sample rate in the header (WAV and FLAC)', async () => {
    const wav = encodeWav([tone], 16000);
    wav.writeUInt32LE(0, 24);
    const wavFile = path.join(dir, 'zero-hz.wav');
    await writeFile(wavFile, wav);
    await assert.rejects(decodeAudio(wavFile), isInputError(/sample rate of 0 Hz/, wavFile));

    const flac = Buffer.from(await readFile(path.join(fixtures, 'tones.flac')));
    // STREAMINFO's 20-bit sample rate starts at byte 18 of the file.
    flac[18] = 0;
    flac[19] = 0;
    flac[20] = flac[20]! & 0x0f;
    const flacFile = path.join(dir, 'zero-hz.flac');
    await writeFile(flacFile, flac);
    await assert.rejects(decodeAudio(flacFile), isInputError(/sample rate of 0 Hz/, flacFile));
  });

  test('a sample rate below 1000 Hz in the header (1 Hz, 999 Hz) is refused; 1000 Hz decodes', async () => {
    for (const rate of [1, 999]) {
      const file = path.join(dir, `rate-${rate}.wav`);
      await writeFile(file, encodeWav([Float32Array.from({ length: 4000 }, (_, i) => Math.sin(i / 3))], rate));
      await assert.rejects(
        decodeAudio(file, { maxSeconds: 1e6 }),
        isInputError(new RegExp(`sample rate of ${rate} Hz, below 1000 Hz`), file),
      );
    }
    const file = path.join(dir, 'rate-1000.wav');
    await writeFile(file, encodeWav([Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i / 3))], 1000));
    assert.equal((await decodeAudio(file)).sampleRate, 1000);
  });

  test('0 channels in the header', async () => {
    const wav = encodeWav([tone], 16000);
    wav.writeUInt16LE(0, 22);
    const file = path.join(dir, 'zero-channels.wav');
    await writeFile(file, wav);
    await assert.rejects(decodeAudio(file), isInputError(/0 channels/, file));
  });

  test('more channels than the limit (default 32)', async () => {
    const file = await writeWav(
      'forty.wav',
      Array.from({ length: 40 }, () => new Float32Array(10)),
      16000,
    );
    await assert.rejects(
      decodeAudio(file),
      isInputError(/has 40 channels, above the limit of 32\. Mix it down first or raise the channel limit/, file),
    );
    assert.equal((await decodeAudio(file, { maxChannels: 64 })).channels, 40);
  });

  test('an unsupported WAV encoding and container are named', async () => {
    const wav = encodeWav([tone], 16000);
    wav.writeUInt16LE(0x0011, 20); // IMA ADPCM
    const file = path.join(dir, 'adpcm.wav');
    await writeFile(file, wav);
    await assert.rejects(
      decodeAudio(file),
      isInputError(/WAV encoding 0x0011, which is not supported: convert it to PCM/, file),
    );
    const aiff = path.join(dir, 'sound.aiff');
    await writeFile(aiff, Buffer.concat([Buffer.from('FORM\x00\x00\x00\x10AIFF', 'latin1'), Buffer.alloc(16)]));
    await assert.rejects(decodeAudio(aiff), isInputError(/is AIFF audio, which is not supported/, aiff));
  });

  test('bad options are usage errors', async () => {
    const file = await writeWav('ok.wav', [tone], 16000);
    await assert.rejects(
      decodeAudio(file, { targetRate: 0 }),
      (error: unknown) => error instanceof DaxError && error.kind === 'usage',
    );
    await assert.rejects(
      decodeAudio(file, { maxSeconds: -1 }),
      (error: unknown) => error instanceof DaxError && error.kind === 'usage',
    );
  });
});

describe('long files are refused before they are decoded', () => {
  const rate = 16000;
  let long: string;
  before(async () => {
    // 10 min 1 s of 16 kHz mono 16-bit: 19 MB.
    long = await writeWav('ten-minutes.wav', [render((t) => 0.1 * Math.sin(2 * Math.PI * 440 * t), rate, 601)], rate);
  });

  test('a 10-minute file above the default 600 s limit is refused from its header, at once', async (t) => {
    const before = process.memoryUsage();
    const start = performance.now();
    await assert.rejects(
      decodeAudio(long),
      isInputError(
        /the audio is 10 min 1\.0 s long, above the limit of 10 min\. Cut it shorter first or raise the length limit \(maxSeconds\)/,
        long,
      ),
    );
    const ms = performance.now() - start;
    const grown = (process.memoryUsage().arrayBuffers - before.arrayBuffers) / 1e6;
    t.diagnostic(`refused in ${ms.toFixed(1)} ms, array buffers +${grown.toFixed(1)} MB`);
    assert.ok(ms < 500, `took ${ms} ms`);
    assert.ok(grown < 5, `array buffers grew by ${grown} MB: the samples were decoded`);
  });

  test('the same file within a raised limit decodes whole, in bounded time', async (t) => {
    const start = performance.now();
    const audio = await decodeAudio(long, { maxSeconds: 700 });
    t.diagnostic(`601 s of 16 kHz mono decoded in ${(performance.now() - start).toFixed(0)} ms`);
    assert.equal(audio.samples.length, 601 * rate);
  });

  test('a streaming WAV (data size 0xFFFFFFFF) is measured from the file size and refused the same way', async () => {
    const wav = await readFile(long);
    wav.writeUInt32LE(0xffffffff, 40); // data size: unknown, read to the end
    const file = path.join(dir, 'streaming.wav');
    await writeFile(file, wav);
    await assert.rejects(decodeAudio(file), isInputError(/the audio is 10 min 1\.0 s long/, file));
    assert.equal((await decodeAudio(file, { maxSeconds: 700 })).samples.length, 601 * rate);
  });

  test('a file whose header does not tell its length is stopped while decoding, once past the limit', async () => {
    // FLAC allows STREAMINFO's total sample count to be 0, "unknown" (its low 36 bits end at byte 25 of the file).
    const flac = Buffer.from(await readFile(path.join(fixtures, 'tones.flac')));
    flac[21] = flac[21]! & 0xf0;
    flac.writeUInt32BE(0, 22);
    const file = path.join(dir, 'unknown-length.flac');
    await writeFile(file, flac);
    await assert.rejects(
      decodeAudio(file, { maxSeconds: 0.5 }),
      isInputError(/the audio is more than 0\.5 s long, above the limit of 0\.5 s/, file),
    );
    assert.equal((await decodeAudio(file)).samples.length, 22050);
  });
});

// Decoding audio files into one channel at the model's rate: WAV, FLAC, MP3, Ogg Opus and Ogg Vorbis through the
// audiojs decoders (pure JavaScript for WAV, WebAssembly builds of libFLAC, mpg123, libopus and libvorbis for the
// rest: no ffmpeg or other system program), mixed to mono and resampled. Bad files are refused with a DaxError of
// kind `input` naming the file; long files are refused from their header, or while decoding when the header does
// not tell, so memory stays bounded by the length limit.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { DaxError } from '../core/errors';
import {
  AUDIO_FORMAT_NAMES,
  AudioHeaderError,
  probeAudio,
  seconds,
  type AudioFormat,
  type AudioHeader,
} from './audioHeader';
import { resample } from './resample';

export type { AudioFormat } from './audioHeader';

/** A decoded file: one channel of samples in [-1, 1]. */
export interface DecodedAudio {
  /** Mono samples (the mean of the file's channels) at `sampleRate`. */
  samples: Float32Array;
  /** Hz: the requested target rate, or the decoder's rate when none was requested. */
  sampleRate: number;
  durationSeconds: number;
  /** Channels of the file before mixing. */
  channels: number;
  format: AudioFormat;
  /** The rate the file decoded at, before resampling (48 kHz for Opus). */
  sourceSampleRate: number;
}

/** Options for {@link decodeAudio}. */
export interface AudioDecodeOptions {
  /** Resample to this rate in Hz (the model's); default: keep the file's rate. */
  targetRate?: number;
  /** Refuse files longer than this many seconds. Default {@link DEFAULT_MAX_AUDIO_SECONDS}. */
  maxSeconds?: number;
  /** Refuse files with more channels than this. Default {@link DEFAULT_MAX_AUDIO_CHANNELS}. */
  maxChannels?: number;
}

/** Default bound on audio length: 10 minutes is 38 MB of mono float samples at 16 kHz, 115 MB at 48 kHz. */
export const DEFAULT_MAX_AUDIO_SECONDS = 600;
/** Default bound on channels: 7.1.4 and third-order ambisonics (16) fit; a header claiming hundreds is corrupt. */
export const DEFAULT_MAX_AUDIO_CHANNELS = 32;
/** The file extensions the audio reader is meant for, lower case without the dot (the content decides). */
export const AUDIO_EXTENSIONS = ['wav', 'wave', 'flac', 'mp3', 'ogg', 'oga', 'opus'] as const;

/**
 * Bytes handed to the decoder at a time: about 6 s of CD-quality WAV, and less of the compressed formats, whose
 * decoded blocks would otherwise be minutes long (64 KiB of 32 kbit/s Vorbis is 16 s, 11 MB as stereo floats).
 */
const CHUNK_BYTES: Record<AudioFormat, number> = {
  wav: 1 << 20,
  flac: 1 << 18,
  mp3: 1 << 16,
  'ogg-opus': 1 << 16,
  'ogg-vorbis': 1 << 16,
};
/** Decoded audio may exceed the header's length by codec padding; beyond this much more, the limit applies. */
const LENGTH_SLACK_SECONDS = 0.1;

interface ChunkDecoder {
  decode(chunk: Uint8Array): AudioChunk | Promise<AudioChunk>;
  flush?(): AudioChunk | Promise<AudioChunk>;
  free(): void;
}
interface AudioChunk {
  channelData: Float32Array[];
  sampleRate: number;
  errors?: { message: string }[];
}

async function createDecoder(format: AudioFormat): Promise<ChunkDecoder> {
  switch (format) {
    case 'wav':
      return (await import('@audio/decode-wav')).decoder();
    case 'flac':
      return (await import('@audio/decode-flac')).decoder();
    case 'mp3':
      return (await import('@audio/decode-mp3')).decoder();
    case 'ogg-opus':
      return (await import('@audio/decode-opus')).decoder() as Promise<ChunkDecoder>;
    case 'ogg-vorbis':
      return (await import('@audio/decode-vorbis')).decoder();
  }
}

/**
 * Reads an audio file as mono samples at `targetRate`. Throws a DaxError of kind `input` naming the file when it
 * cannot be read, is empty, truncated, corrupt, of an unsupported kind, longer than `maxSeconds` or wider than
 * `maxChannels`; of kind `usage` for bad options.
 */
export async function decodeAudio(file: string, options: AudioDecodeOptions = {}): Promise<DecodedAudio> {
  const maxSeconds = options.maxSeconds ?? DEFAULT_MAX_AUDIO_SECONDS;
  const maxChannels = options.maxChannels ?? DEFAULT_MAX_AUDIO_CHANNELS;
  const targetRate = options.targetRate;
  if (targetRate !== undefined && (!Number.isInteger(targetRate) || targetRate <= 0)) {
    throw new DaxError('usage', `the target sample rate must be a positive whole number of Hz, got ${targetRate}.`);
  }
  if (!(maxSeconds > 0))
    throw new DaxError('usage', `the audio length limit must be a positive number of seconds, got ${maxSeconds}.`);
  if (!Number.isInteger(maxChannels) || maxChannels < 1)
    throw new DaxError('usage', `the channel limit must be a positive whole number, got ${maxChannels}.`);

  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new DaxError('input', 'is not a file.', file);
    size = info.size;
  } catch (error) {
    if (error instanceof DaxError) throw error;
    throw new DaxError(
      'input',
      `cannot read the audio file: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
      file,
      { cause: error },
    );
  }
  if (size === 0) throw new DaxError('input', 'the audio file is empty (0 bytes).', file);

  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new DaxError(
      'input',
      `cannot read the audio file: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
      file,
      { cause: error },
    );
  }
  try {
    let header: AudioHeader;
    try {
      header = await probeAudio(handle, size);
    } catch (error) {
      if (error instanceof AudioHeaderError) throw new DaxError('input', error.message, file, { cause: error });
      throw new DaxError('input', `cannot read the audio file (${(error as Error).message}).`, file, { cause: error });
    }
    const name = AUDIO_FORMAT_NAMES[header.format];
    if (header.channels > maxChannels) {
      throw new DaxError(
        'input',
        `the ${name} file has ${header.channels} channels, above the limit of ${maxChannels}. Mix it down first or raise the channel limit.`,
        file,
      );
    }
    const tooLong = (length: string) =>
      new DaxError(
        'input',
        `the audio is ${length} long, above the limit of ${seconds(maxSeconds)}. Cut it shorter first or raise the length limit (maxSeconds).`,
        file,
      );
    // MP3 decoders drop the encoder's delay and padding (up to about two frames) that Xing/Info headers count.
    const tolerance = header.format === 'mp3' ? 3 * 1152 : 0;
    if (
      header.frames !== undefined &&
      !header.estimated &&
      (header.frames - tolerance) / header.sampleRate > maxSeconds
    ) {
      throw tooLong(seconds(header.frames / header.sampleRate));
    }

    const noAudio = () =>
      new DaxError('input', `the ${name} file contains no audio samples: it is empty or truncated.`, file);
    if (header.frames === 0 && !header.estimated) throw noAudio();

    const maxFrames = Math.ceil((maxSeconds + LENGTH_SLACK_SECONDS) * header.sampleRate) + tolerance;
    const { mono, sampleRate } = await decodeToMono(handle, size, header, maxFrames, file, () =>
      tooLong(`more than ${seconds(maxSeconds)}`),
    );
    if (header.frames !== undefined && !header.estimated && mono.length < header.frames - tolerance) {
      throw new DaxError(
        'input',
        `is truncated or corrupt: its header announces ${seconds(header.frames / sampleRate)} of audio but only ${seconds(mono.length / sampleRate)} decoded. ` +
          'Export or copy it again.',
        file,
      );
    }
    if (mono.length === 0) throw noAudio();
    const samples = targetRate === undefined ? mono : resample(mono, sampleRate, targetRate);
    const rate = targetRate ?? sampleRate;
    return {
      samples,
      sampleRate: rate,
      durationSeconds: samples.length / rate,
      channels: header.channels,
      format: header.format,
      sourceSampleRate: sampleRate,
    };
  } finally {
    await handle.close();
  }
}

/** Streams the file through its decoder, mixing each decoded block to mono; stops as soon as the limit is passed. */
async function decodeToMono(
  handle: FileHandle,
  size: number,
  header: AudioHeader,
  maxFrames: number,
  file: string,
  tooLong: () => DaxError,
): Promise<{ mono: Float32Array; sampleRate: number }> {
  const name = AUDIO_FORMAT_NAMES[header.format];
  const corrupt = (detail: string, cause?: unknown) =>
    new DaxError(
      'input',
      `the ${name} data is corrupt or truncated and cannot be decoded (${detail}). Export or copy it again.`,
      file,
      { cause },
    );

  let decoder: ChunkDecoder;
  try {
    decoder = await createDecoder(header.format);
  } catch (error) {
    throw new DaxError('input', `the ${name} decoder failed to start (${(error as Error).message}).`, file, {
      cause: error,
    });
  }
  const sampleRate = header.sampleRate;
  let mono = new Float32Array(
    Math.min(maxFrames, header.frames !== undefined ? header.frames + 4096 : sampleRate * 10),
  );
  let length = 0;

  const accept = (chunk: AudioChunk | undefined): void => {
    if (chunk?.errors?.length) throw corrupt(chunk.errors[0]!.message);
    const channels = chunk?.channelData ?? [];
    if (channels.length === 0 || channels[0]!.length === 0) return;
    if (chunk!.sampleRate !== sampleRate)
      throw corrupt(`the stream changes from ${sampleRate} Hz to ${chunk!.sampleRate} Hz`);
    const frames = channels[0]!.length;
    if (length + frames > maxFrames) throw tooLong();
    if (length + frames > mono.length) {
      const grown = new Float32Array(Math.min(maxFrames, Math.max(length + frames, mono.length * 2)));
      grown.set(mono.subarray(0, length));
      mono = grown;
    }
    const scale = 1 / channels.length;
    if (channels.length === 1) {
      mono.set(channels[0]!, length);
    } else {
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (const channel of channels) sum += channel[i]!;
        mono[length + i] = sum * scale;
      }
    }
    length += frames;
  };

  try {
    const end = Math.min(size, header.streamEnd ?? size);
    const buffer = Buffer.alloc(Math.max(1, Math.min(CHUNK_BYTES[header.format], end - header.streamStart)));
    let prefix = header.prefix;
    for (let position = header.streamStart; position < end;) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - position), position);
      if (bytesRead === 0) break;
      position += bytesRead;
      // The decoders may keep a view of the chunk until the next call: hand each call its own copy.
      const chunk = new Uint8Array((prefix?.length ?? 0) + bytesRead);
      if (prefix) chunk.set(prefix);
      chunk.set(buffer.subarray(0, bytesRead), prefix?.length ?? 0);
      prefix = undefined;
      accept(await decodeQuietly(decoder, chunk));
    }
    if (decoder.flush) accept(await decoder.flush());
  } catch (error) {
    if (error instanceof DaxError) throw error;
    throw corrupt((error as Error).message ?? String(error), error);
  } finally {
    try {
      decoder.free();
    } catch {
      // already freed after a decoding error
    }
  }
  // A view when the unused tail is small (the usual case: the header told the length), else a tight copy.
  const unused = mono.length - length;
  return { mono: unused <= 1 << 16 ? mono.subarray(0, length) : mono.slice(0, length), sampleRate };
}

/**
 * mpg123-decoder writes each error to console.error as well as returning it (which we report). Its decode is
 * synchronous, so its own lines are dropped for the duration of that call only; anything else goes through.
 */
function decodeQuietly(decoder: ChunkDecoder, chunk: Uint8Array): AudioChunk | Promise<AudioChunk> {
  const original = console.error;
  console.error = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('mpg123-decoder:')) return;
    original.apply(console, args);
  };
  try {
    return decoder.decode(chunk);
  } finally {
    console.error = original;
  }
}

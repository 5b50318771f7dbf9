// Reads what an audio file says about itself (format, sample rate, channels, length) from its header and
// metadata, without decoding: enough to refuse a file that is corrupt, empty, too long or too wide before any
// sample is decoded. WAV, FLAC, MP3 (with Xing/Info/VBRI or from the bit rate) and Ogg Opus/Vorbis.
import type { FileHandle } from 'node:fs/promises';

/** The formats the audio reader decodes. */
export type AudioFormat = 'wav' | 'flac' | 'mp3' | 'ogg-opus' | 'ogg-vorbis';

/** Human names of the formats, for messages. */
export const AUDIO_FORMAT_NAMES: Record<AudioFormat, string> = {
  wav: 'WAV',
  flac: 'FLAC',
  mp3: 'MP3',
  'ogg-opus': 'Ogg Opus',
  'ogg-vorbis': 'Ogg Vorbis',
};

/** What the header says. */
export interface AudioHeader {
  format: AudioFormat;
  /** The rate the decoder produces, in Hz (always 48 kHz for Opus, whatever rate the source had). */
  sampleRate: number;
  channels: number;
  /** Frames (samples per channel) at `sampleRate`, when the header or metadata tells. */
  frames?: number;
  /** `frames` is an estimate from the bit rate (an MP3 without a Xing/Info/VBRI header). */
  estimated?: boolean;
  /** Byte offset where the decoder should start reading (after an ID3v2 tag in front of FLAC; WAV's samples). */
  streamStart: number;
  /** Byte offset where it should stop (WAV: the end of the data chunk); the end of the file when absent. */
  streamEnd?: number;
  /**
   * Bytes to hand the decoder before the stream (WAV: a canonical 44-byte header describing the samples, so that
   * the decoder never walks the file's own chunks, which it does not pad-align).
   */
  prefix?: Uint8Array;
  /** Bits per sample of lossless formats (WAV, FLAC). */
  bitsPerSample?: number;
  /** WAV only: how samples are stored. */
  wavCodec?: 'pcm' | 'float' | 'alaw' | 'ulaw';
}

/** A problem with the file, worded for the user (the caller adds the file name). */
export class AudioHeaderError extends Error {
  override readonly name = 'AudioHeaderError';
}

/** Bytes read from the start of the file to recognise it. */
const SNIFF_BYTES = 64 * 1024;
/** Bytes read from the end of an Ogg file to find the last page's granule position. */
const OGG_TAIL_BYTES = 128 * 1024;

const SUPPORTED = 'WAV, FLAC, MP3, Ogg Opus or Ogg Vorbis';

/** Reads `length` bytes at `position` (fewer at the end of the file). */
async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(Math.max(0, length));
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/** Recognises the file from its first bytes and reads its header. `size` is the file's size in bytes (> 0). */
export async function probeAudio(handle: FileHandle, size: number): Promise<AudioHeader> {
  const head = await readAt(handle, 0, Math.min(size, SNIFF_BYTES));
  const tag = head.toString('latin1', 0, 4);
  if (tag === 'RIFF') {
    if (head.length < 12)
      throw new AudioHeaderError('the WAV header is truncated (the file ends after its first bytes).');
    if (head.toString('latin1', 8, 12) !== 'WAVE')
      throw new AudioHeaderError(
        `is a RIFF file but not WAVE audio (${JSON.stringify(head.toString('latin1', 8, 12))}); expected ${SUPPORTED}.`,
      );
    return probeWav(handle, size);
  }
  if (tag === 'RF64' || tag === 'BW64')
    throw new AudioHeaderError(`is a ${tag} WAV file, which is not supported: convert it to a plain WAV or FLAC.`);
  if (tag === 'OggS') return probeOgg(handle, head, size);
  if (tag === 'FORM' && (head.toString('latin1', 8, 12) === 'AIFF' || head.toString('latin1', 8, 12) === 'AIFC')) {
    throw new AudioHeaderError('is AIFF audio, which is not supported: convert it to WAV or FLAC.');
  }
  if (head.toString('latin1', 4, 8) === 'ftyp')
    throw new AudioHeaderError(`is an MP4/M4A file, which is not supported: convert it to ${SUPPORTED}.`);
  if (head.readUInt32BE(0) === 0x1a45dfa3)
    throw new AudioHeaderError(`is a WebM/Matroska file, which is not supported: convert it to ${SUPPORTED}.`);

  // FLAC and MP3 may start with ID3v2 tags (several, in theory).
  let offset = 0;
  let window = head;
  for (let tags = 0; tags < 8; tags++) {
    const id3 = id3v2Length(window, 0);
    if (id3 === 0) break;
    offset += id3;
    if (offset >= size) throw new AudioHeaderError('holds only an ID3 tag and no audio.');
    window = await readAt(handle, offset, Math.min(size - offset, SNIFF_BYTES));
  }
  if (window.toString('latin1', 0, 4) === 'fLaC') return probeFlac(window, offset);
  const id3v1 = size >= offset + 128 && (await readAt(handle, size - 128, 3)).toString('latin1') === 'TAG';
  const mp3 = probeMp3(window, offset, size, id3v1 ? 128 : 0);
  if (mp3) return mp3;
  if (offset > 0)
    throw new AudioHeaderError(`has an ID3 tag but no FLAC or MP3 audio after it; expected ${SUPPORTED}.`);
  throw new AudioHeaderError(`is not an audio file that can be read (expected ${SUPPORTED}).`);
}

/** Length of an ID3v2 tag at `at` (header, body and footer), or 0 when there is none. */
function id3v2Length(buffer: Buffer, at: number): number {
  if (buffer.length < at + 10 || buffer.toString('latin1', at, at + 3) !== 'ID3') return 0;
  const bytes = [buffer[at + 6]!, buffer[at + 7]!, buffer[at + 8]!, buffer[at + 9]!];
  if (bytes.some((b) => b & 0x80)) return 0;
  const body = (bytes[0]! << 21) | (bytes[1]! << 14) | (bytes[2]! << 7) | bytes[3]!;
  const footer = buffer[at + 5]! & 0x10 ? 10 : 0;
  return 10 + body + footer;
}

// ---------------------------------------------------------------- WAV

const WAV_CODECS: Record<number, AudioHeader['wavCodec']> = { 1: 'pcm', 3: 'float', 6: 'alaw', 7: 'ulaw' };
const WAV_BITS: Record<NonNullable<AudioHeader['wavCodec']>, number[]> = {
  pcm: [8, 16, 24, 32],
  float: [32, 64],
  alaw: [8],
  ulaw: [8],
};

async function probeWav(handle: FileHandle, size: number): Promise<AudioHeader> {
  let position = 12;
  let fmt:
    | {
        codec: NonNullable<AudioHeader['wavCodec']>;
        channels: number;
        sampleRate: number;
        blockAlign: number;
        bits: number;
      }
    | undefined;
  for (let chunks = 0; chunks < 10_000; chunks++) {
    const chunkHeader = await readAt(handle, position, 8);
    if (chunkHeader.length < 8) break;
    const id = chunkHeader.toString('latin1', 0, 4);
    const chunkSize = chunkHeader.readUInt32LE(4);
    if (id === 'fmt ') {
      const body = await readAt(handle, position + 8, Math.min(chunkSize, 40));
      if (chunkSize < 16 || body.length < 16)
        throw new AudioHeaderError('the WAV header is truncated (its fmt chunk is cut short).');
      let formatTag = body.readUInt16LE(0);
      if (formatTag === 0xfffe) {
        if (body.length < 26)
          throw new AudioHeaderError('the WAV header is truncated (its extensible fmt chunk is cut short).');
        formatTag = body.readUInt16LE(24);
      }
      const codec = WAV_CODECS[formatTag];
      if (!codec) {
        throw new AudioHeaderError(
          `uses WAV encoding 0x${formatTag.toString(16).padStart(4, '0')}, which is not supported: convert it to PCM or float WAV, or to FLAC.`,
        );
      }
      fmt = {
        codec,
        channels: body.readUInt16LE(2),
        sampleRate: body.readUInt32LE(4),
        blockAlign: body.readUInt16LE(12),
        bits: body.readUInt16LE(14),
      };
      if (!WAV_BITS[codec].includes(fmt.bits))
        throw new AudioHeaderError(
          `has ${fmt.bits}-bit ${codec} samples, which is not a valid WAV sample size (expected ${WAV_BITS[codec].join(', ')}).`,
        );
      checkRate(fmt.sampleRate);
      checkChannelCount(fmt.channels);
      if (fmt.blockAlign !== (fmt.channels * fmt.bits) / 8) {
        throw new AudioHeaderError(
          `the WAV header is corrupt: ${fmt.channels} channels of ${fmt.bits} bits cannot have ${fmt.blockAlign}-byte frames.`,
        );
      }
    } else if (id === 'data') {
      if (!fmt) throw new AudioHeaderError('the WAV header is corrupt: the data chunk comes before the fmt chunk.');
      const dataStart = position + 8;
      const available = Math.floor(Math.max(0, size - dataStart) / fmt.blockAlign);
      // 0 and 0xFFFFFFFF are placeholders written by recorders that stream: the data runs to the end of the file.
      const streaming = chunkSize === 0xffffffff || (chunkSize === 0 && size > dataStart);
      const declared = streaming ? available : Math.floor(chunkSize / fmt.blockAlign);
      if (declared > available) {
        throw new AudioHeaderError(
          `is truncated: its header announces ${seconds(declared / fmt.sampleRate)} of audio but the file holds ${seconds(available / fmt.sampleRate)}. ` +
            'Export or copy it again.',
        );
      }
      const dataBytes = declared * fmt.blockAlign;
      return {
        format: 'wav',
        sampleRate: fmt.sampleRate,
        channels: fmt.channels,
        frames: declared,
        streamStart: dataStart,
        streamEnd: dataStart + dataBytes,
        prefix: canonicalWavHeader(fmt.codec, fmt.channels, fmt.sampleRate, fmt.bits, dataBytes),
        bitsPerSample: fmt.bits,
        wavCodec: fmt.codec,
      };
    }
    position += 8 + chunkSize + (chunkSize % 2);
  }
  if (!fmt) throw new AudioHeaderError('the WAV header is truncated or corrupt (no fmt chunk).');
  throw new AudioHeaderError('the WAV header is truncated or corrupt (no data chunk).');
}

const WAV_TAGS: Record<NonNullable<AudioHeader['wavCodec']>, number> = { pcm: 1, float: 3, alaw: 6, ulaw: 7 };

/** RIFF header, 16-byte fmt chunk and data chunk header for `dataBytes` of samples. */
function canonicalWavHeader(
  codec: NonNullable<AudioHeader['wavCodec']>,
  channels: number,
  sampleRate: number,
  bits: number,
  dataBytes: number,
): Uint8Array {
  const header = Buffer.alloc(44);
  const blockAlign = (channels * bits) / 8;
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(Math.min(0xffffffff, 36 + dataBytes), 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(WAV_TAGS[codec], 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(Math.min(0xffffffff, sampleRate * blockAlign), 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(bits, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(Math.min(0xffffffff, dataBytes), 40); // beyond 4 GiB: "to the end", which streamEnd bounds
  return new Uint8Array(header.buffer, header.byteOffset, header.length);
}

// ---------------------------------------------------------------- FLAC

function probeFlac(window: Buffer, offset: number): AudioHeader {
  // 'fLaC', then the STREAMINFO block: a 4-byte block header and 34 bytes.
  if (window.length < 42)
    throw new AudioHeaderError('the FLAC header is truncated (its STREAMINFO block is cut short).');
  if ((window[4]! & 0x7f) !== 0)
    throw new AudioHeaderError('the FLAC header is corrupt (the first metadata block is not STREAMINFO).');
  const d = 8;
  const sampleRate = (window[d + 10]! << 12) | (window[d + 11]! << 4) | (window[d + 12]! >> 4);
  const channels = ((window[d + 12]! >> 1) & 7) + 1;
  const bitsPerSample = (((window[d + 12]! & 1) << 4) | (window[d + 13]! >> 4)) + 1;
  const total = (window[d + 13]! & 0x0f) * 2 ** 32 + window.readUInt32BE(d + 14);
  checkRate(sampleRate);
  return {
    format: 'flac',
    sampleRate,
    channels,
    frames: total > 0 ? total : undefined,
    streamStart: offset,
    bitsPerSample,
  };
}

// ---------------------------------------------------------------- MP3

const MP3_BITRATES: Record<string, number[]> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MP3_RATES: Record<number, number[]> = {
  3: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  0: [11025, 12000, 8000],
};

interface Mp3Frame {
  version: number; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
  layer: number; // 1, 2, 3
  bitrate: number; // kbit/s
  sampleRate: number;
  channels: number;
  samplesPerFrame: number;
  length: number; // bytes
}

function mp3Frame(buffer: Buffer, at: number): Mp3Frame | undefined {
  if (at + 4 > buffer.length || buffer[at] !== 0xff || (buffer[at + 1]! & 0xe0) !== 0xe0) return undefined;
  const b1 = buffer[at + 1]!;
  const b2 = buffer[at + 2]!;
  const b3 = buffer[at + 3]!;
  const version = (b1 >> 3) & 3;
  const layer = 4 - ((b1 >> 1) & 3);
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (version === 1 || layer === 4 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined;
  const bitrate = MP3_BITRATES[`${version === 3 ? 1 : 2}-${layer}`]![bitrateIndex]!;
  const sampleRate = MP3_RATES[version]![rateIndex]!;
  const padding = (b2 >> 1) & 1;
  const samplesPerFrame = layer === 1 ? 384 : layer === 3 && version !== 3 ? 576 : 1152;
  const length =
    layer === 1
      ? (Math.floor((12 * bitrate * 1000) / sampleRate) + padding) * 4
      : Math.floor(((samplesPerFrame / 8) * bitrate * 1000) / sampleRate) + padding;
  return { version, layer, bitrate, sampleRate, channels: b3 >> 6 === 3 ? 1 : 2, samplesPerFrame, length };
}

/** Finds the first MPEG audio frame confirmed by the frame after it, within the sniffed bytes. */
function probeMp3(window: Buffer, offset: number, size: number, trailer: number): AudioHeader | undefined {
  for (let at = 0; at + 4 <= window.length; at++) {
    const frame = mp3Frame(window, at);
    if (!frame) continue;
    const nextAt = at + frame.length;
    const next = mp3Frame(window, nextAt);
    const endsAtFileEnd = offset + nextAt >= size;
    if (
      !endsAtFileEnd &&
      (!next || next.version !== frame.version || next.layer !== frame.layer || next.sampleRate !== frame.sampleRate)
    )
      continue;
    // Only a file that *starts* with audio (after ID3) counts; a sync word deep inside other data does not.
    if (at > 4096) return undefined;
    const audioStart = offset + at;
    let frames: number | undefined;
    let estimated = false;
    // Xing/Info header in the first frame's side-info slot, or VBRI 32 bytes after the frame header.
    const sideInfo = frame.version === 3 ? (frame.channels === 1 ? 17 : 32) : frame.channels === 1 ? 9 : 17;
    const xing = at + 4 + sideInfo;
    const vbri = at + 4 + 32;
    if (
      xing + 12 <= window.length &&
      ['Xing', 'Info'].includes(window.toString('latin1', xing, xing + 4)) &&
      window.readUInt32BE(xing + 4) & 1
    ) {
      frames = window.readUInt32BE(xing + 8) * frame.samplesPerFrame;
    } else if (vbri + 18 <= window.length && window.toString('latin1', vbri, vbri + 4) === 'VBRI') {
      frames = window.readUInt32BE(vbri + 14) * frame.samplesPerFrame;
    } else {
      frames = Math.round((((size - audioStart - trailer) * 8) / (frame.bitrate * 1000)) * frame.sampleRate);
      estimated = true;
    }
    return {
      format: 'mp3',
      sampleRate: frame.sampleRate,
      channels: frame.channels,
      frames,
      estimated,
      streamStart: audioStart,
    };
  }
  return undefined;
}

// ---------------------------------------------------------------- Ogg

async function probeOgg(handle: FileHandle, head: Buffer, size: number): Promise<AudioHeader> {
  if (head.length < 27) throw new AudioHeaderError('the Ogg header is truncated (the first page is cut short).');
  const segments = head[26]!;
  const packetStart = 27 + segments;
  let firstPacketLength = 0;
  for (let s = 0; s < segments && 27 + s < head.length; s++) firstPacketLength += head[27 + s]!;
  if (head.length < packetStart + Math.min(firstPacketLength, 19) || firstPacketLength < 8) {
    throw new AudioHeaderError('the Ogg header is truncated (the first page is cut short).');
  }
  const serial = head.readUInt32LE(14);
  const packet = head.subarray(packetStart, packetStart + firstPacketLength);
  let header: AudioHeader;
  let preSkip = 0;
  if (packet.toString('latin1', 0, 8) === 'OpusHead') {
    if (packet.length < 19) throw new AudioHeaderError('the Opus header is truncated.');
    const channels = packet[9]!;
    preSkip = packet.readUInt16LE(10);
    checkChannelCount(channels);
    header = { format: 'ogg-opus', sampleRate: 48000, channels, streamStart: 0 };
  } else if (packet[0] === 1 && packet.toString('latin1', 1, 7) === 'vorbis') {
    if (packet.length < 16) throw new AudioHeaderError('the Vorbis header is truncated.');
    const channels = packet[11]!;
    const sampleRate = packet.readUInt32LE(12);
    checkChannelCount(channels);
    checkRate(sampleRate);
    header = { format: 'ogg-vorbis', sampleRate, channels, streamStart: 0 };
  } else if (packet.toString('latin1', 0, 5) === '\x7fFLAC') {
    throw new AudioHeaderError('is FLAC inside Ogg, which is not supported: convert it to a native .flac file.');
  } else {
    const codec =
      packet
        .toString('latin1', 0, 8)
        .replace(/[^\x20-\x7e]/g, '')
        .trim() || 'unknown';
    throw new AudioHeaderError(
      `is an Ogg file whose first stream is ${JSON.stringify(codec)}, not Opus or Vorbis audio.`,
    );
  }
  // The last page of the stream carries its end position: the granule position, in samples at 48 kHz for Opus.
  const tailStart = Math.max(0, size - OGG_TAIL_BYTES);
  const tail = await readAt(handle, tailStart, size - tailStart);
  for (let at = tail.length - 27; at >= 0; at--) {
    if (tail[at] !== 0x4f || tail.toString('latin1', at, at + 4) !== 'OggS' || tail[at + 4] !== 0) continue;
    if (tail.readUInt32LE(at + 14) !== serial) continue;
    const granule = tail.readBigInt64LE(at + 6);
    if (granule < 0n) continue;
    header.frames = Math.max(0, Number(granule) - preSkip);
    break;
  }
  return header;
}

// ---------------------------------------------------------------- checks

/** Rates above this are refused: no recording format uses them, and a corrupt header often claims them. */
export const MAX_SAMPLE_RATE = 768_000;

/**
 * Rates below this are refused: no recording is made that slowly (telephony is 8 kHz), a corrupt header may claim
 * 1 Hz, and a minute of audio would then be a few samples (the model's rate has the same floor).
 */
export const MIN_SAMPLE_RATE = 1000;

function checkRate(sampleRate: number): void {
  if (sampleRate === 0)
    throw new AudioHeaderError('its header gives a sample rate of 0 Hz, which is corrupt: re-export the file.');
  if (sampleRate < MIN_SAMPLE_RATE)
    throw new AudioHeaderError(
      `its header gives a sample rate of ${sampleRate} Hz, below ${MIN_SAMPLE_RATE} Hz: the header is corrupt or the recording is not sound; re-export the file.`,
    );
  if (sampleRate > MAX_SAMPLE_RATE)
    throw new AudioHeaderError(
      `its header gives a sample rate of ${sampleRate} Hz, above ${MAX_SAMPLE_RATE} Hz: the header is corrupt or the format is not supported.`,
    );
}

function checkChannelCount(channels: number): void {
  if (channels === 0) throw new AudioHeaderError('its header gives 0 channels, which is corrupt: re-export the file.');
}

/** A length for messages: "12.3 s", "1 min", "10 min 0.4 s". */
export function seconds(value: number): string {
  if (value < 60) return `${value.toFixed(1)} s`;
  const minutes = Math.floor(value / 60);
  const rest = value - minutes * 60;
  return rest < 0.05 ? `${minutes} min` : `${minutes} min ${rest.toFixed(1)} s`;
}

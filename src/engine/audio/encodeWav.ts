// Writes RIFF/WAVE files: integer PCM (8, 16, 24, 32 bits) or IEEE float (32, 64 bits), any channel count.
// Used to save a perturbed or masked waveform for listening, and by the tests to make inputs of every kind.

/** Sample encoding of a WAV file. */
export type WavEncoding = { float?: false; bits: 8 | 16 | 24 | 32 } | { float: true; bits: 32 | 64 };

/** Options for {@link encodeWav}. */
export interface EncodeWavOptions {
  /** Default 16-bit PCM. */
  encoding?: WavEncoding;
  /**
   * Write WAVE_FORMAT_EXTENSIBLE (format tag 0xFFFE with the PCM/float sub-format), as files with more than two
   * channels or more than 16 bits usually are. Default: only when there are more than 2 channels.
   */
  extensible?: boolean;
}

/**
 * Encodes planar channels (all the same length, samples in [-1, 1], clipped beyond) as a WAV file. Integer PCM maps
 * [-1, 0] onto [-2^(bits-1), 0] and [0, 1] onto [0, 2^(bits-1) - 1], rounded (the inverse of the decoder's scaling,
 * so a round trip is within half a step); 8-bit is unsigned with its zero at 128, as the format requires.
 */
export function encodeWav(
  channels: readonly Float32Array[],
  sampleRate: number,
  options: EncodeWavOptions = {},
): Buffer {
  const encoding = options.encoding ?? { bits: 16 };
  const channelCount = channels.length;
  if (channelCount < 1 || channelCount > 65535)
    throw new RangeError(`encodeWav: 1 to 65535 channels, got ${channelCount}`);
  const frames = channels[0]!.length;
  if (channels.some((channel) => channel.length !== frames))
    throw new RangeError('encodeWav: channels differ in length');
  if (!Number.isInteger(sampleRate) || sampleRate < 0) throw new RangeError(`encodeWav: bad sample rate ${sampleRate}`);
  const bytesPerSample = encoding.bits / 8;
  const blockAlign = bytesPerSample * channelCount;
  const dataSize = frames * blockAlign;
  const extensible = options.extensible ?? channelCount > 2;
  const fmtSize = extensible ? 40 : 16;
  const headerSize = 12 + 8 + fmtSize + 8;
  const out = Buffer.alloc(headerSize + dataSize + (dataSize % 2));
  const formatTag = encoding.float ? 3 : 1;

  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(out.length - 8, 4);
  out.write('WAVE', 8, 'latin1');
  out.write('fmt ', 12, 'latin1');
  out.writeUInt32LE(fmtSize, 16);
  out.writeUInt16LE(extensible ? 0xfffe : formatTag, 20);
  out.writeUInt16LE(channelCount, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * blockAlign, 28);
  out.writeUInt16LE(blockAlign, 32);
  out.writeUInt16LE(encoding.bits, 34);
  if (extensible) {
    out.writeUInt16LE(22, 36); // cbSize
    out.writeUInt16LE(encoding.bits, 38); // valid bits per sample
    out.writeUInt32LE(0, 40); // channel mask: unspecified
    // Sub-format GUID 0000000X-0000-0010-8000-00AA00389B71, X the format tag.
    out.writeUInt16LE(formatTag, 44);
    Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]).copy(out, 46);
  }
  out.write('data', headerSize - 8, 'latin1');
  out.writeUInt32LE(dataSize, headerSize - 4);

  let offset = headerSize;
  const full = 2 ** (encoding.bits - 1);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channelCount; c++) {
      const value = channels[c]![i]!;
      if (encoding.float) {
        if (encoding.bits === 32) out.writeFloatLE(value, offset);
        else out.writeDoubleLE(value, offset);
      } else {
        const clipped = Math.max(-full, Math.min(full - 1, Math.round(value < 0 ? value * full : value * (full - 1))));
        if (encoding.bits === 8) out.writeUInt8(clipped + 128, offset);
        else if (encoding.bits === 16) out.writeInt16LE(clipped, offset);
        else if (encoding.bits === 24) out.writeIntLE(clipped, offset, 3);
        else out.writeInt32LE(clipped, offset);
      }
      offset += bytesPerSample;
    }
  }
  return out;
}

// Plays an audio result's three sounds with the Web Audio API, one at a time: AudioBuffers made from the
// Float32Arrays the host sent (no media element, no URI, so the CSP needs no media-src). No DOM; the AudioContext
// is reached through a small interface, so Node tests drive the player with a stand-in.
import type { DisplayAudio } from '../../src/shared/protocol';
import { audioProblem, playbackPosition, seekOffset, type PlaybackStart } from './audioTimeline';

/** The sounds of an audio result. */
export const SOUNDS = ['original', 'kept', 'removed'] as const;
export type SoundName = (typeof SOUNDS)[number];

/** What the player uses of an AudioBuffer. */
export interface AudioBufferLike {
  copyToChannel(source: Float32Array<ArrayBuffer>, channel: number): void;
}

/** What the player uses of an AudioBufferSourceNode. */
export interface AudioSourceLike {
  buffer: AudioBufferLike | null;
  onended: ((this: never, event: Event) => unknown) | null;
  connect(destination: never): unknown;
  start(when?: number, offset?: number): void;
  stop(when?: number): void;
  disconnect(): void;
}

/** What the player uses of an AudioContext. */
export interface AudioContextLike {
  readonly currentTime: number;
  readonly state: string;
  readonly destination: unknown;
  readonly outputLatency?: number;
  readonly baseLatency?: number;
  resume(): Promise<void>;
  createBuffer(channels: number, length: number, sampleRate: number): AudioBufferLike;
  createBufferSource(): AudioSourceLike;
}

/** What is playing: which sound, and when and where it started. */
export interface Playing extends PlaybackStart {
  sound: SoundName;
}

/**
 * One sound at a time. `play` stops whatever plays; `toggle` stops the sound if it is the one playing; `seek` plays
 * the current (or last, or original) sound from a time. Listeners hear every start and stop, including the end of a
 * sound. The AudioContext is made on the first play (a user gesture, which browsers require before sound).
 */
export class AudioPlayer {
  private context: AudioContextLike | undefined;
  private audio: DisplayAudio | undefined;
  private buffers = new Map<SoundName, AudioBufferLike>();
  private source: AudioSourceLike | undefined;
  private current: Playing | undefined;
  private last: SoundName = 'original';
  private readonly listeners = new Set<(playing: Playing | undefined, reason: 'start' | 'stop' | 'end') => void>();

  /** `createContext` returns undefined where Web Audio is missing; the player then plays nothing. */
  constructor(private readonly createContext: () => AudioContextLike | undefined) {}

  /** The sounds to play; a different result stops what plays. */
  setAudio(audio: DisplayAudio | undefined): void {
    if (audio === this.audio) return;
    this.stop();
    this.audio = audio;
    this.buffers.clear();
    this.last = 'original';
  }

  /** Why nothing can be played, or undefined when it can. */
  problem(): string | undefined {
    if (!this.audio) return 'there is no sound';
    return audioProblem(this.audio);
  }

  get playing(): Playing | undefined {
    return this.current;
  }

  /** The sound played last (or being played), which seeking plays. */
  get lastSound(): SoundName {
    return this.last;
  }

  onChange(listener: (playing: Playing | undefined, reason: 'start' | 'stop' | 'end') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Plays `sound` from `offset` seconds, stopping anything else first. False when it cannot play. */
  play(sound: SoundName, offset = 0): boolean {
    const audio = this.audio;
    if (!audio || this.problem()) return false;
    const context = this.ensureContext();
    if (!context) return false;
    this.halt();
    const buffer = this.bufferOf(context, audio, sound);
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination as never);
    const start = seekOffset(offset, this.duration());
    source.onended = () => {
      // A source stopped by `halt` also ends; only the one still current is news.
      if (this.source !== source) return;
      this.source = undefined;
      this.current = undefined;
      source.disconnect();
      this.emit(undefined, 'end');
    };
    this.source = source;
    this.last = sound;
    this.current = { sound, contextTime: context.currentTime, offset: start };
    if (context.state === 'suspended') void context.resume().catch(() => undefined);
    source.start(0, start);
    this.emit(this.current, 'start');
    return true;
  }

  /** Stops `sound` if it is playing, else plays it from the start. */
  toggle(sound: SoundName): boolean {
    if (this.current?.sound === sound) {
      this.stop();
      return false;
    }
    return this.play(sound);
  }

  /** Plays the sound playing (or played last) from `seconds`. */
  seek(seconds: number): boolean {
    return this.play(this.current?.sound ?? this.last, seconds);
  }

  /** Stops whatever plays (nothing happens when nothing does). */
  stop(): void {
    if (!this.current) return;
    this.halt();
    this.emit(undefined, 'stop');
  }

  /** Where playback is in the sound, in seconds, or undefined when nothing plays or the sound is over. */
  position(): number | undefined {
    const current = this.current;
    const context = this.context;
    if (!current || !context) return undefined;
    const latency = context.outputLatency ?? context.baseLatency ?? 0;
    return playbackPosition(current, context.currentTime, this.duration(), latency);
  }

  /** Length of the sounds in seconds (from the samples, which is what plays). */
  duration(): number {
    const audio = this.audio;
    if (!audio || !(audio.sampleRate > 0)) return 0;
    return audio.original.length / audio.sampleRate;
  }

  private halt(): void {
    const source = this.source;
    this.source = undefined;
    this.current = undefined;
    if (source) {
      try {
        source.stop();
      } catch {
        // Already stopped.
      }
      source.disconnect();
    }
  }

  private ensureContext(): AudioContextLike | undefined {
    this.context ??= this.createContext();
    return this.context;
  }

  private bufferOf(context: AudioContextLike, audio: DisplayAudio, sound: SoundName): AudioBufferLike {
    let buffer = this.buffers.get(sound);
    if (!buffer) {
      const samples = audio[sound];
      buffer = context.createBuffer(1, samples.length, audio.sampleRate);
      // copyToChannel wants a Float32Array over an ArrayBuffer (not a SharedArrayBuffer).
      buffer.copyToChannel(
        samples.buffer instanceof ArrayBuffer ? (samples as Float32Array<ArrayBuffer>) : Float32Array.from(samples),
        0,
      );
      this.buffers.set(sound, buffer);
    }
    return buffer;
  }

  private emit(playing: Playing | undefined, reason: 'start' | 'stop' | 'end'): void {
    for (const listener of this.listeners) listener(playing, reason);
  }
}

/** The browser's AudioContext, or undefined where there is none. */
export function browserAudioContext(): AudioContextLike | undefined {
  const Context = (globalThis as { AudioContext?: new () => AudioContext }).AudioContext;
  return Context ? (new Context() as unknown as AudioContextLike) : undefined;
}

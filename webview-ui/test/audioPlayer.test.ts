import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AudioPlayer,
  type AudioBufferLike,
  type AudioContextLike,
  type AudioSourceLike,
  type Playing,
} from '../src/audioPlayer';
import { displayAudio } from './fixtures';

/** A stand-in AudioContext: a clock the test moves, buffers that keep their samples, sources that record calls. */
class FakeContext implements AudioContextLike {
  currentTime = 100;
  state = 'suspended';
  destination = {};
  outputLatency = 0;
  resumed = 0;
  sources: FakeSource[] = [];
  buffers: FakeBuffer[] = [];
  async resume(): Promise<void> {
    this.resumed++;
    this.state = 'running';
  }
  createBuffer(channels: number, length: number, sampleRate: number): FakeBuffer {
    const buffer = new FakeBuffer(channels, length, sampleRate);
    this.buffers.push(buffer);
    return buffer;
  }
  createBufferSource(): FakeSource {
    const source = new FakeSource();
    this.sources.push(source);
    return source;
  }
}

class FakeBuffer implements AudioBufferLike {
  samples: Float32Array | undefined;
  constructor(
    readonly channels: number,
    readonly length: number,
    readonly sampleRate: number,
  ) {}
  copyToChannel(source: Float32Array, channel: number): void {
    assert.equal(channel, 0);
    this.samples = Float32Array.from(source);
  }
}

class FakeSource implements AudioSourceLike {
  buffer: AudioBufferLike | null = null;
  onended: ((this: never, event: Event) => unknown) | null = null;
  started: [number | undefined, number | undefined] | undefined;
  stopped = false;
  connected = false;
  connect(): void {
    this.connected = true;
  }
  disconnect(): void {
    this.connected = false;
  }
  start(when?: number, offset?: number): void {
    this.started = [when, offset];
  }
  /** As in browsers, stopping a source fires its `ended` event too. */
  stop(): void {
    this.stopped = true;
    this.end();
  }
  end(): void {
    (this.onended as ((event: Event) => unknown) | null)?.({} as Event);
  }
}

/** What plays (a call, so an assertion about it does not narrow `player.playing` for the lines after it). */
const soundOf = (player: AudioPlayer) => player.playing?.sound;

function setup() {
  const context = new FakeContext();
  let made = 0;
  const player = new AudioPlayer(() => {
    made++;
    return context;
  });
  const events: [string | undefined, string][] = [];
  player.onChange((playing: Playing | undefined, reason) => events.push([playing?.sound, reason]));
  const audio = displayAudio();
  player.setAudio(audio);
  return { context, player, events, audio, made: () => made };
}

describe('the audio player', () => {
  test('makes its AudioContext on the first play, not before (browsers want a user gesture)', () => {
    const { player, made, context } = setup();
    assert.equal(made(), 0);
    assert.equal(player.play('original'), true);
    assert.equal(made(), 1);
    assert.equal(context.resumed, 1, 'a suspended context is resumed');
    player.play('kept');
    assert.equal(made(), 1, 'one context for the panel');
  });

  test('plays a mono buffer of the sound at its sample rate', () => {
    const { player, context, audio } = setup();
    player.play('kept');
    const buffer = context.buffers[0]!;
    assert.deepEqual([buffer.channels, buffer.length, buffer.sampleRate], [1, audio.kept.length, 8000]);
    assert.deepEqual(buffer.samples, audio.kept);
    const source = context.sources[0]!;
    assert.equal(source.buffer, buffer);
    assert.ok(source.connected);
    assert.deepEqual(source.started, [0, 0]);
  });

  test('plays one sound at a time: another stops the first, and only the stop of the current one is news', () => {
    const { player, context, events } = setup();
    player.play('original');
    player.play('removed');
    assert.ok(context.sources[0]!.stopped);
    assert.ok(!context.sources[0]!.connected);
    assert.equal(soundOf(player), 'removed');
    assert.deepEqual(events, [
      ['original', 'start'],
      ['removed', 'start'],
    ]);
  });

  test('toggling the sound that plays stops it; toggling another plays that one', () => {
    const { player, events } = setup();
    assert.equal(player.toggle('kept'), true);
    assert.equal(player.toggle('kept'), false);
    assert.equal(soundOf(player), undefined);
    player.toggle('kept');
    player.toggle('original');
    assert.equal(soundOf(player), 'original');
    assert.deepEqual(events, [
      ['kept', 'start'],
      [undefined, 'stop'],
      ['kept', 'start'],
      ['original', 'start'],
    ]);
  });

  test('the end of a sound clears it and is told as an end', () => {
    const { player, context, events } = setup();
    player.play('original');
    context.sources[0]!.end();
    assert.equal(soundOf(player), undefined);
    assert.deepEqual(events.at(-1), [undefined, 'end']);
    player.stop();
    assert.equal(events.length, 2, 'stopping when nothing plays says nothing');
  });

  test('the position follows the context clock and is gone after the end', () => {
    const { player, context } = setup();
    assert.equal(player.position(), undefined);
    player.play('original');
    context.currentTime += 0.25;
    assert.equal(player.position(), 0.25);
    context.currentTime += 1;
    assert.equal(player.position(), undefined);
  });

  test('seeking plays the current sound from there, else the last one, else the original', () => {
    const { player, context } = setup();
    player.seek(0.4);
    assert.equal(soundOf(player), 'original');
    assert.deepEqual(context.sources.at(-1)!.started, [0, 0.4]);
    player.play('kept');
    player.seek(0.6);
    assert.equal(soundOf(player), 'kept');
    assert.equal(player.playing?.offset, 0.6);
    player.stop();
    player.seek(0.2);
    assert.equal(soundOf(player), 'kept');
    assert.equal(player.position(), 0.2);
  });

  test('reuses each buffer, and a new result stops playback and drops them', () => {
    const { player, context } = setup();
    player.play('original');
    player.play('original');
    assert.equal(context.buffers.length, 1);
    player.setAudio(displayAudio());
    assert.equal(soundOf(player), undefined);
    assert.equal(player.lastSound, 'original');
    player.play('original');
    assert.equal(context.buffers.length, 2);
  });

  test('plays nothing without Web Audio, without sound, or with sounds that cannot be played', () => {
    const none = new AudioPlayer(() => undefined);
    none.setAudio(displayAudio());
    assert.equal(none.play('original'), false);
    const { player } = setup();
    player.setAudio(undefined);
    assert.equal(player.play('original'), false);
    player.setAudio(displayAudio({ sampleRate: 10 }));
    assert.match(player.problem() ?? '', /sample rate/);
    assert.equal(player.play('original'), false);
  });
});

// One merge of a preset and the settings a job or the command line gives, for the worker and the CLI alike.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESETS, resolveSettings } from '../../src/engine/methods/dax/presets';
import { PRESET_QUERIES } from '../../src/shared/presets';

describe('resolving a preset with overrides', () => {
  test('a given value wins, an undefined one keeps the preset, and the preset itself is never changed', () => {
    const settings = resolveSettings('fast', { samples: 300, epochs: undefined, lambda1: 0.5 });
    assert.equal(settings.samples, 300);
    assert.equal(settings.epochs, PRESETS.fast.epochs);
    assert.equal(settings.lambda1, 0.5);
    assert.equal(PRESETS.fast.samples, PRESET_QUERIES.fast, 'the preset keeps its budget');
    assert.notEqual(resolveSettings('fast'), PRESETS.fast, 'a fresh object');
    assert.deepEqual(resolveSettings('balanced'), PRESETS.balanced);
  });
});

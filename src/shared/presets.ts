// The presets as the front ends name them, with the query budget each spends (the engine's presets.ts builds its
// settings on these numbers; the host shows them without importing the engine).

export const PRESET_NAMES = ['fast', 'balanced', 'thorough'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Black-box queries of each preset, the input itself included. */
export const PRESET_QUERIES: Record<PresetName, number> = { fast: 500, balanced: 1000, thorough: 3000 };

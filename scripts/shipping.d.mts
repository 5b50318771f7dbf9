// Types of shipping.mjs for the tests.
export const NATIVE: string[];
export const RUNTIME_LOADED: string[];
export const EMBEDDED_LGPL: Record<string, { what: string; license: string; files: string[] }>;

/** The repository root. */
export const ROOT: string;
/** The image every VS Code test explains. */
export const EXAMPLE_IMAGE: string;
/** Writes the test workspace into `folder` (the example image, settings naming the example model, plus `settings`); returns `folder`. */
export function makeWorkspace(folder: string, settings?: Record<string, unknown>): string;

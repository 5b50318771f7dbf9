/** Runs `node ...args` in the repository root, prints `name: N s`; throws when it fails. */
export function nodeStep(name: string, args: string[]): void;
/** Installs code-server unless already installed. */
export function installCodeServerStep(): void;
/** Builds dist/. */
export function buildStep(): void;

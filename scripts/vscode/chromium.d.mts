import type { Browser } from 'playwright-core';

export const CHROMIUM_ARGS: readonly string[];
/** `$DAX_CHROMIUM`, else /usr/bin/chromium. */
export function chromiumPath(): string;
/** An Error saying how to get Chromium when it is missing, else undefined. */
export function missingChromium(executablePath?: string): Error | undefined;
/** Headless Chromium with private XDG folders under `tmp`; the caller closes it. */
export function launchChromium(options: { tmp: string; executablePath?: string }): Promise<Browser>;

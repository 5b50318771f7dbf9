import type { ChildProcess } from 'node:child_process';

/** The files of a code-server install (see paths.mjs). */
export interface CodeServerFiles {
  dir: string;
  node: string;
  entry: string;
  [name: string]: string;
}
export interface CodeServerStamp {
  codeServer: string;
  vscode: string;
  node: string;
  [name: string]: unknown;
}

export const DEFAULT_USER_SETTINGS: Readonly<Record<string, unknown>>;
/** The finished install, or throws an Error saying how to install it. */
export function installedCodeServer(): { files: CodeServerFiles; stamp: CodeServerStamp };
export function privateDir(tmp: string, name: string): string;
/** Installs the extension in `folder` into `extensionsDir` as a symbolic link `publisher.name-version`; returns the link. */
export function linkExtension(extensionsDir: string, folder: string): string;
export function spawnCodeServer(options: {
  files: CodeServerFiles;
  tmp: string;
  port: number;
  userDataDir?: string;
  extensionsDir?: string;
  extraArgs?: string[];
  /** Leave workspace trust on (default off: `--disable-workspace-trust`). */
  workspaceTrust?: boolean;
  onOutput?: (chunk: Buffer) => void;
  onLine?: (line: string) => void;
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}): ChildProcess;
export function waitHealthy(server: ChildProcess, port: number, timeoutMs?: number): Promise<void>;
export function stopCodeServer(server: ChildProcess | undefined): Promise<void>;
export function killCodeServerNow(server: ChildProcess | undefined): void;
export function signalGroup(pid: number, signal: NodeJS.Signals): void;
/** `payload`: pairs such as ['extensionDevelopmentPath', localFolder]; paths become vscode-remote URIs. */
export function workbenchUrl(port: number, options?: { workspace?: string; payload?: [string, string][] }): string;
export function remoteUri(file: string): string;
export function extensionHostEvent(
  line: string,
): { launched: number } | { exited: { code: number | null; signal: string | null } } | undefined;
export function guardMemory(pid: number, maxMb: number, onKill: (reason: string) => void): NodeJS.Timeout;
export function healthy(port: number): Promise<boolean>;
export function freePort(): Promise<number>;
export function sleep(ms: number): Promise<void>;
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T>;

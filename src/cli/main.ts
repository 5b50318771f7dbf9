#!/usr/bin/env node
// `dax`: explain black-box image classifiers from the command line, and measure how faithful the maps are.
import { Console } from 'node:console';
import { compareCommand, COMPARE_USAGE } from './compareCommand';
import { EXIT, usageError } from './common';
import { evalCommand, EVAL_USAGE } from './evalCommand';
import { explainCommand, EXPLAIN_USAGE } from './explainCommand';
import { catchModelEscapes, refuseProcessExitInModelCalls } from '../engine/core/modelCalls';
import { daxVersion } from '../engine/versions';

const USAGE = `Usage: dax <command> [options]

Explains why a black-box image classifier gave an image its class, with DAX
(Distillation Aided eXplainability, arXiv 2409.11123) or a baseline (RISE, LIME,
occlusion), and measures how faithful a saliency map is.

Commands:

${EXPLAIN_USAGE}

${EVAL_USAGE}

${COMPARE_USAGE}

  -h, --help            this help
  --version             the version

Exit status: 0 success, 1 an explanation failed, 2 bad usage or input, 130 interrupted.`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  explain: explainCommand,
  eval: evalCommand,
  compare: compareCommand,
};

/** Runs the CLI with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return EXIT.ok;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`${daxVersion()}\n`);
    return EXIT.ok;
  }
  const [command, ...rest] = argv;
  if (!command || command.startsWith('-')) return usageError('no command given.');
  const run = COMMANDS[command];
  if (!run) return usageError(`unknown command "${command}".`);
  return run(rest);
}

/**
 * Sends everything written through `console` to stderr: stdout carries only what the CLI writes itself (results, the
 * summary, `--json`), so a `console.log` in a predict module or a library cannot corrupt what a script parses.
 */
export function routeConsoleToStderr(): void {
  const toStderr = new Console({ stdout: process.stderr, stderr: process.stderr });
  Object.defineProperty(globalThis, 'console', {
    value: toStderr,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/**
 * Keeps a model from ending the CLI as if the run were done: `process.exit` inside a model call throws instead (a
 * model error for that input), an exception a predict module throws outside its promise (in a timer) fails the call
 * in flight instead of ending the process with a raw stack, and an exit of the process before the command finished
 * (exit code 0 or not, with no results) is turned into exit 1 with a message. `finished` says whether the command is done.
 */
export function guardAgainstModelExits(finished: () => boolean): void {
  refuseProcessExitInModelCalls();
  catchModelEscapes((error) => {
    process.stderr.write(`dax: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(EXIT.failed);
  });
  process.on('exit', (code) => {
    if (finished()) return;
    process.stderr.write(
      `dax: the process ended (exit code ${code}) before the command finished; no results were reported. ` +
        'A predict module that calls process.exit, or a model whose promise never settles, does this.\n',
    );
    process.exitCode = code === 0 || code === undefined ? EXIT.failed : code;
  });
}

if (require.main === module) {
  routeConsoleToStderr();
  let finished = false;
  guardAgainstModelExits(() => finished);
  const end = (code: number): void => {
    finished = true;
    process.exitCode = code;
    // A model that timed out may still hold the event loop (a native session run, a predict's timers): the command is
    // over, so the process ends soon even then.
    setTimeout(() => process.exit(code), 2000).unref();
  };
  main(process.argv.slice(2)).then(end, (error: unknown) => {
    process.stderr.write(`dax: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    end(EXIT.failed);
  });
}

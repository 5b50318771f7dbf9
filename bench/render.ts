// `npm run bench:render`: writes docs/benchmarks.md and docs/benchmarks/quick.md again from their JSON, after a
// change to the tables (bench/markdown.ts), without running anything again.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderRun } from './markdown';
import type { BenchRun } from './records';

const root = path.join(__dirname, '..');
for (const [json, markdown, command] of [
  ['docs/benchmarks/full.json', 'docs/benchmarks.md', 'npm run bench'],
  ['docs/benchmarks/quick.json', 'docs/benchmarks/quick.md', 'npm run bench:quick'],
] as const) {
  if (!existsSync(path.join(root, json))) continue;
  const run = JSON.parse(readFileSync(path.join(root, json), 'utf8')) as BenchRun;
  writeFileSync(path.join(root, markdown), renderRun(run, command));
  console.log(`${markdown} from ${json}`);
}

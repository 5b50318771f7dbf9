// Mocha entry point that VS Code's extension host loads (extensionTestsPath): runs every *.test.js beside it.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

/**
 * Called by the extension host once the extension under development is loaded; resolves when every test passed.
 * Ends with a plain `N passed, N failed` line, which the harness echoes as the run's closing line.
 */
export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false });
  // DAX_TEST_GREP=<text> runs only the tests whose full title contains it (the environment reaches the host).
  if (process.env.DAX_TEST_GREP) mocha.grep(process.env.DAX_TEST_GREP);
  const files = readdirSync(__dirname)
    .filter((name) => name.endsWith('.test.js'))
    .sort();
  for (const file of files) mocha.addFile(path.join(__dirname, file));
  await new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const { passes = 0, failures: failed = failures } = runner.stats ?? {};
      console.log(`${passes} passed, ${failed} failed`);
      if (failures > 0) reject(new Error(`${failures} of ${passes + failed} integration tests failed`));
      else if (passes === 0) reject(new Error(`no integration test ran (files: ${files.join(', ') || 'none'})`));
      else resolve();
    });
  });
}

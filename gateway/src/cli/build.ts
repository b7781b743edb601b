/**
 * `npm run build` (and the first step of `npm start`): compiles the sources the
 * mesh runs (gateway, subgraphs, schema, policies) to CommonJS in dist/, with
 * swc, and copies the files they read at run time (schemas, descriptors, SQL,
 * the catalog page).
 *
 * Why not `tsc`: on these 2-core machines tsc took 96 s per start, printing
 * nothing, because it type-checks the whole program to emit it. Type checking
 * is `npm test`'s job (`tsc --noEmit`); starting only needs the JavaScript, and
 * swc (already what jest compiles the tests with, so the same output is what
 * the suite proves) compiles a file in about a millisecond. Only files newer
 * than their output are compiled again, so a later start with nothing changed
 * compiles nothing.
 *
 * Guarantees: dist/ mirrors the source tree; a file is rewritten only when its
 * source changed; progress is printed; a file that does not compile stops the
 * build with its path and swc's message.
 */
import { copyFileSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { transformFile } from '@swc/core';

const ROOT = join(__dirname, '..', '..', '..');
const OUT = join(ROOT, 'dist');
const SOURCE_DIRS = ['gateway', 'subgraphs', 'schema', 'policies'];
// The baseline gateway imports the bench principal, which imports the test principals.
const EXTRA_SOURCES = ['bench/baselineGateway.ts', 'bench/principal.ts', 'tests/principals.ts'];
/** Tests are not part of the running mesh. */
const SKIPPED = /(\.test\.ts|\/testing\.ts)$/;

function* filesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else yield path;
  }
}

const isNewer = (source: string, output: string) => {
  try {
    return statSync(source).mtimeMs > statSync(output).mtimeMs;
  } catch {
    return true;
  }
};

async function build() {
  const started = Date.now();
  const sources = [...SOURCE_DIRS.flatMap((dir) => [...filesUnder(join(ROOT, dir))]), ...EXTRA_SOURCES.map((file) => join(ROOT, file))];
  let compiled = 0;
  let copied = 0;
  let done = 0;
  const total = sources.length;
  const progress = () => process.stdout.write(`\rbuild: ${done}/${total} files checked, ${compiled} compiled, ${copied} copied`);
  for (const source of sources) {
    const rel = relative(ROOT, source);
    done++;
    if (source.endsWith('.ts') && !SKIPPED.test(source)) {
      const output = join(OUT, rel.replace(/\.ts$/, '.js'));
      if (isNewer(source, output)) {
        let result;
        try {
          result = await transformFile(source, {
            jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
            module: { type: 'commonjs' },
            sourceMaps: true,
            outputPath: output,
          });
        } catch (error) {
          process.stdout.write('\n');
          throw new Error(`build: ${rel} does not compile: ${error instanceof Error ? error.message : String(error)}`);
        }
        mkdirSync(dirname(output), { recursive: true });
        writeFileSync(output, `${result.code}\n//# sourceMappingURL=${output.split('/').pop()}.map\n`);
        if (result.map) writeFileSync(`${output}.map`, result.map);
        compiled++;
      }
    } else if (!source.endsWith('.ts')) {
      // Everything else beside the sources is read at run time (schemas, descriptors, SQL, templates, the catalog page).
      const output = join(OUT, rel);
      if (isNewer(source, output)) {
        mkdirSync(dirname(output), { recursive: true });
        copyFileSync(source, output);
        copied++;
      }
    }
    if (done % 25 === 0 || done === total) progress();
  }
  process.stdout.write(` in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

build().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

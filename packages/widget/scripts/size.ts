/**
 * Size check of the built widget: `npm run size -w @synctalk/widget` (or `npm run size:widget` from the
 * root, which builds first). Prints the minified and min+gzip sizes of dist/widget.js and dist/loader.js and
 * the SRI hash of widget.js, and which packages the minified bytes come from; exits 1 when widget.js is over 35 KB min+gzip or the loader reaches 1 KB.
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  budgetFailures,
  charsBySource,
  formatReport,
  integrity,
  measure,
  sizeByGroup,
} from './size-report.js';

const dist = new URL('../dist/', import.meta.url);

function read(name: string): Buffer {
  try {
    return readFileSync(new URL(name, dist));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      console.error(`size: dist/${name} is missing; build first (npm run build -w @synctalk/widget)`);
      process.exit(1);
    }
    throw error;
  }
}

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const widget = read('widget.js');
const sizes = { widget: measure(widget), loader: measure(read('loader.js')) };
console.log(formatReport(version, sizes, integrity(widget)));

// Where the minified bytes come from, per package, from the source map (when the build wrote one).
const mapFile = new URL('widget.js.map', dist);
if (existsSync(mapFile)) {
  const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; mappings: string };
  const code = widget.toString('utf8');
  const mapped = map.mappings.split(';').length;
  const lines = code.split('\n').length;
  if (mapped > lines) {
    // A minifier ran after the map was written: the map describes another file.
    console.log(
      `  widget.js.map does not describe widget.js (it maps ${mapped.toLocaleString('en')} lines, the file ` +
        `has ${lines.toLocaleString('en')}): no breakdown by origin, and browsers will map stack traces wrongly`,
    );
  } else {
    console.log('  minified bytes by origin (widget.js.map):');
    for (const [group, chars] of sizeByGroup(charsBySource(code, map))) {
      const share = ((chars / code.length) * 100).toFixed(1).padStart(5);
      console.log(`    ${group.padEnd(32)} ${(chars / 1024).toFixed(1).padStart(6)} KB ${share} %`);
    }
  }
}

const failures = budgetFailures(sizes);
if (failures.length > 0) {
  for (const f of failures) console.error(`size: over budget: ${f}`);
  process.exit(1);
}
console.log('  within budget');

#!/usr/bin/env node
// Initial JS per app (gzip): the entry chunk and its static imports, as the browser loads them
// before anything is shown. Lazy chunks (the uPlot chart) are listed apart. Fails above the budget.
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 60 * 1024;
let failed = false;
for (const app of process.argv.slice(2)) {
  const dist = resolve(import.meta.dirname, '../..', app, 'dist');
  const html = readFileSync(resolve(dist, 'index.html'), 'utf8');
  const initial = new Set();
  const queue = [...html.matchAll(/(?:src|href)="\/[a-z]+\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  while (queue.length) {
    const f = queue.pop();
    if (initial.has(f)) continue;
    initial.add(f);
    const code = readFileSync(resolve(dist, f), 'utf8');
    // Static imports between chunks: `import{…}from"./x.js"` or `import"./x.js"`.
    for (const m of code.matchAll(/import(?:[^"'()]*?from)?\s*["']\.\/([^"']+\.js)["']/g)) queue.push(`assets/${m[1]}`);
  }
  const gz = (f) => gzipSync(readFileSync(resolve(dist, f)), { level: 9 }).length;
  const all = readdirSync(resolve(dist, 'assets')).filter((f) => f.endsWith('.js')).map((f) => `assets/${f}`);
  const initialBytes = [...initial].reduce((a, f) => a + gz(f), 0);
  const lazy = all.filter((f) => !initial.has(f));
  const lazyBytes = lazy.reduce((a, f) => a + gz(f), 0);
  const over = initialBytes > BUDGET;
  failed ||= over;
  console.log(
    `${app.padEnd(9)} initial JS ${(initialBytes / 1024).toFixed(1)} KB gzip (${initial.size} files)${over ? '  OVER BUDGET' : ''}; lazy ${(lazyBytes / 1024).toFixed(1)} KB gzip (${lazy.length} files)`,
  );
}
process.exit(failed ? 1 : 0);

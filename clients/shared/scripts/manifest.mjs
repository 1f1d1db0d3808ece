#!/usr/bin/env node
// Writes dist/persisted-documents.json ({ "sha256:<hex>": "query …" }) for the app in the current
// directory: the shared session operations plus the app's own, each id checked against its text.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const app = process.cwd();
const sources = [resolve(app, '../shared/src/gql/persisted-documents.json'), resolve(app, 'src/gql/persisted-documents.json')];
const out = {};
for (const file of sources) {
  if (!existsSync(file)) throw new Error(`${file} is missing: run codegen first`);
  for (const [hash, text] of Object.entries(JSON.parse(readFileSync(file, 'utf8')))) {
    const actual = createHash('sha256').update(text).digest('hex');
    if (actual !== hash) throw new Error(`${file}: ${hash} is not the sha256 of its document`);
    out[`sha256:${hash}`] = text;
  }
}
if (!existsSync(resolve(app, 'dist/index.html'))) throw new Error('dist/ is missing: run vite build first');
writeFileSync(resolve(app, 'dist/persisted-documents.json'), JSON.stringify(out, null, 2) + '\n');
console.log(`persisted-documents.json: ${Object.keys(out).length} documents`);

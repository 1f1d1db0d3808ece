/**
 * The installable-app parts, without a framework: a web manifest, generated icons (SVG and PNG),
 * and a small service worker that precaches the built files (the app shell works offline), serves
 * them cache-first, never touches /graphql, and waits for the user's "update" before a new version
 * takes over (see src/pwa.svelte.ts).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Plugin, ResolvedConfig } from 'vite';

export interface PwaOptions {
  app: string;
  name: string;
  shortName: string;
  description: string;
  themeColor: string;
  /** One or two letters on the icon. */
  letter: string;
}

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.replace('#', ''), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A PNG icon: the theme colour with a white cross (care), safe for maskable cropping. */
export function iconPng(size: number, color: string): Buffer {
  const [r, g, b] = hexToRgb(color);
  const raw = Buffer.alloc((size * 3 + 1) * size);
  const arm = size * 0.12;
  const len = size * 0.3;
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    raw[y * (size * 3 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const inCross =
        (Math.abs(x - c) <= arm && Math.abs(y - c) <= len) || (Math.abs(y - c) <= arm && Math.abs(x - c) <= len);
      const o = y * (size * 3 + 1) + 1 + x * 3;
      raw[o] = inCross ? 255 : r;
      raw[o + 1] = inCross ? 255 : g;
      raw[o + 2] = inCross ? 255 : b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function iconSvg(color: string, letter: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" rx="18" fill="${color}"/><path d="M38 20h24v18h18v24H62v18H38V62H20V38h18z" fill="#fff"/><text x="50" y="57" font-family="system-ui,sans-serif" font-size="18" font-weight="700" text-anchor="middle" fill="${color}">${letter}</text></svg>`;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

export function pwaPlugin(opts: PwaOptions): Plugin {
  let config: ResolvedConfig;
  const base = `/${opts.app}/`;
  return {
    name: 'plejelink:pwa',
    apply: 'build',
    configResolved(c) {
      config = c;
    },
    transformIndexHtml() {
      return [
        { tag: 'link', attrs: { rel: 'manifest', href: `${base}manifest.webmanifest` }, injectTo: 'head' },
        { tag: 'meta', attrs: { name: 'theme-color', content: opts.themeColor }, injectTo: 'head' },
        { tag: 'link', attrs: { rel: 'icon', href: `${base}icon.svg`, type: 'image/svg+xml' }, injectTo: 'head' },
        { tag: 'link', attrs: { rel: 'apple-touch-icon', href: `${base}icon-192.png` }, injectTo: 'head' },
      ];
    },
    generateBundle() {
      const manifest = {
        name: opts.name,
        short_name: opts.shortName,
        description: opts.description,
        lang: 'da',
        start_url: base,
        scope: base,
        id: base,
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#f6f7f9',
        theme_color: opts.themeColor,
        icons: [
          { src: `${base}icon.svg`, sizes: 'any', type: 'image/svg+xml' },
          { src: `${base}icon-192.png`, sizes: '192x192', type: 'image/png' },
          { src: `${base}icon-512.png`, sizes: '512x512', type: 'image/png' },
          { src: `${base}icon-512.png`, sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      };
      this.emitFile({ type: 'asset', fileName: 'manifest.webmanifest', source: JSON.stringify(manifest, null, 2) });
      this.emitFile({ type: 'asset', fileName: 'icon.svg', source: iconSvg(opts.themeColor, opts.letter) });
      this.emitFile({ type: 'asset', fileName: 'icon-192.png', source: iconPng(192, opts.themeColor) });
      this.emitFile({ type: 'asset', fileName: 'icon-512.png', source: iconPng(512, opts.themeColor) });
    },
    closeBundle() {
      const out = config.build.outDir;
      const files = walk(out)
        .map((f) => relative(out, f).split('\\').join('/'))
        .filter((f) => f !== 'sw.js' && f !== 'persisted-documents.json')
        .sort();
      const hash = createHash('sha256');
      for (const f of files) hash.update(f).update(readFileSync(join(out, f)));
      const version = hash.digest('hex').slice(0, 16);
      const template = readFileSync(new URL('./sw-template.js', import.meta.url), 'utf8');
      const sw = template
        .replace('__APP__', JSON.stringify(opts.app))
        .replace('__VERSION__', JSON.stringify(version))
        .replace('__BASE__', JSON.stringify(base))
        .replace('__FILES__', JSON.stringify(files));
      writeFileSync(join(out, 'sw.js'), sw);
    },
  };
}

import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin, UserConfig } from 'vite';
import { pwaPlugin, type PwaOptions } from './pwa-plugin.ts';

/**
 * Production builds send only document ids, so the query text in the generated documents is
 * dead weight on the phone: keep just "query Name" (the operation name goes along for the log).
 */
function stripDocumentText(): Plugin {
  return {
    name: 'plejelink:strip-document-text',
    apply: 'build',
    transform(code, id) {
      if (!/[\\/]gql[\\/]graphql\.ts$/.test(id)) return null;
      return code.replace(
        /new TypedDocumentString\(`([\s\S]*?)`(, \{[^}]*\})?\)/g,
        (_all, text: string, meta: string | undefined) => {
          const head = /\b(query|mutation|subscription)\s+[_A-Za-z][_0-9A-Za-z]*/.exec(text)?.[0] ?? '';
          return `new TypedDocumentString(${JSON.stringify(head)}${meta ?? ''})`;
        },
      );
    },
  };
}

export function appConfig(opts: PwaOptions & { port: number }): UserConfig {
  const api = process.env.PLEJELINK_API ?? 'http://127.0.0.1:8080';
  return {
    base: `/${opts.app}/`,
    plugins: [svelte(), stripDocumentText(), pwaPlugin(opts)],
    server: {
      port: opts.port,
      strictPort: true,
      // The API in development: `bash scripts/run.sh` (or PLEJELINK_API=http://host:port).
      proxy: { '/graphql': { target: api, ws: true, changeOrigin: false } },
    },
    build: { target: 'es2022', sourcemap: false, assetsInlineLimit: 0, reportCompressedSize: false },
  };
}

import type { CodegenConfig } from '@graphql-codegen/cli';
import { resolve } from 'node:path';

/**
 * GraphQL Codegen (client preset) for one package: operations in `src/graphql/*.graphql`, typed
 * against the server's schema, written to `src/gql/` with a persisted-documents manifest
 * (`persisted-documents.json`, sha256). Documents are plain strings (`documentMode: 'string'`), so
 * no GraphQL runtime ships to the phone; the build fails on an operation the schema does not allow.
 */
export function codegenConfig(dir: string): CodegenConfig {
  const common = resolve(import.meta.dirname, '../src/graphql/fragments/*.graphql');
  const own = resolve(dir, 'src/graphql/**/*.graphql');
  return {
    schema: resolve(dir, '../../api/schema.graphql'),
    documents: own.startsWith(resolve(import.meta.dirname, '..')) ? [own] : [own, common],
    ignoreNoDocuments: false,
    emitLegacyCommonJSImports: false,
    generates: {
      [resolve(dir, 'src/gql') + '/']: {
        preset: 'client',
        presetConfig: {
          fragmentMasking: false,
          persistedDocuments: { hashAlgorithm: 'sha256', mode: 'embedHashInDocument' },
        },
        config: {
          documentMode: 'string',
          useTypeImports: true,
          enumsAsTypes: true,
          skipTypename: true,
          scalars: { DateTime: 'string', Date: 'string', ID: 'string' },
          avoidOptionals: false,
        },
      },
    },
    silent: false,
    errorsOnly: true,
  };
}

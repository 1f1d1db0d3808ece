import { codegenConfig } from './scripts/codegen-config.ts';

// The shared operations (sessions) every app sends; their documents join each app's manifest.
export default codegenConfig(import.meta.dirname);

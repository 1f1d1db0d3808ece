import { codegenConfig } from '../shared/scripts/codegen-config.ts';

export default codegenConfig(import.meta.dirname);

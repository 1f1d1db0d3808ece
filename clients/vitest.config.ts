import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte({ compilerOptions: { runes: true } })],
  test: {
    include: ['shared/src/**/*.test.ts', 'nurse/src/**/*.test.ts', 'doctor/src/**/*.test.ts', 'relative/src/**/*.test.ts'],
    environment: 'node',
  },
});

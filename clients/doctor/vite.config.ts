import { defineConfig } from 'vite';
import { appConfig } from '../shared/scripts/vite-config.ts';

export default defineConfig(
  appConfig({
    app: 'doctor',
    port: 5174,
    name: 'Plejelink – Læge',
    shortName: "Læge",
    description: 'Spørgsmål, beboere og møder for plejehjemslægen',
    themeColor: '#1d5c3a',
    letter: "L",
  }),
);

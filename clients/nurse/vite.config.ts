import { defineConfig } from 'vite';
import { appConfig } from '../shared/scripts/vite-config.ts';

export default defineConfig(
  appConfig({
    app: 'nurse',
    port: 5173,
    name: 'Plejelink – Pleje',
    shortName: 'Pleje',
    description: 'Målinger, NEWS2 og spørgsmål til plejehjemslægen',
    themeColor: '#0b5cad',
    letter: 'P',
  }),
);

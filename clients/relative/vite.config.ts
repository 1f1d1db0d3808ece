import { defineConfig } from 'vite';
import { appConfig } from '../shared/scripts/vite-config.ts';

export default defineConfig(
  appConfig({
    app: 'relative',
    port: 5175,
    name: 'Plejelink – Pårørende',
    shortName: "Pårørende",
    description: 'Plejeplan, kontakter og møder for pårørende',
    themeColor: '#6a3d8f',
    letter: "P",
  }),
);

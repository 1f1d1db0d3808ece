import '@plejelink/shared/ui/base.css';
import { mount } from 'svelte';
import { pwa } from '@plejelink/shared';
import App from './App.svelte';

mount(App, { target: document.getElementById('app')! });
pwa.register();

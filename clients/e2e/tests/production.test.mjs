// The built apps against the server as deployed (PLEJELINK_ENV=production): only trusted
// documents from the apps' manifests run — over HTTP and over the WebSocket — and text is refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { devices } from 'playwright-core';
import { launchChromium } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ production: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the production server refuses query text', async () => {
  const login = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation { login(email: "sygeplejerske.solhaven@demo.dk", password: "demo-password") { accessToken } }' }),
  }).then((r) => r.json());
  assert.equal(login.errors?.[0]?.extensions?.code, 'VALIDATION', 'anonymous text is refused in production');
});

test('the doctor app works on trusted documents only, live updates included', async () => {
  const { defaultBrowserType: _ignored, ...pixel } = devices['Pixel 7'];
  const context = await browser.newContext({ ...pixel, locale: 'da-DK' });
  const page = await context.newPage();
  const errors = [];
  page.on('response', async (res) => {
    if (res.url().endsWith('/graphql') && res.request().method() === 'POST') {
      const body = await res.json().catch(() => ({}));
      for (const e of body.errors ?? []) errors.push(e.message);
    }
  });
  const frames = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  await page.goto(`${server.url}/doctor/`);
  await page.fill('#login-email', 'laege.hansen@demo.dk');
  await page.fill('#login-password', 'demo-password');
  await page.click('[data-testid=login-form] button[type=submit]');
  await page.waitForSelector('[data-testid=queue-item]');
  // The queue's subscription was accepted (connection_ack, and no error frame).
  for (let i = 0; i < 40 && !frames.some((f) => f.includes('connection_ack')); i++) await page.waitForTimeout(250);
  assert.ok(frames.some((f) => f.includes('connection_ack')), 'the WebSocket was accepted');
  assert.ok(!frames.some((f) => f.includes('"type":"error"')), `no subscription error: ${frames.join(' ')}`);
  await page.goto(`${server.url}/doctor/#/time`);
  await page.waitForSelector('[data-testid=time-report]');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a new version waits for "Opdatér nu", then takes over', async () => {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { resolve } = await import('node:path');
  const sw = resolve(import.meta.dirname, '../../relative/dist/sw.js');
  const original = readFileSync(sw, 'utf8');
  const { defaultBrowserType: _ignored, ...iphone } = devices['iPhone 13'];
  const context = await browser.newContext({ ...iphone, locale: 'da-DK' });
  const page = await context.newPage();
  try {
    await page.goto(`${server.url}/relative/`);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
      }
    });
    // A new build of the worker appears on the server.
    writeFileSync(sw, `${original}\n// next version\n`);
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    const button = page.getByRole('button', { name: 'Opdatér nu' });
    await button.waitFor({ timeout: 20_000 });
    await page.evaluate(() => {
      window.__before = true;
    });
    await Promise.all([page.waitForEvent('load'), button.click()]);
    assert.equal(await page.evaluate(() => window.__before), undefined, 'the page reloaded into the new version');
    await page.waitForSelector('#login-email');
  } finally {
    writeFileSync(sw, original);
    await context.close();
  }
});

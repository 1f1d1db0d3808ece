// Sessions in the apps: the server closes a subscription's socket when its access token expires
// (close code 4401). The nurse app reconnects with a fresh token without the nurse noticing, and
// live alerts keep arriving. Tokens live 4 s here, so the socket is closed and reopened many times.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { devices } from 'playwright-core';
import { launchChromium } from '../lib/browser.mjs';
import { gql, loginToken, startServer } from '../lib/server.mjs';

const NURSE = 'sygeplejerske.solhaven@demo.dk';
const COORDINATOR = 'koordinator.solhaven@demo.dk';

let server;
let browser;

before(async () => {
  server = await startServer({ env: { PLEJELINK_ACCESS_TOKEN_SECONDS: '4' } });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A HIGH NEWS2 observation (respiration 26, pulse 125, systolic 95: 3 + 2 + 2) recorded by the coordinator. */
async function recordHighObservation() {
  const token = await loginToken(server.url, COORDINATOR);
  const me = await gql(server.url, '{ me { careCentres { id } } }', {}, token);
  const list = await gql(
    server.url,
    'query($c: ID!) { residents(careCentreId: $c, first: 1) { nodes { id } } }',
    { c: me.me.careCentres[0].id },
    token,
  );
  const input = {
    clientMutationId: crypto.randomUUID(),
    residentId: list.residents.nodes[0].id,
    recordedAt: new Date().toISOString(),
    respirationRate: 26,
    oxygenSaturation: 97,
    onSupplementalOxygen: false,
    systolicBp: 95,
    diastolicBp: 60,
    pulse: 125,
    consciousness: 'ALERT',
    temperature: 37.0,
  };
  const saved = await gql(
    server.url,
    'mutation($i: RecordObservationInput!) { recordObservation(input: $i) { news2 { riskLevel } } }',
    { i: input },
    token,
  );
  assert.equal(saved.recordObservation.news2.riskLevel, 'HIGH');
}

test('the nurse app keeps its live alerts across access-token expiries, without a reload or a new login', async () => {
  const { defaultBrowserType: _ignored, ...pixel } = devices['Pixel 7'];
  const context = await browser.newContext({ ...pixel, locale: 'da-DK', timezoneId: 'Europe/Copenhagen' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const sockets = [];
  page.on('websocket', (ws) => {
    if (ws.url().endsWith('/graphql/ws')) sockets.push(ws);
  });
  await page.goto(`${server.url}/nurse/`);
  await page.fill('#login-email', NURSE);
  await page.fill('#login-password', 'demo-password');
  await page.click('[data-testid=login-form] button[type=submit]');
  await page.waitForSelector('[data-testid=resident-row]');
  await page.evaluate(() => {
    window.__sameDocument = true;
  });
  // Three lifetimes of the token: the server closes the socket at each expiry.
  await page.waitForTimeout(12_000);
  assert.ok(sockets.length >= 3, `the socket was reopened after each expiry (${sockets.length} sockets)`);

  await recordHighObservation();
  await page.locator('[data-testid=alerts] [data-testid=news2-badge][data-risk=HIGH]').first().waitFor();
  assert.equal(await page.evaluate(() => window.__sameDocument === true), true, 'the page was not reloaded');
  assert.ok(await page.locator('[data-testid=logout]').isVisible(), 'still signed in');
  await context.close();
});

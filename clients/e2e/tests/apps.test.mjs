// End-to-end: the three built apps in headless Chromium on phone viewports, against a real server
// with demo data that this file starts itself. Every screen visited is checked with axe-core (no
// serious or critical violation) and photographed into clients/e2e/screenshots/<device>/.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { devices } from 'playwright-core';
import { launchChromium } from '../lib/browser.mjs';
import { gql, loginToken, startServer } from '../lib/server.mjs';

const require = createRequire(import.meta.url);
// Injected through the DevTools protocol: the apps' Content-Security-Policy stays in force.
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = resolve(import.meta.dirname, '../screenshots');
const PASSWORD = 'demo-password';
const NURSE = 'sygeplejerske.solhaven@demo.dk';
const COORDINATOR = 'koordinator.solhaven@demo.dk';
const DOCTOR = 'laege.hansen@demo.dk';
const RELATIVE = 'paaroerende@demo.dk';

const DEVICES = ['Pixel 7', 'iPhone 13'];

let server;
let browser;
const persistedViolations = [];
const pageErrors = [];

before(async () => {
  rmSync(SHOTS, { recursive: true, force: true });
  server = await startServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage(device) {
  const { defaultBrowserType: _ignored, ...descriptor } = devices[device];
  const context = await browser.newContext({ ...descriptor, locale: 'da-DK', timezoneId: 'Europe/Copenhagen' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (e) => pageErrors.push(`${device}: ${e.message}`));
  // The built apps send trusted documents only: a documentId, never query text.
  page.on('request', (req) => {
    if (req.method() !== 'POST' || !req.url().endsWith('/graphql')) return;
    const body = JSON.parse(req.postData() ?? '{}');
    if (!/^sha256:[0-9a-f]{64}$/.test(body.documentId ?? '') || 'query' in body) persistedViolations.push(req.postData());
  });
  return { context, page };
}

class Visits {
  constructor(device) {
    this.device = device;
    this.n = 0;
    this.dir = resolve(SHOTS, device.replace(/\s+/g, '-').toLowerCase());
    mkdirSync(this.dir, { recursive: true });
  }
  /** axe-core on the current screen (no serious/critical violation), then a screenshot. */
  async check(page, name) {
    await page.waitForFunction(() => !document.querySelector('[role=status].muted'), null, { timeout: 15_000 }).catch(() => {});
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
    const result = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
    });
    // Touch targets: every control at least 48 px high (checkboxes and radios through their label).
    const small = await page.evaluate(() =>
      [...document.querySelectorAll('button, select, textarea, input:not([type=checkbox]):not([type=radio]), .button, .row-link, nav a, label.choice, summary')]
        .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
        .filter((el) => el.getBoundingClientRect().height < 47.5)
        .map((el) => `${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('aria-label') || el.id).trim().slice(0, 30)}" ${Math.round(el.getBoundingClientRect().height)}px`),
    );
    const file = resolve(this.dir, `${String(++this.n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    assert.deepEqual(result, [], `axe on ${this.device} / ${name}`);
    assert.deepEqual(small, [], `48 px targets on ${this.device} / ${name}`);
  }
}

async function login(page, app, email) {
  await page.goto(`${server.url}/${app}/`);
  await page.fill('#login-email', email);
  await page.fill('#login-password', PASSWORD);
  await page.click('[data-testid=login-form] button[type=submit]');
  await page.waitForSelector('[data-testid=logout]');
}

async function serviceWorkerInControl(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    }
  });
}

async function markNoReload(page) {
  await page.evaluate(() => {
    window.__sameDocument = true;
  });
}
async function assertNoReload(page) {
  assert.equal(await page.evaluate(() => window.__sameDocument === true), true, 'the page was not reloaded');
}

const fill = async (page, values) => {
  for (const [sel, v] of Object.entries(values)) await page.fill(sel, v);
};

/** A Solhaven resident whose latest observation is too old or lacks required vitals (URGENT is refused). */
async function residentWithoutRecentVitals(token, exceptId) {
  const me = await gql(server.url, '{ me { careCentres { id } } }', {}, token);
  const data = await gql(
    server.url,
    `query($c: ID!) { residents(careCentreId: $c, first: 100) { nodes { id fullName latestObservation { recordedAt respirationRate oxygenSaturation systolicBp pulse consciousness temperature } } } }`,
    { c: me.me.careCentres[0].id },
    token,
  );
  const fourHours = 4 * 3600_000;
  const found = data.residents.nodes.find((r) => {
    if (r.id === exceptId) return false;
    const o = r.latestObservation;
    if (!o) return true;
    const { recordedAt, ...vitals } = o;
    return Date.now() - Date.parse(recordedAt) > fourHours - 10 * 60_000 || Object.values(vitals).some((v) => v === null);
  });
  assert.ok(found, 'the demo data has a resident without recent vitals');
  return found;
}

for (const device of DEVICES) {
  describe(device, () => {
    const visits = new Visits(device);
    let residentId;

    test('nurse records an observation and sees its NEWS2 and the escalation advice', async () => {
      const { context, page } = await newPage(device);
      await page.goto(`${server.url}/nurse/`);
      await visits.check(page, 'nurse-login');
      await login(page, 'nurse', NURSE);
      await page.waitForSelector('[data-testid=resident-row]');
      await visits.check(page, 'nurse-residents');
      // Search by room.
      await page.fill('#search', 'C-05');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=resident-row]').length === 1);
      await page.click('[data-testid=resident-row]');
      await page.waitForSelector('[data-testid=record-observation]');
      await page.waitForSelector('[data-testid=trend-table]');
      residentId = page.url().split('#/resident/')[1];
      await visits.check(page, 'nurse-resident');
      // A colleague has the resident list open: the MEDIUM NEWS2 reaches it live.
      const colleague = await newPage(device);
      await login(colleague.page, 'nurse', NURSE);
      await colleague.page.waitForSelector('[data-testid=resident-row]');
      await markNoReload(colleague.page);

      await page.click('[data-testid=record-observation]');
      await fill(page, { '#rr': '22', '#spo2': '94', '#sys': '105', '#dia': '70', '#pulse': '100', '#temp': '37,5' });
      await page.check('input[name=oxygen][value=no]');
      await page.check('input[name=consciousness][value=ALERT]');
      // The preview (TypeScript port of the server's rules): 2 + 1 + 0 + 1 + 1 + 0 + 0 = 5, MEDIUM.
      const preview = page.locator('[data-testid=news2-preview] [data-testid=news2-badge]');
      assert.equal(await preview.getAttribute('data-total'), '5');
      assert.equal(await preview.getAttribute('data-risk'), 'MEDIUM');
      await visits.check(page, 'nurse-observe');
      await page.click('[data-testid=save-observation]');
      const result = page.locator('[data-testid=observation-result]');
      await result.locator('[data-testid=escalation]').waitFor();
      assert.equal(await result.locator('[data-testid=news2-badge]').getAttribute('data-total'), '5');
      assert.equal(await result.locator('[data-testid=escalation]').getAttribute('data-level'), 'URGENT_DOCTOR_CONTACT');
      assert.match(await result.textContent(), /erstatter aldrig/);
      await visits.check(page, 'nurse-observation-result');
      const alert = colleague.page.locator('[data-testid=alerts] [data-testid=news2-badge][data-risk=MEDIUM]');
      await alert.first().waitFor({ timeout: 20_000 });
      await assertNoReload(colleague.page);
      await visits.check(colleague.page, 'nurse-alert-live');
      await colleague.context.close();
      await context.close();
    });

    test('offline: an observation is kept across a reload and sent exactly once when back online', async () => {
      const { context, page } = await newPage(device);
      await login(page, 'nurse', NURSE);
      await serviceWorkerInControl(page);
      await page.goto(`${server.url}/nurse/#/resident/${residentId}`);
      await page.waitForSelector('[data-testid=record-observation]');
      const note = `e2e offline ${device} ${Date.now()}`;

      await context.setOffline(true);
      await page.click('[data-testid=record-observation]');
      await fill(page, { '#rr': '16', '#spo2': '97', '#sys': '130', '#dia': '80', '#pulse': '72', '#temp': '36,8', '#note': note });
      await page.check('input[name=oxygen][value=no]');
      await page.check('input[name=consciousness][value=ALERT]');
      await page.click('[data-testid=save-observation]');
      await page.waitForSelector('[data-testid=pending]');
      await visits.check(page, 'nurse-offline-pending');

      // Reload without network: the service worker serves the app, the outbox still holds it.
      await page.reload();
      await page.goto(`${server.url}/nurse/#/outbox`);
      await page.waitForSelector('[data-testid=offline-banner]');
      const item = page.locator('[data-testid=outbox-item]', { hasText: 'C-05' }).first();
      await item.waitFor();
      assert.equal(await item.getAttribute('data-state'), 'pending');
      await visits.check(page, 'nurse-outbox-offline');

      await context.setOffline(false);
      await page.waitForSelector(`[data-testid=outbox-item][data-id="${await item.getAttribute('data-id')}"][data-state=sent]`, { timeout: 30_000 });
      // A further reload and flush must not send it again.
      await page.reload();
      await page.waitForSelector('[data-testid=outbox-list]');
      await page.waitForTimeout(1500);
      await visits.check(page, 'nurse-outbox-sent');

      const token = await loginToken(server.url, NURSE);
      const data = await gql(server.url, 'query($id: ID!) { resident(id: $id) { observations(first: 100) { nodes { note } } } }', { id: residentId }, token);
      const stored = data.resident.observations.nodes.filter((o) => o.note === note);
      assert.equal(stored.length, 1, 'the API holds the offline observation exactly once');
      await context.close();
    });

    test('URGENT question without vitals is prompted; the doctor sees it live, answers, the nurse sees the answer live', async () => {
      const token = await loginToken(server.url, NURSE);
      const target = await residentWithoutRecentVitals(token, residentId);
      const subject = `Akut ${device} ${Date.now()}`;
      const answerText = `Svar fra lægen ${Date.now()}`;

      const doctor = await newPage(device);
      await login(doctor.page, 'doctor', DOCTOR);
      await doctor.page.waitForSelector('[data-testid=queue]');
      await visits.check(doctor.page, 'doctor-queue');
      await markNoReload(doctor.page);

      const nurse = await newPage(device);
      await login(nurse.page, 'nurse', NURSE);
      await nurse.page.goto(`${server.url}/nurse/#/resident/${target.id}/ask`);
      await nurse.page.waitForSelector('[data-testid=ask-form]');
      await nurse.page.check('[data-testid=priority-urgent]');
      await nurse.page.fill('#subject', subject);
      await nurse.page.fill('#body', 'Beboeren er pludselig mere forvirret og har feber.');
      await visits.check(nurse.page, 'nurse-ask');
      await nurse.page.click('[data-testid=send-question]');
      const missing = nurse.page.locator('[data-testid=missing-vitals]');
      await missing.waitFor();
      assert.ok((await missing.locator('li').count()) > 0, 'the missing vitals are listed');
      await visits.check(nurse.page, 'nurse-ask-missing-vitals');
      await nurse.page.fill('[data-testid=override-reason]', 'Beboeren afviser måling; lægen bedes ringe.');
      await nurse.page.click('[data-testid=send-with-reason]');
      await nurse.page.waitForSelector('[data-testid=open-question]');
      await visits.check(nurse.page, 'nurse-ask-sent');

      // The doctor's queue shows it without a reload.
      const row = doctor.page.locator('[data-testid=queue-item]', { hasText: subject });
      await row.waitFor({ timeout: 20_000 });
      await assertNoReload(doctor.page);
      await visits.check(doctor.page, 'doctor-queue-live');

      // The nurse waits on the question's page for the answer.
      await nurse.page.click('[data-testid=open-question]');
      await nurse.page.waitForSelector('[data-testid=thread]');
      await markNoReload(nurse.page);
      await visits.check(nurse.page, 'nurse-question');

      await row.click();
      await doctor.page.waitForSelector('[data-testid=answer-form]');
      assert.match(await doctor.page.textContent('[data-testid=override]'), /afviser måling/);
      await visits.check(doctor.page, 'doctor-question');
      await doctor.page.fill('#answer', answerText);
      await doctor.page.click('[data-testid=send-answer]');
      await doctor.page.waitForSelector('[data-testid=question-status]:has-text("Besvaret")');
      await visits.check(doctor.page, 'doctor-answered');

      await nurse.page.locator('[data-testid=message]', { hasText: answerText }).waitFor({ timeout: 20_000 });
      await assertNoReload(nurse.page);
      await visits.check(nurse.page, 'nurse-answer-live');
      await nurse.context.close();
      await doctor.context.close();
    });

    test('a relative reads the care plan and confirms it', async () => {
      const { context, page } = await newPage(device);
      await page.goto(`${server.url}/relative/`);
      await visits.check(page, 'relative-login');
      await page.click('[data-testid=invite-link]');
      await page.waitForSelector('#code');
      await visits.check(page, 'relative-invite');
      await login(page, 'relative', RELATIVE);
      await page.waitForSelector('[data-testid=contacted-by]');
      await visits.check(page, 'relative-card');
      await page.goto(`${server.url}/relative/#/care-plan`);
      const plan = page.locator('[data-testid=care-plan]');
      await plan.waitFor();
      assert.ok((await plan.locator('h3').count()) > 0, 'the plan has sections');
      await visits.check(page, 'relative-care-plan');
      const ack = page.locator('[data-testid=acknowledge]');
      if (await ack.count()) await ack.click();
      await page.waitForSelector('[data-testid=acknowledged]');
      await page.goto(`${server.url}/relative/#/meetings`);
      await page.waitForSelector('main h1');
      await visits.check(page, 'relative-meetings');
      await page.goto(`${server.url}/relative/#/access`);
      await page.waitForSelector('[data-testid=access-log]');
      await visits.check(page, 'relative-access-log');
      await context.close();
    });

    test('the coordinator invites a relative, who accepts with a new password', async () => {
      const coordinator = await newPage(device);
      await login(coordinator.page, 'nurse', COORDINATOR);
      await coordinator.page.goto(`${server.url}/nurse/#/coordinator`);
      await coordinator.page.waitForSelector('#inv-res option:nth-child(2)', { state: 'attached' });
      await coordinator.page.selectOption('#inv-res', { index: 1 });
      const email = `datter.${device.replace(/\W/g, '').toLowerCase()}.${Date.now()}@example.dk`;
      await coordinator.page.fill('#inv-email', email);
      await coordinator.page.fill('#inv-rel', 'Datter');
      await coordinator.page.click('form:has(#inv-email) button[type=submit]');
      const code = (await coordinator.page.locator('[data-testid=invite-code]').textContent()).trim();
      assert.ok(code.length >= 16, 'a one-time code is shown');
      await visits.check(coordinator.page, 'coordinator-invite-code');
      await coordinator.context.close();

      const { context, page } = await newPage(device);
      await page.goto(`${server.url}/relative/#/invite`);
      await page.fill('#code', code);
      await page.fill('#name', 'Karin Datter');
      await page.fill('#password', 'et-langt-kodeord-123');
      await page.fill('#repeat', 'et-langt-kodeord-123');
      await page.click('form button[type=submit]');
      await page.waitForSelector('[data-testid=contacted-by]');
      assert.ok(!page.url().includes(code), 'the code never goes into the URL');

      // She changes her password: a wrong current one is named, the right one works and the
      // session goes on; the old password no longer signs in.
      await page.click('[data-testid=profile]');
      await page.fill('#pw-current', 'forkert-kodeord-000');
      await page.fill('#pw-new', 'et-andet-langt-kodeord');
      await page.fill('#pw-repeat', 'et-andet-langt-kodeord');
      await page.click('[data-testid=password-form] button[type=submit]');
      await page.getByText('Den nuværende adgangskode er forkert.').waitFor();
      await page.fill('#pw-current', 'et-langt-kodeord-123');
      await page.click('[data-testid=password-form] button[type=submit]');
      await page.waitForSelector('[data-testid=password-done]');
      await visits.check(page, 'relative-password-changed');
      await page.goto(`${server.url}/relative/#/`);
      await page.waitForSelector('[data-testid=contacted-by]');
      const old = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }', variables: { e: email, p: 'et-langt-kodeord-123' } }),
      }).then((r) => r.json());
      assert.equal(old.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED', 'the old password no longer signs in');
      await context.close();
    });

    test('each role switches language', async () => {
      for (const [app, email, nav] of [
        ['nurse', NURSE, 'Residents'],
        ['doctor', DOCTOR, 'Queue'],
        ['relative', RELATIVE, 'Care plan'],
      ]) {
        const { context, page } = await newPage(device);
        await login(page, app, email);
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'da');
        await page.click('[data-testid=language-switch]');
        await page.waitForSelector(`nav a:has-text("${nav}")`);
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
        await visits.check(page, `${app}-english`);
        // The choice is kept on reload.
        await page.reload();
        await page.waitForSelector(`nav a:has-text("${nav}")`);
        await page.click('[data-testid=language-switch]');
        await page.waitForFunction(() => document.documentElement.lang === 'da');
        await context.close();
      }
    });

    test('the coordinator drafts and agrees a new care plan, which the relative then reads', async () => {
      const relativeToken = await loginToken(server.url, RELATIVE);
      const residentOfRelative = (await gql(server.url, '{ me { residents { id } } }', {}, relativeToken)).me.residents[0].id;
      const goals = `Tryghed og ro om aftenen (${device}, ${Date.now()})`;
      const { context, page } = await newPage(device);
      await login(page, 'nurse', COORDINATOR);
      await page.goto(`${server.url}/nurse/#/resident/${residentOfRelative}`);
      await page.click('[data-testid=edit-care-plan]');
      await page.waitForSelector('[data-testid=careplan-form]');
      await page.fill('#goals', goals);
      await visits.check(page, 'coordinator-care-plan-draft');
      await page.click('[data-testid=save-draft]');
      await page.waitForSelector('[data-testid=agree-form]');
      await page.waitForFunction(() => !document.querySelector('[data-testid=agree-form] .notice'));
      await page.fill('#agreed-with', 'Beboeren og datteren');
      await page.click('[data-testid=agree]');
      await page.waitForFunction(() => document.querySelector('[data-testid=careplan-done]')?.textContent?.includes('aftalt'));
      await visits.check(page, 'coordinator-care-plan-agreed');
      await context.close();

      const relative = await newPage(device);
      await login(relative.page, 'relative', RELATIVE);
      await relative.page.goto(`${server.url}/relative/#/care-plan`);
      await relative.page.locator('[data-testid=care-plan]').getByText(goals).waitFor();
      await relative.page.click('[data-testid=acknowledge]');
      await relative.page.waitForSelector('[data-testid=acknowledged]');
      await relative.context.close();
    });

    test('a measurement entered in error is marked with a reason, never deleted', async () => {
      const token = await loginToken(server.url, NURSE);
      const recorded = await gql(
        server.url,
        'mutation($i: RecordObservationInput!) { recordObservation(input: $i) { observation { id } } }',
        { i: { clientMutationId: crypto.randomUUID(), residentId, recordedAt: new Date().toISOString(), pulse: 95 } },
        token,
      );
      const observationId = recorded.recordObservation.observation.id;
      const { context, page } = await newPage(device);
      await login(page, 'nurse', NURSE);
      await page.goto(`${server.url}/nurse/#/resident/${residentId}`);
      await page.click('[data-testid=entered-in-error] summary');
      await page.fill('#error-reason', 'Pulsen er målt forkert (skrivefejl)');
      await visits.check(page, 'nurse-entered-in-error');
      await page.click('[data-testid=entered-in-error] button[type=submit]');
      await page.waitForSelector('[data-testid=correction-done]');
      const stored = await gql(server.url, 'query($id: ID!) { node(id: $id) { ... on Observation { enteredInError enteredInErrorReason } } }', { id: observationId }, token);
      assert.deepEqual(stored.node, { enteredInError: true, enteredInErrorReason: 'Pulsen er målt forkert (skrivefejl)' });
      await context.close();
    });

    test('the other screens render and pass axe', async () => {
      const nurse = await newPage(device);
      await login(nurse.page, 'nurse', NURSE);
      for (const [hash, name, selector] of [
        ['#/questions', 'nurse-questions', '[data-testid=question-list]'],
        ['#/meetings', 'nurse-meetings', '[data-testid=meeting-list]'],
      ]) {
        await nurse.page.goto(`${server.url}/nurse/${hash}`);
        await nurse.page.waitForSelector(selector);
        await visits.check(nurse.page, name);
      }
      // The meeting whose agenda deadline is ahead: the nurse proposes an item and sees the deadline.
      await nurse.page.click('[data-testid=meeting-list] a:has-text("punkter senest") >> nth=0');
      await nurse.page.waitForSelector('[data-testid=agenda-deadline]');
      const title = `Punkt fra ${device}`;
      await nurse.page.fill('#title', title);
      await nurse.page.fill('#desc', 'Drøftelse af faldforebyggelse.');
      await nurse.page.click('[data-testid=propose-form] button[type=submit]');
      await nurse.page.locator('main ol.list li', { hasText: title }).waitFor();
      await visits.check(nurse.page, 'nurse-meeting');
      await nurse.context.close();

      const coordinator = await newPage(device);
      await login(coordinator.page, 'nurse', COORDINATOR);
      await coordinator.page.goto(`${server.url}/nurse/#/coordinator`);
      await coordinator.page.waitForSelector('#inv-res option:nth-child(2)', { state: 'attached' });
      await visits.check(coordinator.page, 'coordinator');
      await coordinator.context.close();

      const doctor = await newPage(device);
      await login(doctor.page, 'doctor', DOCTOR);
      await doctor.page.goto(`${server.url}/doctor/#/residents`);
      await doctor.page.waitForSelector('[data-testid=gp-residents]');
      await visits.check(doctor.page, 'doctor-residents');
      await doctor.page.click('[data-testid=gp-residents] a >> nth=0');
      await doctor.page.waitForSelector('#decision');
      await visits.check(doctor.page, 'doctor-resident');
      await doctor.page.goto(`${server.url}/doctor/#/meetings`);
      await doctor.page.waitForSelector('main .list a');
      await visits.check(doctor.page, 'doctor-meetings');
      await doctor.page.click('main .list a >> nth=0');
      await doctor.page.waitForSelector('[data-testid=agenda-deadline]');
      await visits.check(doctor.page, 'doctor-meeting');
      await doctor.page.goto(`${server.url}/doctor/#/time`);
      await doctor.page.waitForSelector('[data-testid=time-report]');
      await visits.check(doctor.page, 'doctor-time');
      await doctor.context.close();
    });
  });
}

test('every GraphQL request of the apps was a trusted document, and no page threw', () => {
  assert.deepEqual(persistedViolations, []);
  assert.deepEqual(pageErrors, []);
});

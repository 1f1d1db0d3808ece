// Starts the real Plejelink server for the end-to-end tests: built with cargo, a temporary data
// directory, demo data, a random free port, the built apps from clients/<app>/dist. Stopped (and
// the data directory removed) by `stop()`.
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLIENTS = resolve(ROOT, 'clients');

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** `cargo build` of the server; returns the binary's path (honours CARGO_TARGET_DIR). */
function buildServer() {
  const out = spawnSync('cargo', ['build', '--locked', '-p', 'plejelink', '--message-format=json-render-diagnostics'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (out.status !== 0) throw new Error(`cargo build failed (${out.status})`);
  let exe = null;
  for (const line of out.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const msg = JSON.parse(line);
    if (msg.reason === 'compiler-artifact' && msg.executable && msg.target?.name === 'plejelink') exe = msg.executable;
  }
  if (!exe) throw new Error('cargo did not report the plejelink binary');
  return exe;
}

let builtBinary = null;

/**
 * `production: true` runs the server as deployed (PLEJELINK_ENV=production, a signing key made
 * here): only the apps' trusted documents run, query text is refused. `env` adds settings.
 */
export async function startServer({ production = false, env = {} } = {}) {
  builtBinary ??= process.env.PLEJELINK_E2E_BINARY ?? buildServer();
  const exe = builtBinary;
  const dataDir = mkdtempSync(join(tmpdir(), 'plejelink-e2e-'));
  const port = await freePort();
  const extra = {};
  if (production) {
    const key = join(dataDir, 'jwt.pem');
    writeFileSync(key, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    Object.assign(extra, { PLEJELINK_ENV: 'production', PLEJELINK_JWT_KEY_FILE: key });
  }
  const child = spawn(exe, ['serve', '--demo'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PLEJELINK_DATA_DIR: dataDir,
      PLEJELINK_DATABASE_URL: `sqlite://${join(dataDir, 'plejelink.sqlite')}?mode=rwc`,
      PLEJELINK_BIND: `127.0.0.1:${port}`,
      PLEJELINK_CLIENTS_DIR: CLIENTS,
      PLEJELINK_LOG: process.env.PLEJELINK_LOG ?? 'warn',
      ...extra,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('server not ready within 120 s');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A tiny GraphQL client for the tests' own checks (development server: query text allowed). */
export async function gql(url, query, variables = {}, token = null) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const json = await res.json();
  if (json.errors) throw new Error(`GraphQL: ${json.errors.map((e) => e.message).join('; ')}`);
  return json.data;
}

export async function loginToken(url, email) {
  const data = await gql(url, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }', {
    e: email,
    p: 'demo-password',
  });
  return data.login.accessToken;
}

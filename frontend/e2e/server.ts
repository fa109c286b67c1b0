// Starts the real Assay binary on a free loopback port with a fresh data directory, and gives
// the tests a small API client for seeding data (local mode: every request is the local admin).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const binary = process.env.ASSAY_BIN ?? path.join(repoRoot, 'bin', 'assay');
export const screenshotsDir = path.join(repoRoot, 'screenshots');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export interface Server {
  url: string;
  dataDir: string;
  proc: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

export async function startServer(extraArgs: string[] = [], env: Record<string, string> = {}, fixedPort?: number): Promise<Server> {
  if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: run \`make build\` (or npm run e2e, which builds it)`);
  const port = fixedPort ?? (await freePort());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-e2e-'));
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  const proc = spawn(binary, ['serve', '--data-dir', dataDir, '--addr', `127.0.0.1:${port}`, ...extraArgs], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (b) => (out += b));
  proc.stderr!.on('data', (b) => (out += b));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`assay exited (${proc.exitCode}):\n${out}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`assay did not start within 20 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dataDir,
    proc,
    log: () => out,
    stop: async () => {
      if (proc.exitCode === null) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A JSON client for seeding and checking through the API (as the local admin). */
export function client(base: string, headers: Record<string, string> = {}) {
  const call = async <T>(method: string, p: string, body?: unknown): Promise<T> => {
    const r = await fetch(base + p, {
      method,
      headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${p} → ${r.status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
  return {
    get: <T>(p: string) => call<T>('GET', p),
    post: <T>(p: string, b: unknown = {}) => call<T>('POST', p, b),
    raw: (p: string, init?: RequestInit) => fetch(base + p, init),
  };
}

export const devIdpBinary = path.join(repoRoot, 'bin', 'dev-idp');
export const DEV_PASSWORD = 'assay-dev';

/** Assay in OIDC mode behind the development OpenID Provider (cmd/dev-idp): ana@example.com is
 *  the admin, ben@ and cy@example.com are ordinary users. */
export async function startWithSSO(): Promise<{ server: Server; idpUrl: string; stop: () => Promise<void> }> {
  if (!fs.existsSync(devIdpBinary)) throw new Error(`${devIdpBinary} is missing: go build -o bin/dev-idp ./cmd/dev-idp`);
  const [idpPort, port] = [await freePort(), await freePort()];
  const assayUrl = `http://127.0.0.1:${port}`;
  let idpOut = '';
  const idp = spawn(devIdpBinary, ['--addr', `127.0.0.1:${idpPort}`, '--assay-url', assayUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
  idp.stdout!.on('data', (b) => (idpOut += b));
  idp.stderr!.on('data', (b) => (idpOut += b));
  const idpUrl = `http://127.0.0.1:${idpPort}/`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (idp.exitCode !== null) throw new Error(`dev-idp exited:\n${idpOut}`);
    try {
      if ((await fetch(`${idpUrl}.well-known/openid-configuration`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`dev-idp did not start:\n${idpOut}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const server = await startServer(
    ['--oidc-issuer', idpUrl, '--oidc-client-id', 'assay-dev', '--oidc-client-secret', 'assay-dev-secret', '--admin-emails', 'ana@example.com', '--public-url', assayUrl],
    {},
    port,
  );
  return {
    server,
    idpUrl,
    stop: async () => {
      await server.stop();
      idp.kill('SIGTERM');
    },
  };
}

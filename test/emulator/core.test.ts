import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cliPath, repoRoot, tempDir } from '../helpers/cli.js';
import { type RawAnswer, rawRequest, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

function call(
  emulator: TestEmulator,
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown } = {},
): Promise<RawAnswer> {
  return rawRequest(emulator, method, path, {
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.body !== undefined
      ? { body: JSON.stringify(options.body), headers: { 'content-type': 'application/json' } }
      : {}),
  });
}

describe('emulator core', () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(async () => {
    await emulator.stop();
  });

  test('listens on 127.0.0.1 over HTTPS with a certificate clients can trust', async () => {
    expect(emulator.emulator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await call(emulator, 'GET', '/_emulator/info');
    expect(answer.status).toBe(200);
    const info = JSON.parse(answer.body);
    expect(info.workspaces.map((w: { customerId: string }) => w.customerId)).toContain(
      emulator.connection.emulator?.workspaceId,
    );
    // Without the CA the TLS handshake fails: the certificate is self-signed.
    await expect(
      new Promise((resolve, reject) =>
        request(`${emulator.emulator.url}/_emulator/info`, (res) => resolve(res.statusCode))
          .on('error', reject)
          .end(),
      ),
    ).rejects.toThrow(/self-signed|self signed/i);
  });

  test('keeps the token and key private and writes a connection file', () => {
    expect(statSync(join(emulator.dataDir, 'token')).mode & 0o077).toBe(0);
    expect(statSync(join(emulator.dataDir, 'tls', 'emulator-key.pem')).mode & 0o077).toBe(0);
    const connection = JSON.parse(readFileSync(join(emulator.dataDir, 'emulator.json'), 'utf8'));
    expect(connection.url).toBe(emulator.emulator.url);
    expect(JSON.stringify(connection)).not.toContain(emulator.emulator.token);
  });

  test('requires the bearer token', async () => {
    const missing = await call(emulator, 'GET', '/_emulator/info', { token: null });
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body).error.code).toBe('AuthenticationFailed');
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await call(emulator, 'GET', '/_emulator/info', { token: 'not-the-token' });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body).error.code).toBe('InvalidAuthenticationToken');
    expect(wrong.headers['x-ms-error-code']).toBe('InvalidAuthenticationToken');
  });

  test('answers unknown paths with 404 and the service error shape', async () => {
    const answer = await call(emulator, 'GET', '/no/such/thing');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body).error).toMatchObject({ code: 'PathNotFoundError' });
  });

  test('rejects settings that do not validate and applies those that do', async () => {
    const bad = await call(emulator, 'PATCH', '/_emulator/settings', {
      body: { faults: { throttleRate: 2 } },
    });
    expect(bad.status).toBe(400);
    const good = await call(emulator, 'PATCH', '/_emulator/settings', {
      body: { faults: { latencyMs: 1 } },
    });
    expect(good.status).toBe(200);
    expect(JSON.parse(good.body).faults.latencyMs).toBe(1);
    expect(JSON.parse(good.body).faults.throttleRate).toBe(0);
    emulator.emulator.updateSettings({ faults: { latencyMs: 0 } });
  });

  test('injects 429 and 503 with Retry-After, and drops connections, on the chosen paths only', async () => {
    emulator.emulator.updateSettings({ faults: { throttleRate: 1, retryAfterSeconds: 3, paths: ['/no/'] } });
    const throttled = await call(emulator, 'GET', '/no/such/thing');
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('3');
    expect((await call(emulator, 'GET', '/_emulator/info')).status).toBe(200);

    emulator.emulator.updateSettings({ faults: { throttleRate: 0, unavailableRate: 1 } });
    const unavailable = await call(emulator, 'GET', '/no/such/thing');
    expect(unavailable.status).toBe(503);
    expect(JSON.parse(unavailable.body).error.code).toBe('ServiceUnavailable');

    emulator.emulator.updateSettings({ faults: { unavailableRate: 0, dropRate: 1 } });
    await expect(call(emulator, 'GET', '/no/such/thing')).rejects.toThrow(/socket hang up|ECONNRESET/);

    emulator.emulator.updateSettings({ faults: { dropRate: 0.5, seed: 7 } });
    const outcomes: string[] = [];
    for (let i = 0; i < 40; i++) {
      outcomes.push(
        await call(emulator, 'GET', '/no/such/thing').then(
          (a) => String(a.status),
          () => 'drop',
        ),
      );
    }
    expect(outcomes).toContain('drop');
    expect(outcomes).toContain('404');
    emulator.emulator.updateSettings({ faults: { dropRate: 0, paths: [] } });
  });
});

describe('provlog emulator start', () => {
  test('prints how to reach it, keeps its identity across restarts, and stops on SIGTERM', async () => {
    const data = tempDir('provlog-emulator-cli-');
    const start = () =>
      new Promise<{ info: Record<string, string>; stop: () => Promise<number | null> }>((resolve, reject) => {
        const child = spawn(process.execPath, [cliPath, 'emulator', 'start', '--data', data, '--json'], {
          cwd: repoRoot,
        });
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          if (out.includes('\n')) {
            resolve({
              info: JSON.parse(out.split('\n')[0]),
              stop: () =>
                new Promise((done) => {
                  child.on('close', (code) => done(code));
                  child.kill('SIGTERM');
                }),
            });
          }
        });
        child.on('error', reject);
        child.on('close', (code) => reject(new Error(`emulator exited ${code} before starting`)));
      });
    const first = await start();
    expect(first.info.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(existsSync(first.info.caFile)).toBe(true);
    expect(JSON.stringify(first.info)).not.toContain(readFileSync(join(data, 'token'), 'utf8'));
    expect(await first.stop()).toBe(0);
    expect(existsSync(join(data, 'emulator.json'))).toBe(false);
    const second = await start();
    expect(second.info.workspaceId).toBe(first.info.workspaceId);
    expect(second.info.caFile).toBe(first.info.caFile);
    await second.stop();
  });
});

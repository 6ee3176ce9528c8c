/**
 * The emulator's HTTPS server: 127.0.0.1 only, a self-signed certificate, a bearer token on every
 * request, injected faults, and the routes of the Azure services provlog speaks.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../store/fsutil.js';
import { adminRoutes } from './admin.js';
import { armRoutes } from './arm/index.js';
import { ensureCertificate } from './certificate.js';
import type { EmulatorContext, EmulatorIdentity } from './context.js';
import { decideFault, FaultDice } from './faults.js';
import { graphRoutes } from './graph/index.js';
import { EmulatorHttpError, type EmulatorReply, type EmulatorRequest, errorReply } from './http.js';
import { ingestionRoutes } from './ingestion/index.js';
import { logAnalyticsRoutes } from './log-analytics/index.js';
import { LogWorkspaces } from './log-data.js';
import { ResourceStore } from './resources.js';
import { type Route, Router } from './router.js';
import {
  defaultSettings,
  type EmulatorSettings,
  type EmulatorSettingsInput,
  mergeSettings,
} from './settings.js';
import { upsertWorkspace, workspaceResourceId } from './workspaces.js';

export interface EmulatorOptions {
  dataDir: string;
  /** 0 or absent: any free port. */
  port?: number;
  /** The bearer token clients must send; default: the one kept in the data directory (made on first start). */
  token?: string;
  settings?: EmulatorSettingsInput;
  /** A provlog workspace to serve as the default Log Analytics workspace's built-in tables. */
  workspaceDir?: string;
  /** A fixed clock (ISO), for tests. */
  now?: string;
  log?: (message: string) => void;
}

/** What a client needs to reach a running emulator; written to `<data>/emulator.json`. */
export interface EmulatorConnection {
  url: string;
  port: number;
  caFile: string;
  tokenFile: string;
  pid: number;
  identity: EmulatorIdentity;
}

export interface RunningEmulator {
  url: string;
  port: number;
  /** The certificate PEM to trust (`tlsOptions: { ca }`). */
  ca: string;
  caFile: string;
  token: string;
  connectionFile: string;
  context: EmulatorContext;
  updateSettings(patch: unknown): EmulatorSettings;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const certificate = await ensureCertificate(dataDir);
  const tokenFile = join(dataDir, 'token');
  const token = options.token ?? loadOrCreateToken(tokenFile);
  if (options.token) {
    writeFileAtomic(tokenFile, options.token);
    chmodSync(tokenFile, 0o600);
  }
  let settings = mergeSettings(defaultSettings(), options.settings ?? {});
  let dice = new FaultDice(settings.faults.seed);
  const fixedNow = options.now ? Date.parse(options.now) : undefined;
  const resources = new ResourceStore(dataDir);
  const logs = new LogWorkspaces(dataDir);
  const identity = loadOrCreateIdentity(dataDir);
  const log = options.log ?? (() => {});

  const router = new Router();
  const server: Server = createServer({ key: certificate.key, cert: certificate.cert });
  const context: EmulatorContext & { baseUrl: string } = {
    baseUrl: '',
    dataDir,
    identity,
    resources,
    logs,
    settings: () => settings,
    now: () => fixedNow ?? Date.now(),
    log,
  };
  const updateSettings = (patch: unknown): EmulatorSettings => {
    settings = mergeSettings(settings, patch);
    dice = new FaultDice(settings.faults.seed);
    return settings;
  };
  router.add(
    ...adminRoutes(updateSettings),
    ...logAnalyticsRoutes(),
    ...ingestionRoutes(),
    ...graphRoutes(),
    ...armRoutes(),
  );
  if (!resources.get(identity.workspaceResourceId) || options.workspaceDir) {
    upsertWorkspace(
      context,
      identity.workspaceResourceId,
      { location: 'eastus' },
      {
        customerId: identity.workspaceId,
        ...(options.workspaceDir ? { storeDir: options.workspaceDir } : {}),
      },
    );
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch((error: unknown) => {
      log(`internal error: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent)
        send(res, errorReply(500, 'InternalServerError', 'The emulator failed to answer.'), req);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', context.baseUrl);
    const body = await readBody(req);
    if (body === undefined) {
      send(
        res,
        errorReply(413, 'RequestEntityTooLarge', `The request body exceeds ${MAX_BODY_BYTES} bytes.`),
        req,
      );
      return;
    }
    const request: EmulatorRequest = {
      method: req.method ?? 'GET',
      url,
      path: url.pathname,
      headers: req.headers,
      body,
    };
    // Faults stand for the network and the service front end, so they come before routing.
    if (!request.path.startsWith('/_emulator/')) {
      const fault = decideFault(request.path, settings, dice);
      if (settings.faults.latencyMs > 0) await sleep(settings.faults.latencyMs);
      if (fault.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (fault.kind === 'reply') {
        send(res, fault.reply, req);
        return;
      }
    }
    const matched = router.match(request.method, request.path);
    if (!matched) {
      send(
        res,
        errorReply(404, 'PathNotFoundError', `The requested path does not exist: ${request.path}`),
        req,
      );
      return;
    }
    if ('methodNotAllowed' in matched) {
      send(
        res,
        errorReply(405, 'MethodNotAllowed', `${request.method} is not supported on ${request.path}.`),
        req,
      );
      return;
    }
    if (!matched.route.anonymous) {
      const denied = checkToken(request, token);
      if (denied) {
        send(res, denied, req);
        return;
      }
    }
    let reply: EmulatorReply;
    try {
      reply = await matched.route.handler(request, matched.params, context);
    } catch (error) {
      if (error instanceof EmulatorHttpError) reply = error.reply;
      else throw error;
    }
    send(res, reply, req);
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolvePromise());
  });
  const port = (server.address() as AddressInfo).port;
  context.baseUrl = `https://127.0.0.1:${port}`;
  const connection: EmulatorConnection = {
    url: context.baseUrl,
    port,
    caFile: certificate.caFile,
    tokenFile,
    pid: process.pid,
    identity,
  };
  const connectionFile = join(dataDir, 'emulator.json');
  writeFileAtomic(connectionFile, `${JSON.stringify(connection, null, 2)}\n`);
  log(`listening on ${context.baseUrl}`);

  return {
    url: context.baseUrl,
    port,
    ca: certificate.cert,
    caFile: certificate.caFile,
    token,
    connectionFile,
    context,
    updateSettings,
    close: async () => {
      await new Promise<void>((resolvePromise) => {
        server.close(() => resolvePromise());
        server.closeAllConnections();
      });
      rmSync(connectionFile, { force: true });
    },
  };
}

function send(res: ServerResponse, reply: EmulatorReply, req: IncomingMessage): void {
  const headers: Record<string, string> = {
    'x-ms-request-id': randomUUID(),
    ...(req.headers['x-ms-client-request-id']
      ? { 'x-ms-client-request-id': String(req.headers['x-ms-client-request-id']) }
      : {}),
    ...(reply.headers ?? {}),
  };
  let payload: Buffer | undefined;
  if (reply.body !== undefined && reply.status !== 204) {
    if (Buffer.isBuffer(reply.body)) payload = reply.body;
    else if (typeof reply.body === 'string') payload = Buffer.from(reply.body, 'utf8');
    else payload = Buffer.from(JSON.stringify(reply.body), 'utf8');
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json; charset=utf-8';
    }
  }
  if (payload) headers['content-length'] = String(payload.length);
  res.writeHead(reply.status, headers);
  res.end(payload);
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolvePromise(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function checkToken(request: EmulatorRequest, token: string): EmulatorReply | undefined {
  const value = request.headers.authorization;
  const challenge = {
    'www-authenticate': 'Bearer authorization_uri="https://login.microsoftonline.com/common"',
  };
  if (!value || !/^Bearer\s+\S/i.test(value)) {
    return errorReply(
      401,
      'AuthenticationFailed',
      'Authentication failed. The Authorization header is missing.',
      {},
      challenge,
    );
  }
  const sent = Buffer.from(value.replace(/^Bearer\s+/i, '').trim());
  const expected = Buffer.from(token);
  if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
    // The query API answers a bad token with 403; ARM, ingestion and Graph with 401.
    const status = request.path.toLowerCase().startsWith('/v1/') ? 403 : 401;
    return errorReply(status, 'InvalidAuthenticationToken', 'The access token is invalid.', {}, challenge);
  }
  return undefined;
}

function loadOrCreateToken(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(24).toString('base64url');
  writeFileAtomic(file, token);
  chmodSync(file, 0o600);
  return token;
}

function loadOrCreateIdentity(dataDir: string): EmulatorIdentity {
  const file = join(dataDir, 'identity.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as EmulatorIdentity;
  const subscriptionId = randomUUID();
  const resourceGroup = 'provlog-emulator';
  const workspaceName = 'provlog';
  const identity: EmulatorIdentity = {
    tenantId: randomUUID(),
    subscriptionId,
    resourceGroup,
    workspaceName,
    workspaceId: randomUUID(),
    workspaceResourceId: workspaceResourceId(subscriptionId, resourceGroup, workspaceName),
  };
  writeFileAtomic(file, `${JSON.stringify(identity, null, 2)}\n`);
  return identity;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export type { Route };

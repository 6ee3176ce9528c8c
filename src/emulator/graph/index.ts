/**
 * Microsoft Graph routes: provisioning logs (`/auditLogs/provisioning`, v1.0 and beta), the
 * provisioning service's directory audits, service principals and their synchronization jobs, all
 * derived from the default Log Analytics workspace's rows. The reports endpoints (`/auditLogs/…`)
 * are throttled per client as Graph throttles them (settings.graph).
 */

import { OVERLAY_KEY } from '../../model/sources/common.js';
import { auditRowToGraph, provisioningRowToGraph } from '../../model/sources/graph.js';
import type { EmulatorContext } from '../context.js';
import type { EmulatorReply, EmulatorRequest } from '../http.js';
import type { Handler, Route } from '../router.js';
import { type AuditEntry, type GraphData, GraphDataCache, type ProvisioningEntry } from './data.js';
import { badRequest, graphError, notFound } from './errors.js';
import { compileFilter, FilterError } from './filter.js';
import { synchronizationJobs } from './jobs.js';
import { listPage, queryOption } from './paging.js';
import {
  directoryAuditSchema,
  provisioningSchema,
  type ServicePrincipalEntry,
  servicePrincipalSchema,
} from './schemas.js';
import { ReportsThrottle } from './throttle.js';

const VERSIONS = ['v1.0', 'beta'];

function version(request: EmulatorRequest, context: EmulatorContext, params: Record<string, string>): string {
  const v = params.version.toLowerCase();
  if (!VERSIONS.includes(v))
    notFound(request, context, `Resource not found for the segment '${params.version}'.`);
  return v;
}

/** A Graph object as the service sends it: provlog's writer annotation left out. */
function plain(object: Record<string, unknown>): Record<string, unknown> {
  delete object[OVERLAY_KEY];
  return object;
}

function renderProvisioning(beta: boolean) {
  return (entry: ProvisioningEntry) => plain(provisioningRowToGraph(entry.row, beta));
}

function renderAudit(entry: AuditEntry) {
  return plain(auditRowToGraph(entry.row));
}

function metadata(context: EmulatorContext, v: string, fragment: string): string {
  return `${context.baseUrl}/${v}/$metadata#${fragment}`;
}

/** The service principals the logs mention, with their latest names. */
function servicePrincipals(data: GraphData): ServicePrincipalEntry[] {
  const byId = new Map<string, ServicePrincipalEntry>();
  const tags = ['WindowsAzureActiveDirectoryIntegratedApp'];
  for (const e of data.provisioning) {
    if (!e.spId) continue;
    const known = byId.get(e.spId);
    if (known) {
      known.displayName = e.spName || known.displayName;
      known.appId ||= e.appId;
    } else byId.set(e.spId, { id: e.spId, appId: e.appId, displayName: e.spName, tags });
  }
  for (const a of data.audits) {
    if (!a.provisioning) continue;
    for (const t of a.targets) {
      if (t.type !== 'ServicePrincipal' || !t.id || byId.has(t.id)) continue;
      byId.set(t.id, { id: t.id, appId: '', displayName: t.displayName, tags });
    }
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

function renderServicePrincipal(sp: ServicePrincipalEntry) {
  return {
    id: sp.id,
    appId: sp.appId || null,
    displayName: sp.displayName,
    appDisplayName: sp.displayName,
    accountEnabled: true,
    servicePrincipalType: 'Application',
    tags: sp.tags,
  };
}

function findServicePrincipal(
  request: EmulatorRequest,
  context: EmulatorContext,
  data: GraphData,
  id: string,
): ServicePrincipalEntry {
  const sp = servicePrincipals(data).find((s) => s.id.toLowerCase() === id.toLowerCase());
  if (!sp)
    notFound(
      request,
      context,
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );
  return sp;
}

/** Applies `$select` (a comma list of top-level properties) to an object. */
function select(request: EmulatorRequest, object: Record<string, unknown>): Record<string, unknown> {
  const text = queryOption(request, 'select');
  if (!text) return object;
  const keep = text.split(',').map((s) => s.trim());
  return Object.fromEntries(Object.entries(object).filter(([k]) => keep.includes(k) || k === 'id'));
}

export function graphRoutes(): Route[] {
  const cache = new GraphDataCache();
  const throttle = new ReportsThrottle();

  /** A reports endpoint: the per-client throttle comes first. */
  const reports =
    (handler: Handler): Handler =>
    (request, params, context) => {
      const { requestsPerWindow, windowSeconds } = context.settings().graph;
      const retryAfter = throttle.admit(request, requestsPerWindow, windowSeconds);
      if (retryAfter !== undefined) {
        return graphError(
          request,
          context,
          429,
          'TooManyRequests',
          'Too many requests. The reports endpoints allow a limited number of requests per client; retry after the time in Retry-After.',
          { 'retry-after': String(retryAfter) },
        );
      }
      return handler(request, params, context);
    };

  const listProvisioning: Handler = (request, params, context) => {
    const v = version(request, context, params);
    return listPage(request, context, cache.get(context), {
      entries: (d) => d.provisioning,
      schema: provisioningSchema,
      render: renderProvisioning(v === 'beta'),
      contextUrl: metadata(context, v, 'auditLogs/provisioning'),
    });
  };

  const getProvisioning: Handler = (request, params, context) => {
    const v = version(request, context, params);
    const entry = cache.get(context).provisioning.find((e) => e.id === params.id);
    const now = new Date(context.now()).toISOString().replace('Z', '9999Z');
    if (!entry || entry.time > now) notFound(request, context, `Resource '${params.id}' does not exist.`);
    return {
      status: 200,
      body: {
        '@odata.context': metadata(context, v, 'auditLogs/provisioning/$entity'),
        ...renderProvisioning(v === 'beta')(entry),
      },
    };
  };

  const listAudits: Handler = (request, params, context) => {
    const v = version(request, context, params);
    return listPage(request, context, cache.get(context), {
      entries: (d) => d.audits,
      schema: directoryAuditSchema,
      render: renderAudit,
      contextUrl: metadata(context, v, 'auditLogs/directoryAudits'),
    });
  };

  const getAudit: Handler = (request, params, context) => {
    const v = version(request, context, params);
    const entry = cache.get(context).audits.find((e) => e.id === params.id);
    if (!entry) notFound(request, context, `Resource '${params.id}' does not exist.`);
    return {
      status: 200,
      body: {
        '@odata.context': metadata(context, v, 'auditLogs/directoryAudits/$entity'),
        ...renderAudit(entry),
      },
    };
  };

  const listServicePrincipals: Handler = (request, params, context) => {
    const v = version(request, context, params);
    let sps = servicePrincipals(cache.get(context));
    const filter = queryOption(request, 'filter');
    if (filter !== null) {
      try {
        const { predicate } = compileFilter(filter, servicePrincipalSchema);
        sps = sps.filter(predicate);
      } catch (error) {
        if (error instanceof FilterError) badRequest(request, context, error.message);
        throw error;
      }
    }
    const { defaultPageSize, maxPageSize } = context.settings().graph;
    const top = Number(queryOption(request, 'top') ?? defaultPageSize);
    if (!Number.isInteger(top) || top < 1 || top > maxPageSize)
      badRequest(request, context, `Invalid page size specified: '${queryOption(request, 'top')}'.`);
    const skip = Number(queryOption(request, 'skiptoken') ?? 0);
    if (!Number.isInteger(skip) || skip < 0) badRequest(request, context, 'Invalid $skiptoken.');
    const page = sps.slice(skip, skip + top);
    const body: Record<string, unknown> = {
      '@odata.context': metadata(context, v, 'servicePrincipals'),
      value: page.map((sp) => select(request, renderServicePrincipal(sp))),
    };
    if (skip + top < sps.length) {
      const keep = new URLSearchParams(request.url.searchParams);
      keep.delete('$skiptoken');
      keep.delete('skiptoken');
      keep.set('$skiptoken', String(skip + top));
      body['@odata.nextLink'] = `${context.baseUrl}${request.path}?${keep.toString()}`;
    }
    return { status: 200, body };
  };

  const getServicePrincipal: Handler = (request, params, context) => {
    const v = version(request, context, params);
    const sp = findServicePrincipal(request, context, cache.get(context), params.id);
    return {
      status: 200,
      body: {
        '@odata.context': metadata(context, v, 'servicePrincipals/$entity'),
        ...select(request, renderServicePrincipal(sp)),
      },
    };
  };

  const listJobs: Handler = (request, params, context) => {
    const v = version(request, context, params);
    const data = cache.get(context);
    const sp = findServicePrincipal(request, context, data, params.id);
    return {
      status: 200,
      body: {
        '@odata.context': metadata(context, v, `servicePrincipals('${sp.id}')/synchronization/jobs`),
        value: synchronizationJobs(data, sp.id, context.now()),
      },
    };
  };

  const getJob: Handler = (request, params, context): EmulatorReply => {
    const v = version(request, context, params);
    const data = cache.get(context);
    const sp = findServicePrincipal(request, context, data, params.id);
    const job = synchronizationJobs(data, sp.id, context.now()).find((j) => j.id === params.jobId);
    if (!job) notFound(request, context, `The synchronization job '${params.jobId}' was not found.`);
    return {
      status: 200,
      body: {
        '@odata.context': metadata(context, v, `servicePrincipals('${sp.id}')/synchronization/jobs/$entity`),
        ...job,
      },
    };
  };

  const get = (pattern: string, handler: Handler): Route => ({ methods: ['GET'], pattern, handler });
  return [
    get('/:version/auditLogs/provisioning', reports(listProvisioning)),
    get('/:version/auditLogs/provisioning/:id', reports(getProvisioning)),
    get('/:version/auditLogs/directoryAudits', reports(listAudits)),
    get('/:version/auditLogs/directoryAudits/:id', reports(getAudit)),
    get('/:version/servicePrincipals', listServicePrincipals),
    get('/:version/servicePrincipals/:id', getServicePrincipal),
    get('/:version/servicePrincipals/:id/synchronization/jobs', listJobs),
    get('/:version/servicePrincipals/:id/synchronization/jobs/:jobId', getJob),
  ];
}

/**
 * The emulator's switches: fault injection and the service limits it enforces. They can be changed
 * while it runs (`PATCH /_emulator/settings`), so a test can turn faults on for one phase.
 */
import { z } from 'zod';

export const emulatorSettingsSchema = z
  .object({
    faults: z
      .object({
        /** Added to every response, in milliseconds. */
        latencyMs: z.number().min(0).default(0),
        /** Share of requests (0–1) answered 429 with Retry-After instead of being served. */
        throttleRate: z.number().min(0).max(1).default(0),
        /** Share of requests (0–1) answered 503 with Retry-After. */
        unavailableRate: z.number().min(0).max(1).default(0),
        /** Share of requests (0–1) whose connection is destroyed without a response. */
        dropRate: z.number().min(0).max(1).default(0),
        /** Retry-After (seconds) sent with injected 429/503 responses. */
        retryAfterSeconds: z.number().min(0).default(0),
        /** Seed of the fault dice, so a faulty run can be repeated. */
        seed: z.number().int().default(1),
        /** Only requests whose path starts with one of these are faulted (all when empty). */
        paths: z.array(z.string()).default([]),
      })
      .prefault({}),
    ingestion: z
      .object({
        /** Requests per minute per DCR before 429 (the service allows 12,000). */
        requestsPerMinute: z.number().int().min(1).default(12_000),
        /** Largest accepted request body, compressed or not (the service's 1 MB limit, read as 1 MiB). */
        maxBodyBytes: z.number().int().min(1).default(1_048_576),
        /** Longer string values are truncated to this many UTF-8 bytes (the service's 64 KB per field). */
        maxFieldBytes: z.number().int().min(1).default(65_536),
        /**
         * A TimeGenerated more than 2 days before or 1 day after the request arrived is replaced with the
         * arrival time, as the service does; a backfill keeps the original time in a column of its own.
         */
        replaceOutOfRangeTimeGenerated: z.boolean().default(true),
      })
      .prefault({}),
    graph: z
      .object({
        /** The reports endpoints' throttle: requests per window per client before 429. */
        requestsPerWindow: z.number().int().min(1).default(5),
        windowSeconds: z.number().min(0.001).default(10),
        /** Page size when the client sends no $top (Graph's default and maximum are both used). */
        defaultPageSize: z.number().int().min(1).default(100),
        maxPageSize: z.number().int().min(1).default(999),
      })
      .prefault({}),
    arm: z
      .object({
        /**
         * Eventual consistency of aadiam diagnostic settings: for this long after a PUT the setting
         * reads as 404, and after a DELETE it still reads as present.
         */
        consistencyDelayMs: z.number().min(0).default(0),
        /** Answer table PUT/PATCH as a long-running operation (202 + Azure-AsyncOperation). */
        asyncTableOperations: z.boolean().default(true),
      })
      .prefault({}),
    query: z
      .object({
        /** Answer 204 when the workspace holds no data at all, as the service does. */
        noContentWhenEmpty: z.boolean().default(true),
        /** The result row limit (the service's 500,000); more rows give a PartialError. */
        maxResultRows: z.number().int().min(1).default(500_000),
        /**
         * Added to every query's run time, in milliseconds: a slow query. It counts against the
         * client's `Prefer: wait=N`; past it the query fails with 504 GatewayTimeout.
         */
        executionDelayMs: z.number().min(0).default(0),
      })
      .prefault({}),
  })
  .strict();

export type EmulatorSettings = z.infer<typeof emulatorSettingsSchema>;
export type EmulatorSettingsInput = z.input<typeof emulatorSettingsSchema>;

export function defaultSettings(): EmulatorSettings {
  return emulatorSettingsSchema.parse({});
}

/** Settings with a partial update applied section by section. */
export function mergeSettings(current: EmulatorSettings, patch: unknown): EmulatorSettings {
  const p = (patch ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const merged: Record<string, unknown> = {};
  for (const [section, values] of Object.entries(current)) {
    merged[section] = { ...values, ...(p[section] ?? {}) };
  }
  for (const key of Object.keys(p)) if (!(key in current)) merged[key] = p[key];
  return emulatorSettingsSchema.parse(merged);
}

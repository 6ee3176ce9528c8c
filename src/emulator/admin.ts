/** The emulator's own endpoints (`/_emulator/…`): its settings and what it holds. */
import { jsonBody, jsonReply } from './http.js';
import type { Route } from './router.js';
import type { EmulatorSettings } from './settings.js';

export function adminRoutes(update: (patch: unknown) => EmulatorSettings): Route[] {
  return [
    {
      methods: ['GET'],
      pattern: '/_emulator/settings',
      handler: (_req, _params, context) => jsonReply(200, context.settings()),
    },
    {
      methods: ['PATCH'],
      pattern: '/_emulator/settings',
      handler: (req) => {
        try {
          return jsonReply(200, update(jsonBody(req) ?? {}));
        } catch (error) {
          return jsonReply(400, { error: { code: 'InvalidSettings', message: (error as Error).message } });
        }
      },
    },
    {
      methods: ['GET'],
      pattern: '/_emulator/info',
      handler: (_req, _params, context) =>
        jsonReply(200, {
          identity: context.identity,
          workspaces: context.logs.list().map((w) => ({
            customerId: w.customerId,
            armId: w.armId,
            storeDir: w.storeDir,
            customTables: w.customTableNames(),
          })),
        }),
    },
  ];
}

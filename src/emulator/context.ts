/** What every emulator handler can reach: settings, ARM resources, workspace data, identity of the tenant. */
import type { LogWorkspaces } from './log-data.js';
import type { ResourceStore } from './resources.js';
import type { EmulatorSettings } from './settings.js';

export interface EmulatorIdentity {
  /** The Entra tenant the emulator pretends to be. */
  tenantId: string;
  subscriptionId: string;
  resourceGroup: string;
  /** The workspace created on first start. */
  workspaceName: string;
  workspaceId: string;
  workspaceResourceId: string;
}

export interface EmulatorContext {
  /** `https://127.0.0.1:<port>`: links the emulator hands out (nextLink, async operations) start here. */
  readonly baseUrl: string;
  readonly dataDir: string;
  readonly identity: EmulatorIdentity;
  readonly resources: ResourceStore;
  readonly logs: LogWorkspaces;
  /** The current switches; replaced as a whole when changed. */
  settings(): EmulatorSettings;
  /** The clock (milliseconds); tests may fix it. */
  now(): number;
  log(message: string): void;
}

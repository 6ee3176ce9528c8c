/** Microsoft Graph objects provlog reads (data-model.md §4, §9): shapes as they arrive in JSON. */

/** A page of a Graph collection. */
export interface GraphPage<T> {
  '@odata.context'?: string;
  '@odata.nextLink'?: string;
  value: T[];
}

/** provisioningObjectSummary, loosely typed: the normaliser checks the fields. */
export type ProvisioningObject = Record<string, unknown> & { id: string; activityDateTime: string };

export interface ServicePrincipal {
  id: string;
  appId?: string;
  displayName: string;
  servicePrincipalType?: string;
  tags?: string[];
}

export interface SynchronizationError {
  code: string;
  message: string;
  tenantActionable: boolean;
}

export interface SynchronizationTaskExecution {
  activityIdentifier: string;
  countEntitled: number;
  countEntitledForProvisioning: number;
  countEscrowed: number;
  countEscrowedRaw: number;
  countExported: number;
  countExports: number;
  countImported: number;
  countImportedDeltas: number;
  countImportedReferenceDeltas: number;
  error: SynchronizationError | null;
  state: 'Succeeded' | 'Failed' | 'EntryLevelErrors';
  timeBegan: string;
  timeEnded: string;
}

export interface SynchronizationProgress {
  completedUnits: number;
  totalUnits: number;
  units: string;
  progressObservationDateTime: string;
}

export interface SynchronizationQuarantine {
  currentBegan: string;
  nextAttempt: string;
  reason: string;
  seriesBegan: string;
  seriesCount: number;
  error: SynchronizationError | null;
}

export type SynchronizationStatusCode = 'NotConfigured' | 'NotRun' | 'Active' | 'Paused' | 'Quarantine';

export interface SynchronizationStatus {
  code: SynchronizationStatusCode;
  countSuccessiveCompleteFailures: number;
  escrowsPruned: boolean;
  lastExecution: SynchronizationTaskExecution | null;
  lastSuccessfulExecution: SynchronizationTaskExecution | null;
  lastSuccessfulExecutionWithExports: SynchronizationTaskExecution | null;
  progress: SynchronizationProgress[];
  quarantine: SynchronizationQuarantine | null;
  steadyStateFirstAchievedTime: string;
  steadyStateLastAchievedTime: string;
  synchronizedEntryCountByType: { key: string; value: number }[];
  troubleshootingUrl: string | null;
}

export interface SynchronizationJob {
  id: string;
  templateId: string;
  schedule: { expiration: string | null; interval: string; state: 'Active' | 'Disabled' | 'Paused' };
  status: SynchronizationStatus;
  synchronizationJobSettings: { name: string; value: string }[];
}

/** Graph's "never" for DateTimeOffset values such as steadyStateFirstAchievedTime. */
export const GRAPH_NEVER = '0001-01-01T00:00:00Z';

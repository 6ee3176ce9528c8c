/** Service endpoints and token scopes per Azure cloud. */

export interface AzureEndpoints {
  /** ARM, e.g. https://management.azure.com */
  arm: string;
  /** The Log Analytics query API including `/v1` (the SDK needs it). */
  query: string;
  /** Microsoft Graph, without the version segment. */
  graph: string;
  /** Audience of the Logs Ingestion API (the SDK's `audience` option). */
  ingestionAudience: string;
}

export interface AzureScopes {
  arm: string;
  query: string;
  graph: string;
  ingestion: string;
}

export type CloudName = 'public' | 'usgov' | 'china';

export const CLOUDS: Record<CloudName, AzureEndpoints> = {
  public: {
    arm: 'https://management.azure.com',
    query: 'https://api.loganalytics.io/v1',
    graph: 'https://graph.microsoft.com',
    ingestionAudience: 'https://monitor.azure.com',
  },
  usgov: {
    arm: 'https://management.usgovcloudapi.net',
    query: 'https://api.loganalytics.us/v1',
    graph: 'https://graph.microsoft.us',
    ingestionAudience: 'https://monitor.azure.us',
  },
  china: {
    arm: 'https://management.chinacloudapi.cn',
    query: 'https://api.loganalytics.azure.cn/v1',
    graph: 'https://microsoftgraph.chinacloudapi.cn',
    ingestionAudience: 'https://monitor.azure.cn',
  },
};

export function scopesFor(endpoints: AzureEndpoints, cloud: CloudName): AzureScopes {
  // Token audiences are the public names of each service, not the emulator's address.
  const c = CLOUDS[cloud];
  void endpoints;
  return {
    arm: `${c.arm}/.default`,
    query: `${c.query.replace(/\/v1$/, '')}/.default`,
    graph: `${c.graph}/.default`,
    ingestion: `${c.ingestionAudience}/.default`,
  };
}

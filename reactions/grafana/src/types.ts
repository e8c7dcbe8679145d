import type { DataQuery, DataSourceJsonData, SelectableValue } from '@grafana/data';

/** How a query's results are shown: the live result table, or the stream of changes to it. */
export type VigilMode = 'table' | 'changes';

/** The JSON of each query in a panel; the Go backend reads the same fields. */
export interface VigilQuery extends DataQuery {
  /** The id of a Vigil continuous query (may hold template variables). */
  queryId: string;
  mode: VigilMode;
}

export const DEFAULT_MODE: VigilMode = 'table';

export const DEFAULT_QUERY: Partial<VigilQuery> = {
  queryId: '',
  mode: DEFAULT_MODE,
};

/** Data source options kept in jsonData. */
export interface VigilOptions extends DataSourceJsonData {
  /** The Vigil server, e.g. http://127.0.0.1:8080 */
  url?: string;
}

/** Data source options kept encrypted in secureJsonData (never sent back to the browser). */
export interface VigilSecureOptions {
  /** Bearer token for the Vigil server. */
  token?: string;
}

/** One entry of the backend's `queries` resource. */
export interface VigilQueryInfo {
  id: string;
  state?: string;
  columns?: string[];
}

/** The answer of GET resources/queries. */
export interface VigilQueriesResponse {
  queries?: VigilQueryInfo[];
}

export const MODE_OPTIONS: Array<SelectableValue<VigilMode>> = [
  {
    label: 'Table',
    value: 'table',
    description: 'The current result rows, replaced as the query updates',
  },
  {
    label: 'Changes',
    value: 'changes',
    description: 'Each change as it happens: rows added, updated and removed',
  },
];

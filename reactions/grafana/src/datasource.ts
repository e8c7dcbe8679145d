import type {
  CoreApp,
  DataSourceInstanceSettings,
  MetricFindValue,
  ScopedVars,
} from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';

import {
  DEFAULT_MODE,
  DEFAULT_QUERY,
  type VigilOptions,
  type VigilQueriesResponse,
  type VigilQuery,
  type VigilQueryInfo,
} from './types';

/**
 * The Vigil data source. Queries go to the Go backend (QueryData), whose frames
 * carry meta.channel; DataSourceWithBackend then subscribes to the live stream.
 */
export class DataSource extends DataSourceWithBackend<VigilQuery, VigilOptions> {
  constructor(instanceSettings: DataSourceInstanceSettings<VigilOptions>) {
    super(instanceSettings);
  }

  getDefaultQuery(_app?: CoreApp): Partial<VigilQuery> {
    return DEFAULT_QUERY;
  }

  /** Queries without a query id are not sent. */
  filterQuery(query: VigilQuery): boolean {
    return typeof query.queryId === 'string' && query.queryId.trim() !== '';
  }

  applyTemplateVariables(query: VigilQuery, scopedVars: ScopedVars): VigilQuery {
    return {
      ...query,
      queryId: getTemplateSrv().replace(query.queryId ?? '', scopedVars).trim(),
      mode: query.mode === 'changes' ? 'changes' : DEFAULT_MODE,
    };
  }

  /** The continuous queries the Vigil server has (backend resource `queries`). */
  async listQueries(): Promise<VigilQueryInfo[]> {
    const resp = await this.getResource<VigilQueriesResponse>('queries');
    return Array.isArray(resp?.queries) ? resp.queries.filter((q) => q && typeof q.id === 'string') : [];
  }

  /** For query variables: the ids of the server's queries. */
  async metricFindQuery(): Promise<MetricFindValue[]> {
    const queries = await this.listQueries();
    return queries.map((q) => ({ text: q.id, value: q.id }));
  }
}

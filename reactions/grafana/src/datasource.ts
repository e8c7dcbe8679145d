import {
  StreamingFrameAction,
  type CoreApp,
  type DataFrame,
  type DataQueryRequest,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
  type StreamingFrameOptions,
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

  /**
   * How a live frame takes the backend's packets: in table mode each packet
   * is the whole current result and replaces the frame; in changes mode
   * packets are events and append, so a time-series panel plots the values
   * as they changed.
   */
  streamOptionsProvider = (request: DataQueryRequest<VigilQuery>, frame: DataFrame): Partial<StreamingFrameOptions> =>
    streamOptions(request.targets.find((t) => t.refId === frame.refId)?.mode);

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

/** The streaming options of a query's mode (see DataSource.streamOptionsProvider). */
export function streamOptions(mode: string | undefined): Partial<StreamingFrameOptions> {
  return mode === 'changes'
    ? { action: StreamingFrameAction.Append, maxLength: 10000 }
    : { action: StreamingFrameAction.Replace, maxLength: 100000 };
}

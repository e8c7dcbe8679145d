import type { DataSourceInstanceSettings, ScopedVars } from '@grafana/data';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const replace = vi.fn((target?: string, scopedVars?: ScopedVars) => {
  const vars: Record<string, string> = { query: 'slo-burn', env: 'prod' };
  return (target ?? '').replace(/\$\{?(\w+)\}?/g, (m, name: string) => {
    const scoped = scopedVars?.[name]?.value;
    if (scoped !== undefined) {
      return String(scoped);
    }
    return vars[name] ?? m;
  });
});

vi.mock('@grafana/runtime', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@grafana/runtime')>();
  return {
    ...actual,
    getTemplateSrv: () => ({ replace, getVariables: () => [], containsTemplate: () => false, updateTimeRange: () => {} }),
  };
});

import { DataSource } from './datasource';
import { DEFAULT_QUERY, type VigilOptions, type VigilQuery } from './types';

function settings(): DataSourceInstanceSettings<VigilOptions> {
  return {
    id: 1,
    uid: 'vigil-uid',
    type: 'vigil-datasource',
    name: 'Vigil',
    access: 'proxy',
    readOnly: false,
    jsonData: { url: 'http://127.0.0.1:8080' },
    meta: {
      id: 'vigil-datasource',
      name: 'Vigil',
      type: 'datasource',
      module: 'plugins/vigil-datasource/module',
      baseUrl: 'public/plugins/vigil-datasource',
      info: {
        author: { name: 'Vigil' },
        description: '',
        links: [],
        logos: { small: '', large: '' },
        screenshots: [],
        updated: '',
        version: '',
      },
    },
  } as unknown as DataSourceInstanceSettings<VigilOptions>;
}

const q = (over: Partial<VigilQuery>): VigilQuery => ({ refId: 'A', queryId: '', mode: 'table', ...over });

describe('DataSource', () => {
  let ds: DataSource;
  beforeEach(() => {
    replace.mockClear();
    ds = new DataSource(settings());
  });

  it('defaults a new query to an empty id in table mode', () => {
    expect(ds.getDefaultQuery()).toEqual({ queryId: '', mode: 'table' });
    expect(DEFAULT_QUERY.mode).toBe('table');
  });

  it('skips queries without a query id', () => {
    expect(ds.filterQuery(q({ queryId: 'slo-burn' }))).toBe(true);
    expect(ds.filterQuery(q({ queryId: '$query' }))).toBe(true);
    expect(ds.filterQuery(q({ queryId: '' }))).toBe(false);
    expect(ds.filterQuery(q({ queryId: '   ' }))).toBe(false);
    expect(ds.filterQuery({ refId: 'A' } as VigilQuery)).toBe(false);
  });

  it('replaces template variables in the query id and keeps the rest', () => {
    const out = ds.applyTemplateVariables(q({ queryId: '$query', mode: 'changes', hide: false }), {});
    expect(out).toEqual({ refId: 'A', queryId: 'slo-burn', mode: 'changes', hide: false });
    expect(replace).toHaveBeenCalledWith('$query', {});
  });

  it('uses scoped variables and defaults a missing mode to table', () => {
    const scoped: ScopedVars = { env: { text: 'staging', value: 'staging' } };
    const out = ds.applyTemplateVariables({ refId: 'B', queryId: 'errors-${env}' } as VigilQuery, scoped);
    expect(out.queryId).toBe('errors-staging');
    expect(out.mode).toBe('table');
    expect(replace).toHaveBeenCalledWith('errors-${env}', scoped);
  });

  it('leaves an id without variables as it is', () => {
    expect(ds.applyTemplateVariables(q({ queryId: 'slo-burn' }), {}).queryId).toBe('slo-burn');
  });

  it('lists queries from the `queries` resource', async () => {
    const getResource = vi.spyOn(ds, 'getResource').mockResolvedValue({
      queries: [
        { id: 'slo-burn', state: 'running', columns: ['agent', 'burn'] },
        { id: 'errors', state: 'stopped', columns: ['service'] },
      ],
    });
    await expect(ds.listQueries()).resolves.toHaveLength(2);
    expect(getResource).toHaveBeenCalledWith('queries');
    await expect(ds.metricFindQuery()).resolves.toEqual([
      { text: 'slo-burn', value: 'slo-burn' },
      { text: 'errors', value: 'errors' },
    ]);
  });

  it('treats a malformed `queries` answer as no queries', async () => {
    vi.spyOn(ds, 'getResource').mockResolvedValue({});
    await expect(ds.listQueries()).resolves.toEqual([]);
    vi.spyOn(ds, 'getResource').mockResolvedValue(null);
    await expect(ds.listQueries()).resolves.toEqual([]);
  });
});

describe('streamOptions', () => {
  it('replaces the frame in table mode and appends in changes mode', async () => {
    const { streamOptions } = await import('./datasource');
    expect(streamOptions('table').action).toBe('replace');
    expect(streamOptions(undefined).action).toBe('replace');
    expect(streamOptions('changes').action).toBe('append');
  });
});

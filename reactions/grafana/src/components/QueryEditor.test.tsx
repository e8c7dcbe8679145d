import * as React from 'react';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

vi.mock('@grafana/runtime', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@grafana/runtime')>();
  return {
    ...actual,
    getTemplateSrv: () => ({
      replace: (s: string) => s,
      getVariables: () => [{ name: 'query' }],
      containsTemplate: () => false,
      updateTimeRange: () => {},
    }),
  };
});

import type { DataSource } from '../datasource';
import type { VigilQueryInfo, VigilQuery } from '../types';
import { buildQueryOptions, describeQuery, QueryEditor } from './QueryEditor';

// The `queries` resource's answer as the backend sends it.
const ANSWER = {
  queries: [
    { id: 'slo-burn', state: 'running', columns: ['agent', 'burn'] },
    { id: 'errors', state: 'stopped', columns: [] },
    { id: 'slo-burn', state: 'running', columns: ['agent', 'burn'] },
    { id: '' },
  ] as VigilQueryInfo[],
};

describe('buildQueryOptions', () => {
  it('builds sorted, de-duplicated options with state and columns', () => {
    expect(buildQueryOptions(ANSWER.queries)).toEqual([
      { label: 'errors', value: 'errors', description: 'stopped' },
      { label: 'slo-burn', value: 'slo-burn', description: 'running · columns: agent, burn' },
    ]);
  });

  it('keeps a current id the server does not list, first', () => {
    const opts = buildQueryOptions(ANSWER.queries, 'gone');
    expect(opts[0]).toEqual({ label: 'gone', value: 'gone', description: 'Not listed by the server' });
    expect(opts).toHaveLength(3);
    expect(buildQueryOptions(ANSWER.queries, 'errors')).toHaveLength(2);
  });

  it('offers template variables', () => {
    const opts = buildQueryOptions([{ id: 'a' }], '$query', ['query', '$env']);
    expect(opts.map((o) => o.value)).toEqual(['a', '$query', '$env']);
    expect(opts[1].description).toBe('Template variable');
  });

  it('copes with no answer', () => {
    expect(buildQueryOptions(undefined)).toEqual([]);
    expect(buildQueryOptions([], '')).toEqual([]);
  });

  it('describes a query without state or columns as empty', () => {
    expect(describeQuery({ id: 'x' })).toBe('');
  });
});

function setup(query: Partial<VigilQuery> = {}, list: () => Promise<VigilQueryInfo[]> = async () => ANSWER.queries) {
  const onChange = vi.fn();
  const onRunQuery = vi.fn();
  const listQueries = vi.fn(list);
  const datasource = { listQueries } as unknown as DataSource;
  const q: VigilQuery = { refId: 'A', queryId: 'slo-burn', mode: 'table', ...query };
  const utils = render(<QueryEditor datasource={datasource} query={q} onChange={onChange} onRunQuery={onRunQuery} />);
  return { ...utils, onChange, onRunQuery, listQueries };
}

async function openPicker() {
  const input = screen.getByLabelText('Query id');
  await act(async () => {
    fireEvent.keyDown(input, { key: 'ArrowDown' });
  });
  return input;
}

describe('QueryEditor', () => {
  it('loads the query ids and changes the id', async () => {
    const { onChange, onRunQuery, listQueries } = setup();
    expect(listQueries).toHaveBeenCalledTimes(1);
    expect(screen.getByText('slo-burn')).toBeTruthy();

    await openPicker();
    await waitFor(() => expect(screen.getByText('errors')).toBeTruthy());
    expect(screen.getByText('running · columns: agent, burn')).toBeTruthy();
    expect(screen.getByText('$query')).toBeTruthy();

    fireEvent.click(screen.getByText('errors'));
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryId: 'errors', mode: 'table' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('accepts a custom query id', async () => {
    const { onChange, onRunQuery } = setup({ queryId: '' });
    await waitFor(() => expect(screen.getByText('Choose a query')).toBeTruthy());
    const input = await openPicker();
    fireEvent.change(input, { target: { value: 'not-yet-deployed' } });
    await act(async () => {
      fireEvent.keyDown(input, { key: 'Enter' });
    });
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryId: 'not-yet-deployed', mode: 'table' });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('switches the mode and runs the query', async () => {
    const { onChange, onRunQuery } = setup();
    await waitFor(() => expect(screen.getByTestId('vigil-mode-description').textContent).toMatch(/current result rows/));
    expect((screen.getByLabelText('Table') as HTMLInputElement).checked).toBe(true);

    fireEvent.click(screen.getByLabelText('Changes'));
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryId: 'slo-burn', mode: 'changes' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('shows changes mode for a saved changes query and defaults a missing mode to table', async () => {
    const { unmount } = setup({ mode: 'changes' });
    await waitFor(() => expect((screen.getByLabelText('Changes') as HTMLInputElement).checked).toBe(true));
    expect(screen.getByTestId('vigil-mode-description').textContent).toMatch(/added, updated and removed/);
    unmount();

    setup({ mode: undefined as unknown as VigilQuery['mode'] });
    await waitFor(() => expect((screen.getByLabelText('Table') as HTMLInputElement).checked).toBe(true));
  });

  it('reports a failure to list the queries', async () => {
    setup({}, async () => Promise.reject({ data: { message: 'vigil unreachable' } }));
    await waitFor(() => expect(screen.getByText('Could not list queries: vigil unreachable')).toBeTruthy());
  });

  it('reports the backend resource error body', async () => {
    setup({}, async () => Promise.reject({ status: 401, data: { error: 'vigil: 401 unauthorized' } }));
    await waitFor(() => expect(screen.getByText('Could not list queries: vigil: 401 unauthorized')).toBeTruthy());
  });
});

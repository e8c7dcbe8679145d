import * as React from 'react';
import type { QueryEditorProps, SelectableValue } from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import { InlineField, InlineFieldRow, RadioButtonGroup, Select, useTheme2 } from '@grafana/ui';

import type { DataSource } from '../datasource';
import {
  DEFAULT_MODE,
  MODE_OPTIONS,
  type VigilMode,
  type VigilOptions,
  type VigilQuery,
  type VigilQueryInfo,
} from '../types';

export type QueryEditorPropsT = QueryEditorProps<DataSource, VigilQuery, VigilOptions>;

const LABEL_WIDTH = 12;

/** Describes one query of the `queries` resource for the picker. */
export function describeQuery(q: VigilQueryInfo): string {
  const parts: string[] = [];
  if (q.state) {
    parts.push(q.state);
  }
  if (Array.isArray(q.columns) && q.columns.length > 0) {
    parts.push(`columns: ${q.columns.join(', ')}`);
  }
  return parts.join(' · ');
}

/**
 * The picker's options: the server's queries (sorted by id, duplicates and
 * entries without an id dropped), then the dashboard's template variables, and
 * the current value first when it is none of these (a custom id).
 */
export function buildQueryOptions(
  queries: VigilQueryInfo[] | undefined,
  current?: string,
  variables: string[] = []
): Array<SelectableValue<string>> {
  const seen = new Set<string>();
  const options: Array<SelectableValue<string>> = [];
  const sorted = [...(queries ?? [])]
    .filter((q) => q && typeof q.id === 'string' && q.id !== '')
    .sort((a, b) => a.id.localeCompare(b.id));
  for (const q of sorted) {
    if (seen.has(q.id)) {
      continue;
    }
    seen.add(q.id);
    const description = describeQuery(q);
    options.push(description ? { label: q.id, value: q.id, description } : { label: q.id, value: q.id });
  }
  for (const name of variables) {
    const value = name.startsWith('$') ? name : `$${name}`;
    if (seen.has(value)) {
      continue;
    }
    seen.add(value);
    options.push({ label: value, value, description: 'Template variable' });
  }
  if (current && !seen.has(current)) {
    options.unshift({ label: current, value: current, description: 'Not listed by the server' });
  }
  return options;
}

function templateVariableNames(): string[] {
  try {
    return getTemplateSrv()
      .getVariables()
      .map((v) => v.name);
  } catch {
    return [];
  }
}

export function QueryEditor({ datasource, query, onChange, onRunQuery }: QueryEditorPropsT) {
  const theme = useTheme2();
  const [queries, setQueries] = React.useState<VigilQueryInfo[]>([]);
  const [loading, setLoading] = React.useState(true);
  const [error, setError] = React.useState<string | undefined>();

  React.useEffect(() => {
    let cancelled = false;
    setLoading(true);
    datasource
      .listQueries()
      .then((list) => {
        if (!cancelled) {
          setQueries(list);
          setError(undefined);
        }
      })
      .catch((err: unknown) => {
        if (!cancelled) {
          setError(errorMessage(err));
        }
      })
      .finally(() => {
        if (!cancelled) {
          setLoading(false);
        }
      });
    return () => {
      cancelled = true;
    };
  }, [datasource]);

  const queryId = query.queryId ?? '';
  const mode: VigilMode = query.mode === 'changes' ? 'changes' : DEFAULT_MODE;
  const options = React.useMemo(
    () => buildQueryOptions(queries, queryId, templateVariableNames()),
    [queries, queryId]
  );

  const setQueryId = (id: string) => {
    onChange({ ...query, queryId: id, mode });
    onRunQuery();
  };

  const onModeChange = (next: VigilMode) => {
    onChange({ ...query, queryId, mode: next });
    onRunQuery();
  };

  const modeDescription = MODE_OPTIONS.find((o) => o.value === mode)?.description;

  return (
    <InlineFieldRow>
      <InlineField
        label="Query"
        labelWidth={LABEL_WIDTH}
        tooltip="The id of a Vigil continuous query; pick one the server runs or type another"
        invalid={Boolean(error)}
        error={error ? `Could not list queries: ${error}` : undefined}
      >
        <Select<string>
          inputId={`vigil-query-id-${query.refId}`}
          aria-label="Query id"
          width={32}
          options={options}
          value={queryId || null}
          isLoading={loading}
          allowCustomValue
          placeholder="Choose a query"
          noOptionsMessage="No queries on the server"
          onChange={(v: SelectableValue<string> | null) => setQueryId(v?.value ?? '')}
          onCreateOption={(v: string) => setQueryId(v.trim())}
        />
      </InlineField>
      <InlineField label="Mode" labelWidth={LABEL_WIDTH}>
        <RadioButtonGroup<VigilMode> options={MODE_OPTIONS} value={mode} onChange={onModeChange} />
      </InlineField>
      {modeDescription && (
        <span
          data-testid="vigil-mode-description"
          style={{
            alignSelf: 'center',
            color: theme.colors.text.secondary,
            fontSize: theme.typography.bodySmall.fontSize,
            marginBottom: theme.spacing(0.5),
          }}
        >
          {modeDescription}
        </span>
      )}
    </InlineFieldRow>
  );
}

function errorMessage(err: unknown): string {
  if (err && typeof err === 'object') {
    // The backend answers {"error": "..."}; Grafana's fetch errors carry it in data.
    const e = err as { data?: { message?: string; error?: string }; message?: string; statusText?: string };
    return e.data?.message || e.data?.error || e.message || e.statusText || 'unknown error';
  }
  return String(err);
}

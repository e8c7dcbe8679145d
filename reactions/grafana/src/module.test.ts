import { DataSourcePlugin } from '@grafana/data';
import { describe, expect, it } from 'vitest';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';
import { plugin } from './module';
import pluginJson from './plugin.json';

describe('module', () => {
  it('exports the plugin with its data source class and editors', () => {
    expect(plugin).toBeInstanceOf(DataSourcePlugin);
    expect(plugin.DataSourceClass).toBe(DataSource);
    expect(plugin.components.ConfigEditor).toBe(ConfigEditor);
    expect(plugin.components.QueryEditor).toBe(QueryEditor);
  });

  it('plugin.json matches the backend contract', () => {
    expect(pluginJson).toMatchObject({
      type: 'datasource',
      id: 'vigil-datasource',
      backend: true,
      executable: 'gpx_vigil',
      streaming: true,
      alerting: true,
      metrics: true,
      info: { logos: { small: 'img/logo.svg', large: 'img/logo.svg' } },
      dependencies: { grafanaDependency: '>=10.4.0' },
    });
  });
});

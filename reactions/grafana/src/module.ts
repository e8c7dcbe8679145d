import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';
import type { VigilOptions, VigilQuery, VigilSecureOptions } from './types';

export const plugin = new DataSourcePlugin<DataSource, VigilQuery, VigilOptions, VigilSecureOptions>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);

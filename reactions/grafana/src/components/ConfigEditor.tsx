import * as React from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { InlineField, Input, SecretInput } from '@grafana/ui';

import type { VigilOptions, VigilSecureOptions } from '../types';

export const URL_PLACEHOLDER = 'http://127.0.0.1:8080';

export type ConfigEditorProps = DataSourcePluginOptionsEditorProps<VigilOptions, VigilSecureOptions>;

const LABEL_WIDTH = 16;
const INPUT_WIDTH = 48;

export function ConfigEditor(props: ConfigEditorProps) {
  const { options, onOptionsChange } = props;
  const jsonData = options.jsonData ?? {};
  const secureJsonFields = options.secureJsonFields ?? {};
  const secureJsonData = (options.secureJsonData ?? {}) as VigilSecureOptions;

  const onURLChange = (event: React.ChangeEvent<HTMLInputElement>) => {
    onOptionsChange({
      ...options,
      jsonData: { ...jsonData, url: event.target.value },
    });
  };

  const onTokenChange = (event: React.ChangeEvent<HTMLInputElement>) => {
    onOptionsChange({
      ...options,
      secureJsonData: { ...secureJsonData, token: event.target.value },
    });
  };

  const onTokenReset = () => {
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, token: false },
      secureJsonData: { ...secureJsonData, token: '' },
    });
  };

  return (
    <>
      <InlineField
        label="URL"
        labelWidth={LABEL_WIDTH}
        tooltip="The Vigil server the Grafana backend connects to"
        required
      >
        <Input
          id="vigil-config-url"
          aria-label="Vigil URL"
          width={INPUT_WIDTH}
          value={jsonData.url ?? ''}
          placeholder={URL_PLACEHOLDER}
          onChange={onURLChange}
        />
      </InlineField>
      <InlineField
        label="Token"
        labelWidth={LABEL_WIDTH}
        tooltip="Bearer token sent to the Vigil server; stored encrypted, leave empty if the server needs none"
      >
        <SecretInput
          id="vigil-config-token"
          aria-label="Vigil token"
          width={INPUT_WIDTH}
          isConfigured={Boolean(secureJsonFields.token)}
          value={secureJsonData.token ?? ''}
          placeholder="Bearer token"
          onReset={onTokenReset}
          onChange={onTokenChange}
        />
      </InlineField>
    </>
  );
}

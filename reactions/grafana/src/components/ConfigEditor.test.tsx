import * as React from 'react';
import type { DataSourceSettings } from '@grafana/data';
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import type { VigilOptions, VigilSecureOptions } from '../types';
import { ConfigEditor, URL_PLACEHOLDER } from './ConfigEditor';

function settings(over: Partial<DataSourceSettings<VigilOptions, VigilSecureOptions>> = {}) {
  return {
    id: 1,
    uid: 'vigil-uid',
    orgId: 1,
    name: 'Vigil',
    type: 'vigil-datasource',
    typeName: 'Vigil',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    withCredentials: false,
    readOnly: false,
    version: 1,
    jsonData: {},
    secureJsonFields: {},
    secureJsonData: {},
    ...over,
  } as DataSourceSettings<VigilOptions, VigilSecureOptions>;
}

describe('ConfigEditor', () => {
  it('shows the URL with a placeholder and reports a changed URL in jsonData', () => {
    const onOptionsChange = vi.fn();
    const options = settings({ jsonData: { url: 'http://old:8080' } });
    render(<ConfigEditor options={options} onOptionsChange={onOptionsChange} />);

    const input = screen.getByLabelText('Vigil URL') as HTMLInputElement;
    expect(input.value).toBe('http://old:8080');
    expect(input.placeholder).toBe(URL_PLACEHOLDER);

    fireEvent.change(input, { target: { value: 'http://127.0.0.1:8080' } });
    expect(onOptionsChange).toHaveBeenCalledTimes(1);
    const next = onOptionsChange.mock.calls[0][0];
    expect(next.jsonData).toEqual({ url: 'http://127.0.0.1:8080' });
    expect(next.name).toBe('Vigil');
    expect(next.secureJsonData).toEqual({});
  });

  it('an empty URL shows the placeholder', () => {
    render(<ConfigEditor options={settings()} onOptionsChange={vi.fn()} />);
    expect((screen.getByPlaceholderText(URL_PLACEHOLDER) as HTMLInputElement).value).toBe('');
  });

  it('puts a typed token in secureJsonData, not jsonData', () => {
    const onOptionsChange = vi.fn();
    render(
      <ConfigEditor options={settings({ jsonData: { url: 'http://v:8080' } })} onOptionsChange={onOptionsChange} />
    );
    const token = screen.getByLabelText('Vigil token') as HTMLInputElement;
    expect(token.type).toBe('password');
    fireEvent.change(token, { target: { value: 's3cret' } });
    const next = onOptionsChange.mock.calls[0][0];
    expect(next.secureJsonData).toEqual({ token: 's3cret' });
    expect(next.jsonData).toEqual({ url: 'http://v:8080' });
  });

  it('shows a configured token and resets it', () => {
    const onOptionsChange = vi.fn();
    render(
      <ConfigEditor options={settings({ secureJsonFields: { token: true } })} onOptionsChange={onOptionsChange} />
    );
    const token = screen.getByLabelText('Vigil token') as HTMLInputElement;
    expect(token.value).toBe('configured');
    expect(token.disabled).toBe(true);

    fireEvent.click(screen.getByRole('button', { name: /reset/i }));
    const next = onOptionsChange.mock.calls[0][0];
    expect(next.secureJsonFields).toEqual({ token: false });
    expect(next.secureJsonData).toEqual({ token: '' });
  });
});

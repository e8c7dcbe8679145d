// Unit tests of the console's result model (no browser): node --test.
// Run by cmd/vigil/console_browser_test.go (TestConsoleModel).
import test from 'node:test';
import assert from 'node:assert/strict';
import { ResultModel, rowKey } from '../static/results.js';

const rows = (m) => m.list().map((e) => e.row);

test('rowKey ignores key order', () => {
  assert.equal(rowKey({ a: 1, b: { d: [1, { y: 2, x: 1 }], c: null } }), rowKey({ b: { c: null, d: [1, { x: 1, y: 2 }] }, a: 1 }));
  assert.notEqual(rowKey({ a: 1 }), rowKey({ a: '1' }));
});

test('snapshot, add, update in place, delete', () => {
  const m = new ResultModel();
  m.reset([{ n: 'a', q: 1 }, { n: 'b', q: 2 }], ['n', 'q']);
  assert.deepEqual(m.apply({ addedResults: [{ n: 'c', q: 3 }], updatedResults: [], deletedResults: [] }), { added: 1, updated: 0, deleted: 0 });
  m.apply({ addedResults: [], updatedResults: [{ before: { q: 1, n: 'a' }, after: { n: 'a', q: 10 } }], deletedResults: [{ n: 'b', q: 2 }] });
  assert.deepEqual(rows(m), [{ n: 'a', q: 10 }, { n: 'c', q: 3 }]);
  assert.equal(m.list()[0].flash, 'updated');
  assert.equal(m.anomalies, 0);
});

test('equal rows are a multiset', () => {
  const m = new ResultModel();
  m.reset([{ x: 1 }, { x: 1 }], ['x']);
  m.apply({ addedResults: [], updatedResults: [], deletedResults: [{ x: 1 }] });
  assert.equal(m.size, 1);
  m.apply({ addedResults: [], updatedResults: [{ before: { x: 1 }, after: { x: 2 } }], deletedResults: [] });
  assert.deepEqual(rows(m), [{ x: 2 }]);
  m.apply({ addedResults: [], updatedResults: [], deletedResults: [{ x: 1 }] });
  assert.equal(m.anomalies, 1, 'deleting a row we do not have is counted, not fatal');
});

test('new columns are learned from rows', () => {
  const m = new ResultModel();
  m.reset([], null);
  m.apply({ addedResults: [{ a: 1, b: 2 }], updatedResults: [], deletedResults: [] });
  assert.deepEqual(m.columns, ['a', 'b']);
});

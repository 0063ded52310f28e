/** A valid run record for store tests (a dimension run), with a fresh id. */

import { randomUUID } from 'node:crypto';

export function dimensionRecord(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    kind: 'dimension',
    createdAt: new Date().toISOString(),
    toolkitVersion: '0.0.0-test',
    source: { path: '/data/m.npy', sha256: 'a'.repeat(64), kind: 'npy' },
    params: { seed: 0 },
    n: 10,
    d: 3,
    totalVariance: 6,
    effectiveDimension: 2.5,
    participationRatio: 2.2,
    alpha: 1,
    alphaRange: [1, 3],
    alphaR2: 0.99,
    rank: 3,
    spectrum: [0.5, 0.3, 0.2],
    ...extra,
  };
}

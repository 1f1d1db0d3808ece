import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scoreNews2, type News2Input, type SpO2Scale } from '../news2';

// The server's vectors, read from where the server's tests keep them (never copied).
const VECTORS = resolve(import.meta.dirname, '../../../../api/tests/news2_vectors.json');

interface Vector {
  name: string;
  scale: SpO2Scale;
  input: News2Input;
  expected: { total: number; riskLevel: string; complete: boolean; anySingleParameterThree: boolean };
}

const vectors = JSON.parse(readFileSync(VECTORS, 'utf8')) as Vector[];

describe('NEWS2 preview matches the server', () => {
  it('has vectors to check', () => {
    expect(vectors.length).toBeGreaterThan(20);
  });
  for (const v of vectors) {
    it(v.name, () => {
      expect(scoreNews2(v.input, v.scale)).toEqual(v.expected);
    });
  }
});

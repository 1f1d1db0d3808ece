import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatNumber, i18n, parseDecimal, parseInteger, type Dictionary } from '../i18n.svelte';
import { sharedMessages } from '../messages';
import { messages as nurse } from '../../../nurse/src/messages';
import { messages as doctor } from '../../../doctor/src/messages';
import { messages as relative } from '../../../relative/src/messages';

const ROOT = resolve(import.meta.dirname, '../../..');
const SCHEMA = readFileSync(resolve(ROOT, '../api/schema.graphql'), 'utf8');
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'gql' || name === 'test') return [];
    return statSync(path).isDirectory() ? files(path) : /\.(svelte|ts)$/.test(name) ? [path] : [];
  });
}

/** Keys written literally as t('key') in an app's (and the shared package's) source. */
function usedKeys(app: string): string[] {
  const keys = new Set<string>();
  for (const f of files(resolve(ROOT, app, 'src'))) {
    for (const m of readFileSync(f, 'utf8').matchAll(/\bt\(\s*'([A-Za-z0-9_.]+)'/g)) keys.add(m[1]);
  }
  return [...keys];
}

function enumValues(name: string): string[] {
  const body = new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(SCHEMA)?.[1] ?? '';
  return body.split('\n').map((l) => l.trim()).filter((l) => /^[A-Z_0-9]+$/.test(l));
}

const dictionaries: Record<string, Dictionary> = { shared: sharedMessages, nurse, doctor, relative };

describe('i18n completeness', () => {
  for (const [name, dict] of Object.entries(dictionaries)) {
    it(`${name}: every key in Danish and English, none empty, same placeholders`, () => {
      expect(Object.keys(dict.en).sort()).toEqual(Object.keys(dict.da).sort());
      for (const [key, da] of Object.entries(dict.da)) {
        const en = (dict.en as Record<string, string>)[key];
        expect(da.trim(), key).not.toBe('');
        expect(en.trim(), key).not.toBe('');
        expect(placeholders(en), key).toEqual(placeholders(da));
      }
    });
  }

  it('apps do not redefine shared keys', () => {
    for (const app of [nurse, doctor, relative]) {
      for (const key of Object.keys(app.da)) expect(Object.keys(sharedMessages.da)).not.toContain(key);
    }
  });

  for (const [app, dict] of [['nurse', nurse], ['doctor', doctor], ['relative', relative], ['shared', { da: {}, en: {} }]] as const) {
    it(`${app}: every key the source uses exists`, () => {
      const known = new Set([...Object.keys(sharedMessages.da), ...Object.keys(dict.da)]);
      const missing = usedKeys(app).filter((k) => !known.has(k));
      expect(missing).toEqual([]);
    });
  }

  it('every value of the enums the apps translate has a string', () => {
    const prefixes: Record<string, string> = {
      News2Risk: 'risk',
      EscalationLevel: 'escalation',
      VitalSign: 'vital',
      Consciousness: 'consciousness',
      ResidentStatus: 'status',
      ResuscitationChoice: 'resus',
      QuestionPriority: 'priority',
      QuestionStatus: 'qstatus',
      MeetingKind: 'meeting.kind',
      MeetingStatus: 'meeting.status',
      AgendaTopic: 'topic',
      ContactParty: 'contact',
      Polypharmacy: 'polypharmacy',
      TimeEntryKind: 'timeKind',
    };
    for (const [enumName, prefix] of Object.entries(prefixes)) {
      const values = enumValues(enumName);
      expect(values.length, enumName).toBeGreaterThan(0);
      for (const v of values) expect(sharedMessages.da, `${prefix}.${v}`).toHaveProperty([`${prefix}.${v}`]);
    }
    for (const code of ['UNAUTHENTICATED', 'NOT_FOUND', 'FORBIDDEN', 'VALIDATION', 'CONFLICT', 'RATE_LIMITED', 'INTERNAL', 'NETWORK']) {
      expect(sharedMessages.da).toHaveProperty([`error.${code}`]);
    }
  });
});

describe('numbers typed by people', () => {
  it('accepts a decimal comma and a point', () => {
    expect(parseDecimal('37,5')).toBe(37.5);
    expect(parseDecimal('37.5')).toBe(37.5);
    expect(parseDecimal(' 38 ')).toBe(38);
    expect(parseDecimal(',5')).toBe(0.5);
    expect(parseDecimal('')).toBeNull();
    expect(parseDecimal('3a')).toBeNaN();
    expect(parseDecimal('1.000,5')).toBeNaN();
    expect(parseInteger('72')).toBe(72);
    expect(parseInteger('72,5')).toBeNaN();
  });

  it('formats with the locale', () => {
    i18n.set('da');
    expect(formatNumber(37.5)).toBe('37,5');
    i18n.set('en');
    expect(formatNumber(37.5)).toBe('37.5');
    i18n.set('da');
  });
});

/**
 * Danish first, English second. Every string lives in a dictionary with both languages (a unit
 * test checks that every key is in both, with the same {placeholders}); dates, times and numbers
 * go through `Intl` in Europe/Copenhagen; number fields accept a decimal comma.
 */
export type Locale = 'da' | 'en';
export type Messages = Record<string, string>;
export interface Dictionary {
  da: Messages;
  en: Messages;
}

const LOCALE_KEY = 'plejelink.locale';
const TAGS: Record<Locale, string> = { da: 'da-DK', en: 'en-GB' };
export const TIME_ZONE = 'Europe/Copenhagen';

function initialLocale(): Locale {
  try {
    const saved = globalThis.localStorage?.getItem(LOCALE_KEY);
    if (saved === 'da' || saved === 'en') return saved;
  } catch {
    /* storage may be unavailable */
  }
  return 'da';
}

class I18n {
  locale: Locale = $state(initialLocale());
  #messages: Dictionary = { da: {}, en: {} };

  add(dict: Dictionary) {
    Object.assign(this.#messages.da, dict.da);
    Object.assign(this.#messages.en, dict.en);
  }

  set(locale: Locale) {
    this.locale = locale;
    try {
      globalThis.localStorage?.setItem(LOCALE_KEY, locale);
    } catch {
      /* ignore */
    }
    if (globalThis.document) document.documentElement.lang = locale;
  }

  t(key: string, params?: Record<string, string | number>): string {
    const text = this.#messages[this.locale][key] ?? this.#messages.da[key];
    if (text === undefined) {
      if (import.meta.env?.DEV) console.warn(`i18n: missing key ${key}`);
      return key;
    }
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (_, name: string) => {
      const v = params[name];
      return v === undefined ? `{${name}}` : typeof v === 'number' ? formatNumber(v) : v;
    });
  }

  get tag(): string {
    return TAGS[this.locale];
  }
}

export const i18n = new I18n();
export const t = (key: string, params?: Record<string, string | number>) => i18n.t(key, params);

export function formatNumber(n: number, maximumFractionDigits = 1): string {
  return new Intl.NumberFormat(i18n.tag, { maximumFractionDigits }).format(n);
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(i18n.tag, { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONE }).format(
    new Date(iso),
  );
}

export function formatDate(isoOrDate: string | null | undefined): string {
  if (!isoOrDate) return '–';
  // A bare `YYYY-MM-DD` is a Danish calendar day: format it at noon so no zone shifts the day.
  const d = /^\d{4}-\d{2}-\d{2}$/.test(isoOrDate) ? new Date(`${isoOrDate}T12:00:00Z`) : new Date(isoOrDate);
  return new Intl.DateTimeFormat(i18n.tag, { dateStyle: 'medium', timeZone: TIME_ZONE }).format(d);
}

export function formatTime(iso: string): string {
  return new Intl.DateTimeFormat(i18n.tag, { timeStyle: 'short', timeZone: TIME_ZONE }).format(new Date(iso));
}

/** "in 3 hours" / "2 days ago", rounded to a sensible unit. */
export function formatRelative(iso: string, now = Date.now()): string {
  const diff = Date.parse(iso) - now;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(i18n.tag, { numeric: 'auto' });
  if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), 'minute');
  if (abs < 2 * 86_400_000) return rtf.format(Math.round(diff / 3_600_000), 'hour');
  return rtf.format(Math.round(diff / 86_400_000), 'day');
}

/**
 * Parses a number typed by a person: "37,5" and "37.5" both mean 37.5; spaces are ignored.
 * Empty → null (not measured); anything else that is not a number → NaN.
 */
export function parseDecimal(text: string | null | undefined): number | null {
  const s = (text ?? '').replace(/\s/g, '');
  if (s === '') return null;
  if (!/^[-+]?(\d+([.,]\d*)?|[.,]\d+)$/.test(s)) return Number.NaN;
  return Number(s.replace(',', '.'));
}

/** Like parseDecimal, but only whole numbers are valid. */
export function parseInteger(text: string | null | undefined): number | null {
  const n = parseDecimal(text);
  if (n === null || Number.isNaN(n)) return n;
  return Number.isInteger(n) ? n : Number.NaN;
}

/**
 * NEWS2 preview: a TypeScript port of the server's rules (api/src/domain/news2.rs, DESIGN §5),
 * tested against the server's vectors (api/tests/news2_vectors.json). The server's score is the
 * one that counts; this only previews it while the nurse types.
 */

export type Consciousness = 'ALERT' | 'NEW_CONFUSION' | 'VOICE' | 'PAIN' | 'UNRESPONSIVE';
export type SpO2Scale = 'SCALE_1' | 'SCALE_2';
export type News2Risk = 'LOW' | 'LOW_MEDIUM' | 'MEDIUM' | 'HIGH';

/** The seven NEWS2 parameters; `null`/`undefined` = not measured. */
export interface News2Input {
  respirationRate?: number | null;
  oxygenSaturation?: number | null;
  onSupplementalOxygen?: boolean | null;
  systolicBp?: number | null;
  pulse?: number | null;
  consciousness?: Consciousness | null;
  temperature?: number | null;
}

export interface News2Score {
  total: number;
  riskLevel: News2Risk;
  complete: boolean;
  anySingleParameterThree: boolean;
}

const present = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined;

export function respirationScore(rate: number): number {
  if (rate <= 8) return 3;
  if (rate <= 11) return 1;
  if (rate <= 20) return 0;
  if (rate <= 24) return 2;
  return 3;
}

export function spo2Scale1Score(spo2: number): number {
  if (spo2 <= 91) return 3;
  if (spo2 <= 93) return 2;
  if (spo2 <= 95) return 1;
  return 0;
}

/** Scale 2 (hypercapnic respiratory failure): 93 and above only scores on oxygen. */
export function spo2Scale2Score(spo2: number, onOxygen: boolean): number {
  if (spo2 <= 83) return 3;
  if (spo2 <= 85) return 2;
  if (spo2 <= 87) return 1;
  if (spo2 <= 92) return 0;
  if (!onOxygen) return 0;
  if (spo2 <= 94) return 1;
  if (spo2 <= 96) return 2;
  return 3;
}

export function systolicScore(bp: number): number {
  if (bp <= 90) return 3;
  if (bp <= 100) return 2;
  if (bp <= 110) return 1;
  if (bp <= 219) return 0;
  return 3;
}

export function pulseScore(rate: number): number {
  if (rate <= 40) return 3;
  if (rate <= 50) return 1;
  if (rate <= 90) return 0;
  if (rate <= 110) return 1;
  if (rate <= 130) return 2;
  return 3;
}

/** Whole tenths, rounded half away from zero, with the server's nudge against binary error. */
function tenths(celsius: number): number {
  const scaled = celsius * 10;
  const nudged = scaled + (scaled < 0 ? -1e-9 : 1e-9);
  return Math.sign(nudged) * Math.round(Math.abs(nudged));
}

export function temperatureScore(celsius: number): number {
  const t = tenths(celsius);
  if (t <= 350) return 3;
  if (t <= 360) return 1;
  if (t <= 380) return 0;
  if (t <= 390) return 1;
  return 2;
}

export function riskLevel(total: number, anyThree: boolean): News2Risk {
  if (total >= 7) return 'HIGH';
  if (total >= 5) return 'MEDIUM';
  return anyThree ? 'LOW_MEDIUM' : 'LOW';
}

export function scoreNews2(input: News2Input, scale: SpO2Scale): News2Score {
  const onOxygen = input.onSupplementalOxygen;
  const parts: (number | null)[] = [
    present(input.respirationRate) ? respirationScore(input.respirationRate) : null,
    present(input.oxygenSaturation)
      ? scale === 'SCALE_2'
        ? spo2Scale2Score(input.oxygenSaturation, onOxygen ?? false)
        : spo2Scale1Score(input.oxygenSaturation)
      : null,
    present(onOxygen) ? (onOxygen ? 2 : 0) : null,
    present(input.systolicBp) ? systolicScore(input.systolicBp) : null,
    present(input.pulse) ? pulseScore(input.pulse) : null,
    present(input.consciousness) ? (input.consciousness === 'ALERT' ? 0 : 3) : null,
    present(input.temperature) && Number.isFinite(input.temperature) ? temperatureScore(input.temperature) : null,
  ];
  const scored = parts.filter(present);
  const total = scored.reduce((a, b) => a + b, 0);
  const anySingleParameterThree = scored.some((p) => p === 3);
  return {
    total,
    riskLevel: riskLevel(total, anySingleParameterThree),
    complete: scored.length === parts.length,
    anySingleParameterThree,
  };
}

/** Plausible ranges the server accepts (README "Observations"); outside them it answers VALIDATION. */
export const PLAUSIBLE = {
  respirationRate: [2, 80],
  oxygenSaturation: [50, 100],
  systolicBp: [40, 300],
  diastolicBp: [20, 200],
  pulse: [20, 250],
  temperature: [25, 45],
  bloodGlucose: [0.5, 50],
  weightKg: [20, 300],
  painScore: [0, 10],
} as const satisfies Record<string, readonly [number, number]>;

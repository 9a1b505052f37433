import { SPEED_OF_LIGHT_FIBER, SPEED_OF_LIGHT_VACUUM } from './constants.js';
import { kmPerMs, type KmPerMs } from './units.js';

export const SPEED_MODEL_NAMES = ['vacuum', 'fiber'] as const;
export type SpeedModelName = (typeof SPEED_MODEL_NAMES)[number];

/**
 * How fast a signal may travel. `vacuum` is the only model whose verdicts are sound against
 * any network; `fiber` and custom speeds are tighter but assume the path never beats them.
 */
export type SpeedModel = SpeedModelName | KmPerMs;

export function speedOf(model: SpeedModel): KmPerMs {
  if (model === 'vacuum') return SPEED_OF_LIGHT_VACUUM;
  if (model === 'fiber') return SPEED_OF_LIGHT_FIBER;
  return model;
}

/** True only for the model whose bound holds for every possible network path. */
export const isPhysicalBound = (model: SpeedModel): boolean => speedOf(model) >= SPEED_OF_LIGHT_VACUUM;

/** A decimal number, as a speed is written (lower case). */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/;

/**
 * Parses `vacuum`, `fiber` or a positive speed in km/ms no faster than light in vacuum.
 * Returns an error message instead of throwing.
 */
export function parseSpeedModel(text: string): SpeedModel | { error: string } {
  const t = text.trim().toLowerCase();
  if (t === 'vacuum' || t === 'fiber') return t;
  if (t === 'fibre') return 'fiber';
  // A decimal number only: Number() also reads hex ("0x10" as 16), binary and octal.
  const n = DECIMAL.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(n)) {
    return { error: `speed must be "vacuum", "fiber" or a number of km/ms, got "${text}"` };
  }
  if (n <= 0) return { error: `speed must be positive, got ${text} km/ms` };
  if (n > SPEED_OF_LIGHT_VACUUM) {
    return { error: `speed ${text} km/ms is faster than light in vacuum (${SPEED_OF_LIGHT_VACUUM} km/ms)` };
  }
  return kmPerMs(n);
}

export function describeSpeedModel(model: SpeedModel): string {
  if (model === 'vacuum') return `vacuum (${SPEED_OF_LIGHT_VACUUM} km/ms)`;
  if (model === 'fiber') return `fiber (${SPEED_OF_LIGHT_FIBER.toFixed(2)} km/ms)`;
  return `${model} km/ms`;
}

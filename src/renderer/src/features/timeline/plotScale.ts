/**
 * The axes of the bytes-over-time plot: a linear scale from 0 with "nice" ticks (1, 2 or 5 times a power of ten)
 * in a unit that suits the range (ms or s; bytes, KiB or MiB). Written here rather than taken from d3-scale: the
 * plot needs only this (two linear axes from zero), and no scale library is installed.
 */

export interface Axis {
  /** The top of the axis, in the data's own units (ms, bytes): the last tick. */
  top: number;
  /** Tick values in the data's units, 0 first. */
  ticks: number[];
  /** The words of each tick, in `unit`. */
  labels: string[];
  /** `ms`, `s`, `bytes`, `KiB`, `MiB`. */
  unit: string;
}

/** A step of 1, 2 or 5 times a power of ten, so that `max` needs at most `most` steps. */
export function niceStep(max: number, most: number): number {
  if (!(max > 0)) return 1;
  const rough = max / Math.max(1, most);
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const factor of [1, 2, 5, 10]) {
    if (power * factor >= rough) return power * factor;
  }
  return power * 10;
}

function trim(value: number): string {
  // Ticks are multiples of a nice step: at most a few decimals, none of them trailing zeros.
  return String(Number(value.toPrecision(6)));
}

function axis(max: number, scale: number, unit: string, most: number): Axis {
  const scaled = max / scale;
  const step = niceStep(scaled, most);
  const steps = Math.max(1, Math.ceil(scaled / step - 1e-9));
  const ticks: number[] = [];
  const labels: string[] = [];
  for (let i = 0; i <= steps; i++) {
    ticks.push(i * step * scale);
    labels.push(trim(i * step));
  }
  return { top: steps * step * scale, ticks, labels, unit };
}

/** The time axis for `maxMs` milliseconds: ms below two seconds, else seconds. */
export function timeAxis(maxMs: number, most = 5): Axis {
  const max = Math.max(maxMs, 1);
  return max < 2000 ? axis(max, 1, 'ms', most) : axis(max, 1000, 's', most);
}

/** The byte axis for `maxBytes`: bytes, KiB or MiB. */
export function byteAxis(maxBytes: number, most = 4): Axis {
  const max = Math.max(maxBytes, 1);
  if (max < 2 * 1024) return axis(max, 1, 'bytes', most);
  if (max < 2 * 1024 * 1024) return axis(max, 1024, 'KiB', most);
  return axis(max, 1024 * 1024, 'MiB', most);
}

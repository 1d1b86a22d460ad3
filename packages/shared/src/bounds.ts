/** Limits on a number, as input readers and document checks take them. */
export interface NumberBounds {
  min?: number;
  max?: number;
}

/** " from 1 to 10", " of at least 1", " of at most 10", or "" — appended to "a number". */
export function describeBounds({ min, max }: NumberBounds): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

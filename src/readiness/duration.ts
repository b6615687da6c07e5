const UNIT_MINUTES: Record<string, number> = { m: 1, min: 1, h: 60, d: 1440, w: 10080 };

/** "15m", "4h", "7d", "2w" → minutes; null when the text is not such a duration. */
export function durationMinutes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w)\s*$/i.exec(text);
  if (!m) return null;
  return Number(m[1]) * UNIT_MINUTES[m[2]!.toLowerCase()]!;
}

export const DURATION_PATTERN = /^\s*\d+(?:\.\d+)?\s*(m|min|h|d|w)\s*$/i;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--since` as the ISO-8601 UTC string event_time is compared with: a duration back from
 * `now` (`90s`, `10m`, `1h30m`, `7d`, `2w`) or a date/time (`2026-05-01`,
 * `2026-05-01T12:00:00Z`). Returns null when it is neither, so the caller can say so.
 */
export function parseSince(value: string, now: Date): string | null {
  const text = value.trim();
  if (/^(\d+[smhdw])+$/i.test(text)) {
    let ms = 0;
    for (const [, amount, unit] of text.toLowerCase().matchAll(/(\d+)([smhdw])/g)) ms += Number(amount) * UNIT_MS[unit!]!;
    return new Date(now.getTime() - ms).toISOString();
  }
  // Only strings that look like a date: Date.parse also accepts "1" or "May", which
  // would quietly export the wrong span.
  const date = /^(\d{4}-\d{2}-\d{2})(?:[T ]([\d:.]+)(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(text);
  if (!date || !onTheCalendar(date[1]!, date[2])) return null;
  // The trail is in UTC, so a time without a zone is UTC too (JavaScript would take it as local).
  const ms = Date.parse(date[2] ? `${date[1]}T${date[2]}${date[3] ?? 'Z'}` : date[1]!);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * Date.parse rolls a day the month does not have into the next month (2026-02-30 is read as
 * 2026-03-02) and an hour of 24 into the next day: an export would quietly start elsewhere
 * than asked. The fields must read back as written. (Minutes and seconds past 59 Date.parse refuses.)
 */
function onTheCalendar(day: string, time: string | undefined): boolean {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const read = new Date(0);
  read.setUTCFullYear(year, month - 1, date);
  if (read.getUTCFullYear() !== year || read.getUTCMonth() !== month - 1 || read.getUTCDate() !== date) return false;
  return time === undefined || Number(time.split(':')[0]) < 24;
}

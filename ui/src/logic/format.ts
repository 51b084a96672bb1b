// Pure formatting of sizes, dates, digests and durations for display.

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Bytes as a short human size (1024-based): 15 B, 1.5 KB, 12 MB. */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${bytes} B`;
  const digits = value < 10 ? 1 : 0;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Minutes east of UTC as "UTC+08:00" / "UTC". */
export function formatOffset(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'UTC';
  const sign = offsetMinutes > 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * An RFC 3339 instant as "YYYY-MM-DD HH:mm:ss" in the zone `offsetMinutes` east of UTC, with
 * the zone named when `withZone`. Returns the input unchanged when it is not a date.
 */
export function formatDateTime(iso: string, offsetMinutes = 0, withZone = true): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const d = new Date(ms + offsetMinutes * 60_000);
  const text = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return withZone ? `${text} ${formatOffset(offsetMinutes)}` : text;
}

/** The calendar date "YYYY-MM-DD" of an instant in the zone `offsetMinutes` east of UTC. */
export function formatDate(iso: string, offsetMinutes = 0): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return formatDateTime(iso, offsetMinutes, false).slice(0, 10);
}

/** The local zone's offset east of UTC, in minutes. */
export function localOffset(at: Date = new Date()): number {
  return -at.getTimezoneOffset();
}

/** A digest shortened to its head and tail: "ef30c41e3b10…54cb97". */
export function shortDigest(hex: string, head = 12, tail = 6): string {
  if (hex.length <= head + tail + 1) return hex;
  return `${hex.slice(0, head)}…${hex.slice(hex.length - tail)}`;
}

/** A digest in groups (8 characters by default) so it wraps and can be read aloud. */
export function groupDigest(hex: string, size = 8): string {
  const groups: string[] = [];
  for (let i = 0; i < hex.length; i += size) groups.push(hex.slice(i, i + size));
  return groups.join(' ');
}

/** The last component of a path, for either separator. */
export function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const idx = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return idx >= 0 ? trimmed.slice(idx + 1) : trimmed;
}

/** Seconds as "42 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(seconds: number, units: DurationUnits = { h: ' h', min: ' min', s: ' s' }): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}${units.s}`;
  if (s < 3600) return `${Math.floor(s / 60)}${units.min} ${pad(s % 60)}${units.s}`;
  return `${Math.floor(s / 3600)}${units.h} ${pad(Math.floor((s % 3600) / 60))}${units.min}`;
}

/** The words a duration is written with, each with its leading space where the language has one. */
export interface DurationUnits {
  h: string;
  min: string;
  s: string;
}

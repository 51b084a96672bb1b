// Pure progress arithmetic: percentage done and time left for a running job.

export interface ProgressFigures {
  files_total: number;
  files_done: number;
  bytes_total: number;
  bytes_done: number;
}

/** Percent done (0–100, whole numbers), by bytes when known, else by files. */
export function progressPercent(p: ProgressFigures): number {
  const [done, total] = p.bytes_total > 0 ? [p.bytes_done, p.bytes_total] : [p.files_done, p.files_total];
  if (total <= 0) return 0;
  const pct = Math.floor((Math.min(Math.max(done, 0), total) / total) * 100);
  return Math.min(100, Math.max(0, pct));
}

/**
 * Seconds left at the rate seen since `startedMs`, or null while too little is known
 * (under half a second elapsed, nothing done yet, or already finished).
 */
export function etaSeconds(p: ProgressFigures, startedMs: number, nowMs: number): number | null {
  const elapsed = (nowMs - startedMs) / 1000;
  const [done, total] = p.bytes_total > 0 ? [p.bytes_done, p.bytes_total] : [p.files_done, p.files_total];
  if (elapsed < 0.5 || done <= 0 || total <= 0 || done >= total) return null;
  const rate = done / elapsed;
  return (total - done) / rate;
}

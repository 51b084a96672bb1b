// Record search as the vault does it (the `records` command's `query.search`): the name contains
// the text in any case, or the record's id or SHA-256 starts with it. Used by the IPC mock.

export interface SearchableRecord {
  id: string;
  name: string;
  digests: { [algorithm: string]: string };
}

/** The text as the vault searches for it: trimmed, lower case. */
export function searchTerm(text: string | null | undefined): string {
  return (text ?? '').trim().toLowerCase();
}

/** Whether a lower-case name contains the term as SQL's LIKE '%term%' reads it (`_` is any one
 *  character, `%` any run of them). */
function nameContains(name: string, term: string): boolean {
  const pattern = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/_/g, '.').replace(/%/g, '.*');
  return new RegExp(pattern, 's').test(name);
}

/** Whether one record matches the search text (an empty text matches every record). */
export function matchesSearch(r: SearchableRecord, text: string | null | undefined): boolean {
  const term = searchTerm(text);
  if (term === '') return true;
  return nameContains(r.name.toLowerCase(), term) || r.id.toLowerCase().startsWith(term) || (r.digests['sha256'] ?? '').toLowerCase().startsWith(term);
}

/** Newest first, as the vault lists records: by sealing time, then by id, both descending. */
export function newestFirst(a: { created_at: string; id: string }, b: { created_at: string; id: string }): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

// Paged record lists: the "first–last of total" label, and a pager that asks the vault for one page
// at a time, debounces the search, and never lets an older answer overwrite a newer page.

/** Records per page in the app's lists. */
export const PAGE_SIZE = 100;
/** The most records one `records` answer holds (the vault's MAX_PAGE). */
export const MAX_PAGE = 1000;
/** How long the search box waits after the last keystroke before it asks. */
export const SEARCH_DEBOUNCE_MS = 250;

/** What a page request asks for (the `records` command's `query`). */
export interface PageQuery {
  search: string;
  offset: number;
  limit: number;
}

/** The part of a `records` answer a pager needs. */
export interface PageAnswer<T> {
  records: T[];
  total: number;
  offset: number;
}

/** The page shown: the answer to the newest request that came back. */
export interface ShownPage<T> {
  search: string;
  offset: number;
  rows: T[];
  total: number;
}

/** A count with thousands separators in the UI language: 1000000 → "1,000,000". */
export function formatCount(n: number, lang: string): string {
  return new Intl.NumberFormat(lang === 'zh-CN' ? 'zh-CN' : 'en-US', { maximumFractionDigits: 0 }).format(n);
}

/** The placeholders of the page label ("1–100 of 1,000,000"), formatted; null when nothing is shown. */
export function pageLabelParams(offset: number, shown: number, total: number, lang: string): { first: string; last: string; total: string } | null {
  if (shown <= 0 || total <= 0) return null;
  return { first: formatCount(offset + 1, lang), last: formatCount(offset + shown, lang), total: formatCount(total, lang) };
}

/** Where the last page of `total` records starts. */
export function lastPageOffset(total: number, limit: number): number {
  return total <= 0 ? 0 : Math.floor((total - 1) / limit) * limit;
}

/** The search text as the vault reads it: without the spaces around it. */
export function normalizeSearch(text: string): string {
  return text.trim();
}

export interface PagerOptions<T, A extends PageAnswer<T>> {
  /** Asks for one page (`api.records`). */
  fetch(query: PageQuery): Promise<A>;
  /** After every change: a request sent, a page shown, a request failed. */
  onChange(): void;
  /** The newest request failed (the page shown stays). */
  onError(e: unknown): void;
  /** A page is about to be shown (older answers never reach here). */
  onAnswer?(answer: A): void;
  limit?: number;
  debounceMs?: number;
}

/**
 * One paged, searchable list. Every request gets a number; an answer is shown only when it is the
 * answer to the newest request, so a slow older answer never overwrites a newer page.
 */
export class Pager<T, A extends PageAnswer<T> = PageAnswer<T>> {
  /** The search asked for (normalized). */
  search = '';
  /** The offset asked for. */
  offset = 0;
  readonly limit: number;
  /** The page shown, null until the first answer. */
  page: ShownPage<T> | null = null;
  /** A request is under way. */
  loading = false;

  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly debounceMs: number;

  constructor(private readonly opts: PagerOptions<T, A>) {
    this.limit = Math.min(Math.max(1, Math.floor(opts.limit ?? PAGE_SIZE)), MAX_PAGE);
    this.debounceMs = opts.debounceMs ?? SEARCH_DEBOUNCE_MS;
  }

  /** The search box changed: page 1 of the new text is asked for once typing pauses. */
  typed(text: string): void {
    this.cancelTyping();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.setSearch(text);
    }, this.debounceMs);
  }

  /** Asks for page 1 of `text` now; nothing when it is the search shown already. */
  setSearch(text: string): Promise<void> {
    this.cancelTyping();
    const search = normalizeSearch(text);
    if (search === this.search && (this.page !== null || this.loading)) return Promise.resolve();
    this.search = search;
    this.offset = 0;
    return this.load();
  }

  /** A search is waiting for typing to pause. */
  get typing(): boolean {
    return this.timer !== null;
  }

  hasPrev(): boolean {
    return this.offset > 0;
  }

  hasNext(): boolean {
    return this.page !== null && this.offset + this.limit < this.page.total;
  }

  next(): Promise<void> {
    if (!this.hasNext()) return Promise.resolve();
    this.offset += this.limit;
    return this.load();
  }

  prev(): Promise<void> {
    if (!this.hasPrev()) return Promise.resolve();
    this.offset = Math.max(0, this.offset - this.limit);
    return this.load();
  }

  /** Asks for page 1 again (a filter other than the search changed). */
  restart(): Promise<void> {
    this.cancelTyping();
    this.offset = 0;
    return this.load();
  }

  /** Asks for the current page again (the vault changed, the screen is shown again). */
  refresh(): Promise<void> {
    return this.load();
  }

  /** Forgets what is shown (for a screen that starts over). */
  reset(): void {
    this.cancelTyping();
    this.seq += 1;
    this.search = '';
    this.offset = 0;
    this.page = null;
    this.loading = false;
  }

  private cancelTyping(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async load(): Promise<void> {
    const seq = ++this.seq;
    const query: PageQuery = { search: this.search, offset: this.offset, limit: this.limit };
    this.loading = true;
    this.opts.onChange();
    let answer: A;
    try {
      answer = await this.opts.fetch(query);
    } catch (e) {
      if (seq !== this.seq) return;
      this.loading = false;
      // What is asked for goes back to what is shown, so the controls match the page.
      if (this.page) {
        this.search = this.page.search;
        this.offset = this.page.offset;
      }
      this.opts.onChange();
      this.opts.onError(e);
      return;
    }
    if (seq !== this.seq) return; // an older request: a newer one is under way or answered
    const total = Math.max(0, answer.total);
    if (answer.records.length === 0 && query.offset > 0 && query.offset >= total && total > 0) {
      // Past the end (records went away or another vault is open): the last page instead.
      this.offset = lastPageOffset(total, this.limit);
      return this.load();
    }
    this.loading = false;
    const offset = total === 0 ? 0 : typeof answer.offset === 'number' ? answer.offset : query.offset;
    this.offset = offset;
    this.page = { search: query.search, offset, rows: answer.records, total };
    this.opts.onAnswer?.(answer);
    this.opts.onChange();
  }
}

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatCount, lastPageOffset, normalizeSearch, pageLabelParams, Pager, PAGE_SIZE, SEARCH_DEBOUNCE_MS, type PageAnswer, type PageQuery } from '../../src/logic/paging';
import { translate } from '../../src/i18n';

describe('page label', () => {
  it('formats counts with thousands separators in both languages', () => {
    expect(formatCount(1_000_000, 'en')).toBe('1,000,000');
    expect(formatCount(1_000_000, 'zh-CN')).toBe('1,000,000');
    expect(formatCount(999, 'en')).toBe('999');
    expect(formatCount(0, 'en')).toBe('0');
  });
  it('numbers the first and last record shown, from 1', () => {
    expect(pageLabelParams(0, 100, 1_000_000, 'en')).toEqual({ first: '1', last: '100', total: '1,000,000' });
    expect(pageLabelParams(100, 100, 1_000_000, 'en')).toEqual({ first: '101', last: '200', total: '1,000,000' });
    expect(pageLabelParams(999_900, 100, 1_000_000, 'en')).toEqual({ first: '999,901', last: '1,000,000', total: '1,000,000' });
    expect(pageLabelParams(0, 4, 4, 'zh-CN')).toEqual({ first: '1', last: '4', total: '4' });
  });
  it('is empty when nothing is shown', () => {
    expect(pageLabelParams(0, 0, 0, 'en')).toBeNull();
    expect(pageLabelParams(200, 0, 150, 'en')).toBeNull();
  });
  it('reads "1–100 of 1,000,000" in English and Chinese', () => {
    const params = pageLabelParams(0, 100, 1_000_000, 'en')!;
    expect(translate('en', 'pager.range', params)).toBe('1–100 of 1,000,000');
    expect(translate('zh-CN', 'pager.range', pageLabelParams(100, 100, 1_000_000, 'zh-CN')!)).toBe('第 101–200 条，共 1,000,000 条');
  });
  it('finds where the last page starts', () => {
    expect(lastPageOffset(0, 100)).toBe(0);
    expect(lastPageOffset(100, 100)).toBe(0);
    expect(lastPageOffset(101, 100)).toBe(100);
    expect(lastPageOffset(1_000_000, 100)).toBe(999_900);
  });
  it('sends the search without the spaces around it', () => {
    expect(normalizeSearch('  invoice 2026 ')).toBe('invoice 2026');
  });
});

/** A fake `records` command whose answers the test gives back by hand, in any order. */
function fakeVault(total = 1_000_000) {
  const pending: { query: PageQuery; resolve: (a: PageAnswer<number>) => void; reject: (e: unknown) => void }[] = [];
  const answer = (q: PageQuery, n = total): PageAnswer<number> => {
    const rows: number[] = [];
    for (let k = q.offset; k < Math.min(q.offset + q.limit, n); k++) rows.push(k);
    return { records: rows, total: n, offset: q.offset };
  };
  const fetch = vi.fn(
    (query: PageQuery) =>
      new Promise<PageAnswer<number>>((resolve, reject) => {
        pending.push({ query, resolve, reject });
      }),
  );
  return {
    fetch,
    pending,
    /** Answers request i (in the order they were sent) as the vault would. */
    async answer(i: number, n = total) {
      const p = pending[i]!;
      p.resolve(answer(p.query, n));
      await flush();
    },
    async fail(i: number, e: unknown) {
      pending[i]!.reject(e);
      await flush();
    },
  };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function makePager(vault: ReturnType<typeof fakeVault>) {
  const onChange = vi.fn();
  const onError = vi.fn();
  const onAnswer = vi.fn();
  const pager = new Pager<number>({ fetch: vault.fetch, onChange, onError, onAnswer });
  return { pager, onChange, onError, onAnswer };
}

describe('Pager', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks for one page of 100, never the whole list', async () => {
    const vault = fakeVault();
    const { pager } = makePager(vault);
    void pager.refresh();
    expect(vault.fetch).toHaveBeenCalledWith({ search: '', offset: 0, limit: PAGE_SIZE });
    expect(pager.loading).toBe(true);
    await vault.answer(0);
    expect(pager.loading).toBe(false);
    expect(pager.page).toMatchObject({ offset: 0, total: 1_000_000, search: '' });
    expect(pager.page!.rows).toHaveLength(100);
    expect(pager.hasPrev()).toBe(false);
    expect(pager.hasNext()).toBe(true);
  });

  it('pages forward and back', async () => {
    const vault = fakeVault(250);
    const { pager } = makePager(vault);
    void pager.refresh();
    await vault.answer(0);
    void pager.next();
    expect(vault.fetch).toHaveBeenLastCalledWith({ search: '', offset: 100, limit: 100 });
    await vault.answer(1);
    expect(pager.page!.rows[0]).toBe(100);
    void pager.next();
    await vault.answer(2);
    expect(pager.page).toMatchObject({ offset: 200, total: 250 });
    expect(pager.page!.rows).toHaveLength(50);
    expect(pager.hasNext()).toBe(false);
    await pager.next();
    expect(vault.fetch).toHaveBeenCalledTimes(3);
    void pager.prev();
    expect(vault.fetch).toHaveBeenLastCalledWith({ search: '', offset: 100, limit: 100 });
  });

  it('debounces the search box and starts a new search on page 1', async () => {
    const vault = fakeVault();
    const { pager } = makePager(vault);
    void pager.refresh();
    await vault.answer(0);
    void pager.next();
    await vault.answer(1);
    expect(pager.offset).toBe(100);
    for (const text of ['i', 'in', 'inv', 'invoice ']) {
      pager.typed(text);
      vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS - 1);
    }
    expect(vault.fetch).toHaveBeenCalledTimes(2);
    expect(pager.typing).toBe(true);
    vi.advanceTimersByTime(1);
    expect(pager.typing).toBe(false);
    expect(vault.fetch).toHaveBeenCalledTimes(3);
    expect(vault.fetch).toHaveBeenLastCalledWith({ search: 'invoice', offset: 0, limit: 100 });
  });

  it('does not ask again when the text is the search already shown', async () => {
    const vault = fakeVault();
    const { pager } = makePager(vault);
    await Promise.all([pager.setSearch('photo'), vault.answer(0)]);
    pager.typed(' photo ');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    expect(vault.fetch).toHaveBeenCalledTimes(1);
  });

  it('never lets an older answer overwrite a newer page', async () => {
    const vault = fakeVault();
    const { pager, onAnswer } = makePager(vault);
    void pager.setSearch('invoice'); // 0: slow
    void pager.setSearch('photo'); // 1: fast
    await vault.answer(1, 142_857);
    expect(pager.page).toMatchObject({ search: 'photo', total: 142_857 });
    await vault.answer(0, 142_858);
    expect(pager.page).toMatchObject({ search: 'photo', total: 142_857 });
    expect(pager.search).toBe('photo');
    expect(onAnswer).toHaveBeenCalledTimes(1);
  });

  it('shows nothing of an older answer that comes back before the newer one', async () => {
    const vault = fakeVault();
    const { pager } = makePager(vault);
    void pager.refresh();
    await vault.answer(0);
    void pager.next(); // 1
    void pager.next(); // 2
    await vault.answer(1);
    expect(pager.page!.offset).toBe(0);
    expect(pager.loading).toBe(true);
    await vault.answer(2);
    expect(pager.page!.offset).toBe(200);
    expect(pager.loading).toBe(false);
  });

  it('ignores a failure of an older request, reports the newest', async () => {
    const vault = fakeVault();
    const { pager, onError } = makePager(vault);
    void pager.refresh();
    await vault.answer(0);
    void pager.setSearch('a'); // 1
    void pager.setSearch('ab'); // 2
    await vault.fail(1, { code: 'VAULT_LOCKED' });
    expect(onError).not.toHaveBeenCalled();
    await vault.fail(2, { code: 'VAULT_LOCKED' });
    expect(onError).toHaveBeenCalledWith({ code: 'VAULT_LOCKED' });
    // The page shown stays, and what is asked for goes back to it.
    expect(pager.page).toMatchObject({ search: '', offset: 0 });
    expect(pager.search).toBe('');
    expect(pager.loading).toBe(false);
  });

  it('refreshes the current page in place', async () => {
    const vault = fakeVault();
    const { pager } = makePager(vault);
    void pager.refresh();
    await vault.answer(0);
    void pager.next();
    await vault.answer(1);
    void pager.refresh();
    expect(vault.fetch).toHaveBeenLastCalledWith({ search: '', offset: 100, limit: 100 });
    expect(pager.page!.offset).toBe(100);
    await vault.answer(2, 1_000_001);
    expect(pager.page).toMatchObject({ offset: 100, total: 1_000_001 });
  });

  it('goes to the last page when the page asked for is past the end', async () => {
    const vault = fakeVault();
    const { pager } = makePager(vault);
    void pager.refresh();
    await vault.answer(0);
    for (let i = 1; i <= 3; i++) {
      void pager.next();
      await vault.answer(i);
    }
    expect(pager.offset).toBe(300);
    void pager.refresh();
    await vault.answer(4, 150); // the vault shrank to 150 records
    expect(vault.fetch).toHaveBeenLastCalledWith({ search: '', offset: 100, limit: 100 });
    await vault.answer(5, 150);
    expect(pager.page).toMatchObject({ offset: 100, total: 150 });
    expect(pager.page!.rows).toHaveLength(50);
  });

  it('shows an empty first page when nothing matches', async () => {
    const vault = fakeVault();
    const { pager } = makePager(vault);
    void pager.setSearch('nothing');
    await vault.answer(0, 0);
    expect(pager.page).toMatchObject({ search: 'nothing', offset: 0, total: 0, rows: [] });
    expect(pager.hasNext()).toBe(false);
    expect(pager.hasPrev()).toBe(false);
  });

  it('keeps a page size between 1 and 1000', () => {
    const vault = fakeVault();
    expect(new Pager<number>({ fetch: vault.fetch, onChange() {}, onError() {}, limit: 5000 }).limit).toBe(1000);
    expect(new Pager<number>({ fetch: vault.fetch, onChange() {}, onError() {}, limit: 0 }).limit).toBe(1);
  });
});

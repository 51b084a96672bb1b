// State shared between screens: app info, identities, the vault's location, export selection, last report.

import type { AppInfo, CaseSummary, Identity, RecordList, RecordRow, VerifyReport } from './api';

export type ScreenName = 'seal' | 'vault' | 'verify' | 'export' | 'identities' | 'settings';

export const SCREENS: ScreenName[] = ['seal', 'vault', 'verify', 'export', 'identities', 'settings'];

export const state = {
  info: null as AppInfo | null,
  identities: [] as Identity[],
  identityStore: '',
  /** The vault the last page of records came from. */
  vaultPath: '',
  /** The records chosen for export, by id, with their row as last seen (any page, any search). */
  selection: new Map<string, RecordRow>(),
  /** A case chosen on the Vault screen for the Export screen to export whole. */
  exportCase: null as string | null,
  /** The vault's cases, as last read. */
  cases: [] as CaseSummary[],
  lastReport: null as VerifyReport | null,
  lastReportSource: '' as string,
};

/**
 * What a page of records tells the shared state: where the vault is (records chosen in another
 * vault are dropped when it changes), and the chosen records on the page as they are now.
 */
export function notePage(list: RecordList): void {
  if (state.vaultPath && list.vault && list.vault !== state.vaultPath) state.selection.clear();
  if (list.vault) state.vaultPath = list.vault;
  for (const r of list.records) if (state.selection.has(r.id)) state.selection.set(r.id, r);
}

/** What every screen may ask of the shell. */
export interface Ctx {
  navigate(name: ScreenName): void;
  showError(e: unknown): void;
  clearError(): void;
  loadIdentities(): Promise<void>;
  applyInfo(info: AppInfo): void;
  /** Opens the Seal screen to countersign a received PDF (signed into a new revision there). */
  countersign(path: string): void;
}

/** One screen: its root element, a full redraw (also on language change) and optional hooks. */
export interface Screen {
  el: HTMLElement;
  render(): void;
  shown?(): void;
  filesDropped?(paths: string[]): void;
  /** The vault changed ("records-changed"): the records shown are read again. */
  recordsChanged?(): void;
  /** A received, signed PDF to countersign (the Seal screen). */
  countersign?(path: string): void;
}

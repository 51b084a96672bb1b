// State shared between screens: app info, identities, records, export selection, last report.

import type { AppInfo, Identity, RecordRow, VerifyReport } from './api';

export type ScreenName = 'seal' | 'vault' | 'verify' | 'export' | 'identities' | 'settings';

export const SCREENS: ScreenName[] = ['seal', 'vault', 'verify', 'export', 'identities', 'settings'];

export const state = {
  info: null as AppInfo | null,
  identities: [] as Identity[],
  identityStore: '',
  records: [] as RecordRow[],
  recordsLoaded: false,
  vaultPath: '',
  selection: new Set<string>(),
  lastReport: null as VerifyReport | null,
  lastReportSource: '' as string,
};

/** What every screen may ask of the shell. */
export interface Ctx {
  navigate(name: ScreenName): void;
  showError(e: unknown): void;
  clearError(): void;
  loadRecords(): Promise<void>;
  loadIdentities(): Promise<void>;
  applyInfo(info: AppInfo): void;
}

/** One screen: its root element, a full redraw (also on language change) and optional hooks. */
export interface Screen {
  el: HTMLElement;
  render(): void;
  shown?(): void;
  filesDropped?(paths: string[]): void;
}

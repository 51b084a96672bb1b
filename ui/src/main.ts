// Entry point: installs the IPC mock in mock builds, then starts the app.

import './styles.css';
import { startApp } from './app';

async function boot(): Promise<void> {
  if (import.meta.env.MODE === 'mock') {
    const { installMock } = await import('./mock/index');
    installMock();
  }
  const root = document.getElementById('app');
  if (root) await startApp(root);
}

void boot();

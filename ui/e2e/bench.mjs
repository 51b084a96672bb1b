// Times sealing one file in the real app through WebDriver: from the click on "Seal" to the sealed
// record's row, measured by the page's own clock. Usage: node ui/e2e/bench.mjs APP FILE
// (run under X; the caller sets EVIDENTIA_* as the app should see them). Prints one JSON line.
import { spawn } from "node:child_process";
import { basename } from "node:path";
import net from "node:net";
import { remote } from "webdriverio";

const [app, file] = process.argv.slice(2);
if (!app || !file) {
  console.error("usage: node ui/e2e/bench.mjs APP FILE");
  process.exit(2);
}

function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.on("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}
const portOpen = (port) =>
  new Promise((res) => {
    const s = net.connect(port, "127.0.0.1", () => (s.end(), res(true)));
    s.on("error", () => res(false));
  });

const driverPort = await freePort();
const nativePort = await freePort();
const driver = spawn("tauri-driver", ["--port", String(driverPort), "--native-port", String(nativePort)], {
  stdio: ["ignore", "ignore", "inherit"],
});
let browser;
let code = 1;
try {
  for (let until = Date.now() + 30000; !(await portOpen(driverPort)); ) {
    if (Date.now() > until) throw new Error("tauri-driver does not listen");
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await remote({
    hostname: "127.0.0.1",
    port: driverPort,
    path: "/",
    logLevel: "error",
    connectionRetryTimeout: 120000,
    capabilities: { "wdio:enforceWebDriverClassic": true, "tauri:options": { application: app, args: [file] } },
  });
  const text = (id) =>
    browser.execute((tid) => document.querySelector(`[data-testid="${tid}"]`)?.textContent ?? "", id);
  await (await browser.$('[data-testid="seal-queue"]')).waitForDisplayed({ timeout: 60000 });
  await browser.waitUntil(async () => (await text("seal-queue")).includes(basename(file)), {
    timeout: 10000,
    timeoutMsg: "the seal queue does not show the file",
  });
  // The page notes the time of the click and of the first record row itself, so WebDriver adds
  // nothing to the figure.
  await browser.setTimeout({ script: 900000 });
  await browser.execute(() => {
    const w = window;
    w.__benchClick = w.__benchRow = null;
    w.__benchRowShown = new Promise((seen) => (w.__benchRowSeen = seen));
    document.addEventListener("click", (e) => {
      if (w.__benchClick === null && e.target.closest?.('[data-testid="seal-start"]')) w.__benchClick = performance.now();
    }, true);
    new MutationObserver((_, obs) => {
      if (document.querySelector('[data-testid="record-row"]')) {
        w.__benchRow = performance.now();
        obs.disconnect();
        w.__benchRowSeen();
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
  const wall0 = Date.now();
  await (await browser.$('[data-testid="seal-start"]')).click();
  // One asynchronous script waits for the row: polling would take CPU from the seal it measures.
  const times = await browser.executeAsync((done) => {
    window.__benchRowShown.then(() => done([window.__benchClick, window.__benchRow]));
  });
  const wall = Date.now() - wall0;
  const badge = await browser.execute(() => !!document.querySelector('[data-testid="record-row"] [data-testid="badge-timestamped"]'));
  console.log(JSON.stringify({ seal_ms: Math.round(times[1] - times[0]), wall_ms: wall, timestamped: badge }));
  code = 0;
} catch (e) {
  console.error(`bench: ${e.message}`);
} finally {
  if (browser) await browser.deleteSession().catch(() => {});
  driver.kill("SIGTERM");
}
process.exit(code);

// End-to-end tests of the real app: tauri-driver and WebKitWebDriver drive the real window (run
// under Xvfb), against a real local TSA and a real local chain (anvil): seal, find, export, verify.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { remote } from "webdriverio";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const app = resolve(process.env.EVIDENTIA_APP_BIN ?? join(root, "target/debug/evidentia-app"));
const cli = resolve(process.env.EVIDENTIA_CLI_BIN ?? join(root, "target/debug/evidentia"));
const shots = resolve(process.env.SCREENSHOT_DIR ?? join(root, "target/screenshots/app"));
mkdirSync(shots, { recursive: true });
if (!existsSync(app)) {
  console.error(`e2e: no app binary at ${app}; build it with cargo build -p evidentia-app`);
  process.exit(2);
}

const children = [];
function start(cmd, args, env = process.env) {
  const child = spawn(cmd, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err = (err + d).slice(-4000)));
  child.lastError = () => err;
  children.push(child);
  return child;
}
function stopAll() {
  for (const c of children.reverse()) c.kill("SIGTERM");
}
process.on("exit", stopAll);

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
async function waitFor(what, check, ms = 30000) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const portOpen = (port) =>
  new Promise((res) => {
    const s = net.connect(port, "127.0.0.1", () => (s.end(), res(true)));
    s.on("error", () => res(false));
  });

// The services the sandbox profile uses, started for real.
const work = mkdtempSync(join(tmpdir(), "evidentia-e2e-"));
const tsaPortFile = join(work, "tsa.port");
start("python3", [join(root, "scripts/tsa/tsa_server.py"), "--dir", join(work, "pki"), "--port", "0", "--port-file", tsaPortFile]);
const chainPort = await freePort();
const anvil = start(join(root, "scripts/chain/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"), [
  "--host", "127.0.0.1", "--port", String(chainPort), "--silent",
]);
await waitFor("the TSA", () => existsSync(tsaPortFile) && readFileSync(tsaPortFile, "utf8").trim().length > 0);
await waitFor("anvil", () => portOpen(chainPort));
const keyFile = join(work, "chain.key");
writeFileSync(keyFile, "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\n", { mode: 0o600 });

// The file a user seals: a contract, given on the command line as "Open with" does.
const contract = join(work, "Service agreement 2026.txt");
writeFileSync(contract, `Service agreement\nbetween Alpha Ltd and Beta GmbH\n${new Date().toISOString()}\n`);

// The vault is named in the configuration file, not by EVIDENTIA_VAULT (which would override
// what Settings saves): the team vault step below changes it there, as a user does.
const configFile = join(work, "config.toml");
const folderVault = join(work, "vault");
const folderConfig = `vault = ${JSON.stringify(folderVault)}\n`;
writeFileSync(configFile, folderConfig);
// The desktop's opener, as the app finds it on PATH: this one writes down what it was asked to open.
const desktopBin = join(work, "desktop-bin");
const openedList = join(work, "opened.txt");
mkdirSync(desktopBin);
writeFileSync(join(desktopBin, "xdg-open"), `#!/bin/sh\nprintf '%s\\n' "$1" >> '${openedList}'\n`, { mode: 0o755 });
const { EVIDENTIA_VAULT: _ignored, ...inherited } = process.env;
const env = {
  ...inherited,
  PATH: `${desktopBin}:${process.env.PATH}`,
  LANG: "en_US.UTF-8",
  EVIDENTIA_CONFIG: configFile,
  EVIDENTIA_IDENTITIES: join(work, "identities"),
  EVIDENTIA_EXPORTS: join(work, "exports"),
  // A TSA whose certificate is valid two years: the records' proofs are due for renewal.
  EVIDENTIA_TSA: `http://127.0.0.1:${readFileSync(tsaPortFile, "utf8").trim()}/two-years`,
  EVIDENTIA_TSA_TRUST: join(work, "pki/root-ca.pem"),
  EVIDENTIA_EVM_RPC: `http://127.0.0.1:${chainPort}`,
  EVIDENTIA_EVM_KEY_FILE: keyFile,
  EVIDENTIA_ANCHOR_AFTER: "1",
  // WebKitWebDriver's screenshots (one per step below) need the page composited, which the app
  // otherwise leaves off (BENCHMARKS.md, "Speed and weight of the app").
  EVIDENTIA_APP_COMPOSITING: "1",
};
const driverPort = await freePort();
const nativePort = await freePort();
const driver = start("tauri-driver", ["--port", String(driverPort), "--native-port", String(nativePort)], env);
await waitFor("tauri-driver", () => portOpen(driverPort));

const results = [];
let browser;
async function step(name, body) {
  const t0 = Date.now();
  try {
    await body();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${e.message}`);
    if (browser) await browser.saveScreenshot(join(shots, `failed-${name.replace(/\W+/g, "-")}.png`)).catch(() => {});
  }
}
const $id = (id) => browser.$(`[data-testid="${id}"]`);
const $$id = (id) => browser.$$(`[data-testid="${id}"]`);
// The text an element holds (WebKitWebDriver's "visible text" is empty for some layouts).
const textOf = (id) =>
  browser.execute((tid) => document.querySelector(`[data-testid="${tid}"]`)?.textContent ?? "", id);
async function shown(id, ms = 20000) {
  const el = await $id(id);
  await el.waitForDisplayed({ timeout: ms });
  return el;
}
/**
 * Waits until the vault list shows the answer to `search` (the search box asks the vault once
 * typing pauses, one page at a time) with `rows` rows, and, if given, the page label `label`.
 */
async function vaultShows(search, rows, what, label) {
  await browser
    .waitUntil(
      async () =>
        (await browser.execute((s) => {
          const p = document.querySelector('[data-testid="vault-pager"]');
          return p?.getAttribute("data-search") === s && p.getAttribute("aria-busy") === "false";
        }, search)) &&
        (await $$id("vault-row")).length === rows &&
        (label === undefined || (await textOf("vault-range")) === label),
      { timeout: 20000, timeoutMsg: what },
    )
    .catch(async (e) => {
      throw new Error(`${e.message}: ${(await $$id("vault-row")).length} rows, label ${JSON.stringify(await textOf("vault-range"))}`);
    });
}
async function shot(name) {
  await browser.pause(150);
  await browser.saveScreenshot(join(shots, `${name}.png`));
}

/**
 * Hands files to the page as a drop onto the window does. The app's drop handler grants the paths
 * and emits "files-dropped"; here the paths are granted already (given on the command line, or
 * written by the app itself), so this dispatches that event to the page's listeners the way
 * Tauri's own emit script does (an X11 drag-and-drop cannot be synthesised under Xvfb).
 */
async function dropOnPage(paths) {
  const delivered = await browser.execute((p) => {
    const listeners = (window.__internal_unstable_listeners_object_id__ ?? {})["files-dropped"];
    const emit = window.__internal_unstable_listeners_function_id__;
    if (!listeners || typeof emit !== "function") return 0;
    const ids = Object.getOwnPropertyNames(listeners).map(Number);
    emit({ event: "files-dropped", payload: { paths: p } }, ids);
    return ids.length;
  }, paths);
  if (!delivered) throw new Error("the page listens to no files-dropped event (Tauri's event internals changed?)");
}

/** A minimal valid PDF: one A4 page with one line of text, a classic xref table, offsets exact. */
function minimalPdf(line) {
  const text = line.replace(/[\\()]/g, (c) => `\\${c}`);
  const content = `BT /F1 14 Tf 72 770 Td (${text}) Tj ET\n`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    `<< /Length ${Buffer.byteLength(content, "latin1")} >>\nstream\n${content}endstream`,
  ];
  let body = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body, "latin1"));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, "latin1");
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

/** A two-page A4 PDF: page n shows `lines[n - 1]`. */
function pagesPdf(lines) {
  const n = lines.length;
  const font = 3 + 2 * n;
  const objects = ["<< /Type /Catalog /Pages 2 0 R >>", `<< /Type /Pages /Kids [${lines.map((_, i) => `${3 + 2 * i} 0 R`).join(" ")}] /Count ${n} >>`];
  lines.forEach((line, i) => {
    const content = `BT /F1 18 Tf 72 770 Td (${line}) Tj ET\n`;
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${4 + 2 * i} 0 R >>`);
    objects.push(`<< /Length ${Buffer.byteLength(content, "latin1")} >>\nstream\n${content}endstream`);
  });
  objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  let body = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body, "latin1"));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, "latin1");
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

/** A binary PPM (P6) as pdftoppm writes it: width, height and RGB bytes. */
function readPpm(file) {
  const buf = readFileSync(file);
  const header = [];
  let at = 0;
  while (header.length < 4) {
    while (/\s/.test(String.fromCharCode(buf[at]))) at += 1;
    let word = "";
    while (!/\s/.test(String.fromCharCode(buf[at]))) word += String.fromCharCode(buf[at++]);
    header.push(word);
  }
  return { width: Number(header[1]), height: Number(header[2]), rgb: buf.subarray(at + 1) };
}

/** Whether a command is on PATH. */
function onPath(cmd) {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Starts the app with `args` on its command line, as a file manager's "Open with" does. */
const launch = (args) =>
  remote({
    hostname: "127.0.0.1",
    port: driverPort,
    path: "/",
    logLevel: "error",
    connectionRetryTimeout: 60000,
    capabilities: { "wdio:enforceWebDriverClassic": true, "tauri:options": { application: app, args } },
  });

try {
  const started = Date.now();
  browser = await launch([contract]);
  let recordId = "";
  let packagePath = "";

  await step("the window opens with the file in the seal queue", async () => {
    await shown("seal-queue", 30000);
    await browser.waitUntil(async () => (await textOf("seal-queue")).includes("Service agreement 2026.txt"), {
      timeout: 10000,
      timeoutMsg: "the queue does not show the file given on the command line",
    }).catch(async (e) => {
      throw new Error(`${e.message}; it shows: ${JSON.stringify(await textOf("seal-queue"))}`);
    });
    console.log(`     window ready in ${Date.now() - started} ms`);
    await shot("seal-en");
  });

  await step("seal through the real TSA and chain", async () => {
    await (await shown("seal-start")).click();
    recordId = await (await shown("record-row", 60000)).getAttribute("data-id");
    if (!/^[0-9a-f-]{36}$/.test(recordId ?? "")) throw new Error(`record row has no record id: ${recordId}`);
    const badge = (kind) => async () => (await (await $id("record-row")).$(`[data-testid="badge-${kind}"]`)).isExisting();
    await browser.waitUntil(badge("timestamped"), {
      timeout: 30000,
      timeoutMsg: "the record shows no Timestamped badge",
    });
    await browser.waitUntil(badge("anchored"), {
      timeout: 30000,
      timeoutMsg: "the record shows no Anchored badge",
    });
    await shot("seal-done-en");
  });

  await step("find the record in the vault by name and by digest", async () => {
    await (await shown("nav-vault")).click();
    const search = await shown("vault-search");
    await vaultShows("", 1, "the vault lists the record sealed", "1–1 of 1");
    await search.setValue("agreement");
    await vaultShows("agreement", 1, "search by name", "1–1 of 1");
    const row = (await $$id("vault-row"))[0];
    if ((await row.getAttribute("data-id")) !== recordId) throw new Error("the vault shows another record");
    const digest = await (await row.$("code")).getAttribute("title");
    if (!/^[0-9a-f]{64}$/.test(digest ?? "")) throw new Error(`the row shows no SHA-256: ${digest}`);
    await (await row.$(".col-name")).click();
    const detail = await shown("record-detail");
    void detail;
    const shownDigest = (await textOf("record-detail")).replace(/\s+/g, "");
    if (!shownDigest.includes(digest)) throw new Error("the record's details do not show its SHA-256");
    await search.setValue(digest.slice(0, 12));
    await vaultShows(digest.slice(0, 12), 1, "search by digest");
    await search.setValue(recordId.slice(0, 13));
    await vaultShows(recordId.slice(0, 13), 1, "search by record id");
    await search.setValue("no such contract");
    await vaultShows("no such contract", 0, "search that matches nothing", "");
    await search.click();
    await browser.keys(["Control", "a"]);
    await browser.keys(["Backspace"]);
    await vaultShows("", 1, "cleared search", "1–1 of 1");
    await (await (await $$id("vault-row"))[0].$(".col-name")).click();
    await shown("record-detail");
    await shot("vault-en");
  });

  await step("re-verify the record from its details", async () => {
    await (await shown("record-reverify")).click();
    await shown("reverify-result", 30000);
    await browser.waitUntil(async () => /PASSED|通过/.test(await textOf("reverify-result")), {
      timeout: 30000,
      timeoutMsg: "the re-verification does not say PASSED",
    });
    await shot("vault-reverify-en");
    await (await shown("record-close")).click();
  });

  await step("open the original from the record's details: the desktop's opener is handed the sealed file", async () => {
    await (await (await $$id("vault-row"))[0].$(".col-name")).click();
    await (await shown("record-open")).click();
    await browser.waitUntil(() => existsSync(openedList) && readFileSync(openedList, "utf8").includes(contract), {
      timeout: 10000,
      timeoutMsg: `xdg-open was not asked to open ${contract}`,
    });
    const opened = readFileSync(openedList, "utf8").trim().split("\n");
    if (opened.length !== 1 || opened[0] !== contract) throw new Error(`xdg-open was handed ${JSON.stringify(opened)}`);
    await (await shown("record-close")).click();
  });

  await step("the Vault screen says when proofs weaken; Renew with a TSA that would not outlive them says so and writes nothing", async () => {
    await (await shown("vault-renewal-due", 30000)).waitForDisplayed();
    await shot("vault-renewal-due-en");
    await (await shown("vault-renew")).click();
    await shown("vault-renewal-note", 30000);
    const note = await textOf("vault-renewal-note");
    if (!note.includes("no later than the proof it would renew")) throw new Error(`after Renew the app says: ${note}`);
    const status = JSON.parse(spawnSync(cli, ["--json", "vault", "status"], { env, encoding: "utf8" }).stdout);
    if (status.status.archived !== 0 || status.status.within_2_years !== 1) {
      throw new Error(`vault status after a renewal that gains nothing: ${JSON.stringify(status.status)}`);
    }
    if (!(await (await $id("vault-renewal-due")).isExisting())) throw new Error("the renewal line no longer says the proof is due");
    await shot("vault-renewal-not-done-en");
  });

  await step("export the record into a package", async () => {
    const row = (await $$id("vault-row"))[0];
    await (await row.$('[data-testid="vault-select"]')).click();
    await (await shown("vault-export-selected")).click();
    await (await shown("export-start")).click();
    const where = await shown("export-path", 60000);
    void where;
    packagePath = (await textOf("export-path")).trim();
    if (!packagePath.endsWith(".asice") || !existsSync(packagePath)) throw new Error(`no package at ${packagePath}`);
    await shot("export-en");
  });

  await step("verify the package: TOTAL-PASSED", async () => {
    await (await shown("export-verify")).click();
    const total = await shown("verify-total", 60000);
    await browser.waitUntil(async () => (await total.getAttribute("data-result")) === "TOTAL-PASSED", {
      timeout: 30000,
      timeoutMsg: `verdict is ${await total.getAttribute("data-result")}`,
    });
    if ((await $$id("check-row")).length < 5) throw new Error("the report lists fewer than 5 checks");
    await shot("verify-en");
  });

  await step("open a case, put the record in it, filter the vault by it and export the case: the package is named after it and says so", async () => {
    const caseName = "Supplier dispute 供应商纠纷";
    await (await shown("nav-vault")).click();
    await vaultShows("", 1, "the vault lists the record sealed", "1–1 of 1");
    await (await shown("vault-case-new")).click();
    await (await shown("vault-case-name")).setValue(caseName);
    await (await shown("vault-case-create")).click();
    await browser.waitUntil(async () => (await textOf("vault-case-note")).includes(caseName), { timeout: 10000, timeoutMsg: "no note that the case was opened" });
    const row = (await $$id("vault-row"))[0];
    const box = await row.$('[data-testid="vault-select"]');
    if (!(await box.isSelected())) await box.click();
    await (await shown("vault-case-add")).selectByAttribute("value", caseName);
    await browser.waitUntil(async () => (await textOf("vault-case-note")).includes("1 record(s) added"), { timeout: 10000, timeoutMsg: `after adding: ${await textOf("vault-case-note")}` });
    await (await shown("vault-status")).selectByAttribute("value", "pending");
    await browser.waitUntil(async () => (await $$id("vault-row")).length === 0, { timeout: 10000, timeoutMsg: "a time-stamped record is listed as pending" });
    await (await shown("vault-status")).selectByAttribute("value", "timestamped");
    await browser.waitUntil(async () => (await $$id("vault-row")).length === 1, { timeout: 10000, timeoutMsg: "the time-stamped record is not listed" });
    await (await shown("vault-status")).selectByAttribute("value", "");
    await (await shown("vault-case")).selectByAttribute("value", caseName);
    await browser.waitUntil(async () => (await textOf("vault-range")).includes("1–1 of 1"), { timeout: 10000, timeoutMsg: "the case filter does not show its one record" });
    const listed = JSON.parse(spawnSync(cli, ["--json", "vault", "list", "--case", caseName], { env, encoding: "utf8" }).stdout);
    if (listed.total !== 1 || listed.records[0].id !== recordId) throw new Error(`the CLI lists the case as ${JSON.stringify(listed)}`);
    await shot("vault-case-en");
    await (await shown("vault-case-export")).click();
    if ((await (await shown("export-case")).getValue()) !== caseName) throw new Error("the Export screen did not take the case");
    await shot("export-case-en");
    await (await shown("export-start")).click();
    await browser.waitUntil(async () => (await textOf("export-path")).includes(`${caseName}.asice`), { timeout: 60000, timeoutMsg: "the package is not named after the case" });
    const casePackage = (await textOf("export-path")).trim();
    if (!existsSync(casePackage)) throw new Error(`no package at ${casePackage}`);
    const verified = JSON.parse(spawnSync(cli, ["--json", "verify", casePackage], { env, encoding: "utf8" }).stdout);
    if (verified.case !== caseName || verified.records.length !== 1) throw new Error(`evidentia verify of the case package: ${JSON.stringify(verified).slice(0, 400)}`);
    await (await shown("export-verify")).click();
    await browser.waitUntil(async () => (await textOf("verify-case")) === caseName, { timeout: 60000, timeoutMsg: "the Verify screen does not name the case" });
    await shot("verify-case-en");
  });

  await step("make a self-made identity", async () => {
    await (await shown("nav-identities")).click();
    await (await shown("identity-create-name")).setValue("Ana Li");
    await (await shown("identity-create-email")).setValue("ana@example.com");
    await (await shown("identity-create-password")).setValue("correct horse 42");
    await (await shown("identity-create-confirm")).setValue("correct horse 42");
    await (await shown("identity-create")).click();
    await browser.waitUntil(async () => (await textOf("identity-list")).includes("ana-li"), {
      timeout: 20000,
      timeoutMsg: "the new identity is not listed",
    });
    if (!existsSync(join(work, "identities"))) throw new Error("no identity store was written");
    // An SM2 identity (SM2 with SM3), made by the core as the CLI's `identity new --algorithm sm2` makes it.
    await (await shown("identity-create-name")).setValue("Li Si");
    await (await shown("identity-create-algorithm")).selectByAttribute("value", "sm2");
    await (await shown("identity-create-password")).setValue("correct horse 42");
    await (await shown("identity-create-confirm")).setValue("correct horse 42");
    await (await shown("identity-create")).click();
    await browser.waitUntil(async () => (await textOf("identity-list")).includes("li-si"), {
      timeout: 20000,
      timeoutMsg: "the SM2 identity is not listed",
    });
    const row = await browser.$('[data-testid="identity-row"][data-name="li-si"]');
    if (!(await row.getText()).includes("SM2")) throw new Error(`the SM2 identity's key is not named: ${await row.getText()}`);
    await shot("identities-en");
  });

  await step("identities and settings screens", async () => {
    await (await shown("nav-identities")).click();
    await shown("identity-create");
    await (await shown("nav-settings")).click();
    await shown("settings-save");
    await shot("settings-en");
  });

  await step("every screen in Chinese", async () => {
    await (await shown("lang-toggle")).click();
    await browser.waitUntil(async () => /[\u4e00-\u9fff]/.test(await textOf("nav-seal")), {
      timeout: 5000,
      timeoutMsg: "the navigation did not switch to Chinese",
    });
    for (const screen of ["seal", "vault", "verify", "export", "identities", "settings"]) {
      await (await shown(`nav-${screen}`)).click();
      await browser.pause(200);
      await shot(`${screen}-zh-CN`);
    }
  });

  await step("after a restart: the vault and the language chosen are kept; sealing with an identity asks its password", async () => {
    await browser.deleteSession();
    const second = join(work, "Illustration final.txt");
    writeFileSync(second, "an illustration, final version\n");
    browser = await launch([second]);
    await shown("nav-vault", 30000);
    if (!/[\u4e00-\u9fff]/.test(await textOf("nav-seal"))) throw new Error("the language chosen before the restart was not kept");
    await (await $id("nav-vault")).click();
    await vaultShows("", 1, "the first record is gone", "第 1–1 条，共 1 条");
    await (await shown("nav-seal")).click();
    await (await shown("seal-identity")).selectByAttribute("value", "ana-li");
    await (await shown("seal-password")).setValue("not the password");
    await (await shown("seal-start")).click();
    const banner = await shown("error-banner", 30000);
    await browser.waitUntil(async () => (await banner.getAttribute("data-code")) === "IDENTITY_WRONG_PASSWORD", {
      timeout: 10000,
      timeoutMsg: "a wrong password is not reported as such",
    });
    await shot("seal-wrong-password-zh-CN");
    if ((await $$id("seal-queue-item")).length !== 1) throw new Error("the file left the queue although nothing was sealed");
    await (await shown("seal-password")).setValue("correct horse 42");
    await (await shown("seal-start")).click();
    await browser.waitUntil(async () => (await (await $id("record-row")).$('[data-testid="badge-signed"]')).isExisting(), {
      timeout: 60000,
      timeoutMsg: "the record sealed with the identity shows no Signed badge",
    });
    await shot("seal-signed-zh-CN");
  });

  await step("cancel a long seal: nothing of it is kept", async () => {
    await browser.deleteSession();
    // A sparse 16 GiB file: hashing it takes long enough to cancel, and it takes no disk.
    const big = join(work, "Raw footage.mov");
    execFileSync("truncate", ["-s", "16G", big]);
    browser = await launch([big]);
    await (await shown("seal-start", 30000)).click();
    await browser.waitUntil(async () => parseInt(await textOf("seal-percent"), 10) >= 1 && /16(\.0)? GB|16(\.0)? GiB/.test(await textOf("seal-counts")), {
      timeout: 30000,
      timeoutMsg: "no progress is shown while hashing",
    }).catch(async (e) => {
      throw new Error(`${e.message}: ${JSON.stringify(await textOf("seal-progress"))}`);
    });
    await shot("seal-progress-zh-CN");
    await (await shown("seal-cancel")).click();
    const banner = await shown("error-banner", 30000);
    await browser.waitUntil(async () => (await banner.getAttribute("data-code")) === "CANCELLED", {
      timeout: 30000,
      timeoutMsg: "the cancel is not reported",
    });
    await shot("seal-cancelled-zh-CN");
    await (await shown("nav-vault")).click();
    await vaultShows("", 2, "the vault does not hold exactly the two records sealed before", "第 1–2 条，共 2 条");
    const leftovers = execFileSync("find", [join(work, "vault"), "-type", "f", "-size", "+100M"]).toString().trim();
    if (leftovers) throw new Error(`the cancelled seal left data in the vault: ${leftovers}`);
  });

  // A PDF contract, signed inside it (PAdES) with the self-made identity while it is sealed.
  const pdfName = "Supply contract 2026.pdf";
  const pdfPath = join(work, pdfName);
  const pdfBytes = minimalPdf("Supply contract 2026 between Alpha Ltd and Beta GmbH");
  let signedPdf = "";

  await step("seal a PDF signed inside it (PAdES B-T) with the identity", async () => {
    writeFileSync(pdfPath, pdfBytes);
    execFileSync("qpdf", ["--check", pdfPath], { stdio: "ignore" });
    await browser.deleteSession();
    browser = await launch([pdfPath]);
    await shown("seal-queue", 30000);
    await browser.waitUntil(async () => (await textOf("seal-queue")).includes(pdfName), {
      timeout: 10000,
      timeoutMsg: "the queue does not show the PDF given on the command line",
    });
    await browser.waitUntil(async () => (await browser.$('[data-testid="seal-identity"] option[value="ana-li"]')).isExisting(), {
      timeout: 20000,
      timeoutMsg: "the identity is not offered",
    });
    await (await shown("seal-identity")).selectByAttribute("value", "ana-li");
    await (await shown("seal-pades")).click();
    const level = await shown("seal-pades-level");
    if ((await level.getValue()) !== "B-T") throw new Error(`the level offered first is ${await level.getValue()}, not B-T`);
    await level.selectByAttribute("value", "B-T");
    await (await shown("seal-pades-reason")).setValue("Terms agreed");
    await (await shown("seal-password")).setValue("correct horse 42");
    await shot("seal-pades-form-zh-CN");
    await (await shown("seal-start")).click();
    const copy = await shown("signed-pdf-row", 60000);
    if ((await $$id("signed-pdf-row")).length !== 1) throw new Error("not exactly one signed copy is listed");
    if ((await copy.getAttribute("data-level")) !== "B-T") throw new Error(`the signed copy's level is ${await copy.getAttribute("data-level")}`);
    if (!(await textOf("signed-pdf-level")).includes("B-T")) throw new Error(`the level label says ${JSON.stringify(await textOf("signed-pdf-level"))}`);
    signedPdf = (await textOf("signed-pdf-path")).trim();
    const expected = join(work, "Supply contract 2026-signed.pdf");
    if (signedPdf !== expected) throw new Error(`the signed copy is at ${JSON.stringify(signedPdf)}, not ${expected}`);
    if (!(await textOf("record-row")).includes("Supply contract 2026-signed.pdf")) throw new Error("the record sealed is not the signed copy");
    await browser.waitUntil(async () => (await (await $id("record-row")).$('[data-testid="badge-signed"]')).isExisting(), {
      timeout: 30000,
      timeoutMsg: "the record shows no Signed badge",
    });
    if (!existsSync(signedPdf)) throw new Error(`no file at ${signedPdf}`);
    const signed = readFileSync(signedPdf);
    if (signed.length <= pdfBytes.length || !signed.subarray(0, pdfBytes.length).equals(pdfBytes)) {
      throw new Error("the signed copy does not start with the original's bytes (not an incremental update)");
    }
    if (!readFileSync(pdfPath).equals(pdfBytes)) throw new Error("the original PDF was changed");
    try {
      execFileSync("qpdf", ["--check", signedPdf], { stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      throw new Error(`qpdf --check exits ${e.status}: ${String(e.stdout ?? "").trim()} ${String(e.stderr ?? "").trim()}`);
    }
    if (onPath("pyhanko")) {
      // An independent validator: the signature and its time-stamp are sound and cover the whole
      // file; the self-made signer has no trusted root, so pyHanko's bottom line is not read.
      const v = spawnSync("pyhanko", ["sign", "validate", "--pretty-print", "--trust", join(work, "pki/root-ca.pem"), signedPdf], { encoding: "utf8", timeout: 60000 });
      const out = v.stdout ?? "";
      for (const want of ["The signature is cryptographically sound.", "The timestamp token is cryptographically sound.", "The TSA certificate is trusted.", "The signature covers the entire file."]) {
        if (!out.includes(want)) throw new Error(`pyHanko does not say "${want}": ${out.slice(0, 2000)} ${v.stderr ?? ""}`);
      }
    }
    await (await $id("seal-result")).scrollIntoView({ block: "end" });
    await shot("seal-pades-zh-CN");
  });

  await step("verify the signed PDF: its signature, as the CLI judges it", async () => {
    if (!signedPdf) throw new Error("no signed PDF to verify");
    await (await shown("nav-verify")).click();
    await shown("verify-drop");
    await dropOnPage([signedPdf]);
    const section = await shown("verify-pdf", 60000);
    await browser.waitUntil(async () => (await $$id("pdf-sig-row")).length > 0 || (await $id("verify-pdf-error")).isExisting(), {
      timeout: 30000,
      timeoutMsg: "the PDF's signatures are not shown",
    });
    if (await (await $id("verify-pdf-error")).isExisting()) {
      throw new Error(`the PDF check failed: ${await (await $id("verify-pdf-error")).getAttribute("data-code")} ${await textOf("verify-pdf-error")}`);
    }
    // The same check by the CLI, with the environment the app has.
    const run = spawnSync(cli, ["--json", "pdf", "verify", signedPdf], { env, encoding: "utf8" });
    let want;
    try {
      want = JSON.parse(run.stdout);
    } catch {
      /* reported below */
    }
    if (!want?.signatures) throw new Error(`evidentia --json pdf verify exits ${run.status} with no report: ${run.error?.message ?? run.stderr}`);
    const rows = await $$id("pdf-sig-row");
    if (rows.length !== 1 || want.signatures.length !== 1) throw new Error(`the app shows ${rows.length} signatures, the CLI ${want.signatures.length}; one was made`);
    const row = rows[0];
    const sig = want.signatures[0];
    const total = await (await $id("verify-pdf-total")).getAttribute("data-result");
    const shown1 = {
      total,
      field: await row.getAttribute("data-field"),
      kind: await row.getAttribute("data-kind"),
      level: await row.getAttribute("data-level"),
      result: await row.getAttribute("data-result"),
    };
    const cli1 = { total: want.result, field: sig.field, kind: sig.kind, level: sig.level ?? "", result: sig.result };
    if (JSON.stringify(shown1) !== JSON.stringify(cli1)) throw new Error(`the app shows ${JSON.stringify(shown1)}, the CLI says ${JSON.stringify(cli1)}`);
    if (shown1.kind !== "signature") throw new Error(`the row is a ${shown1.kind}, not a signature`);
    // Signer and time-stamp time: shown exactly when the CLI reports them.
    const signerShown = (await textOf("pdf-sig-signer")).trim();
    if (signerShown !== (sig.signer?.subject ?? "")) throw new Error(`the app shows the signer ${JSON.stringify(signerShown)}, the CLI ${JSON.stringify(sig.signer?.subject)}`);
    const timeShown = /\d{4}-\d{2}-\d{2}/.test(await textOf("pdf-sig-time"));
    if (timeShown !== Boolean(sig.timestamp?.gen_time)) throw new Error(`the app ${timeShown ? "shows" : "shows no"} time-stamp time, the CLI ${sig.timestamp?.gen_time ? "has one" : "has none"}`);
    const reasons = sig.checks.filter((c) => c.verdict !== "PASSED").map((c) => c.reason ?? c.check);
    if (/PASSED$/.test(shown1.result)) {
      if (shown1.level !== "B-T" || !signerShown.includes("Ana Li") || !timeShown) throw new Error(`a passed signature shows level ${shown1.level}, signer ${signerShown}, time ${timeShown}`);
      if ((await $$id("pdf-sig-problems")).length !== 0) throw new Error("a passed signature lists problems");
    } else if (/INDETERMINATE$/.test(shown1.result)) {
      // The app's policy does not accept self-signed signers: a self-made identity does not lead
      // to a trusted root, and an unverified signature has no level, signer or time to report.
      if (!reasons.includes("NO_TRUSTED_ROOT")) throw new Error(`INDETERMINATE for ${JSON.stringify(reasons)}, not NO_TRUSTED_ROOT`);
      const shownReasons = await browser.execute(() =>
        [...document.querySelectorAll('[data-testid="pdf-sig-problems"] [data-testid="check-reason"] code')].map((c) => c.textContent),
      );
      if (!shownReasons.includes("NO_TRUSTED_ROOT")) throw new Error(`the app shows the reasons ${JSON.stringify(shownReasons)}, not NO_TRUSTED_ROOT`);
      // Accepting self-signed signers, the CLI finds the B-T signature by Ana Li, time-stamped.
      const accepted = JSON.parse(execFileSync(cli, ["--json", "pdf", "verify", "--accept-self-signed", signedPdf], { env, encoding: "utf8" }));
      const a = accepted.signatures[0];
      if (!/PASSED$/.test(accepted.result) || a?.level !== "B-T" || !a.signer?.subject?.includes("Ana Li") || !a.timestamp?.gen_time) {
        throw new Error(`accepting self-signed signers, the CLI says ${accepted.result}, level ${a?.level}, signer ${a?.signer?.subject}, time ${a?.timestamp?.gen_time}`);
      }
    } else {
      throw new Error(`the signature is ${shown1.result} (${JSON.stringify(reasons)})`);
    }
    console.log(`     the signature: ${shown1.result}${reasons.length ? ` (${reasons.join(", ")})` : ""}, as the CLI says`);
    if ((await $$id("pdf-sig-changes")).length !== 0) throw new Error(`disallowed changes are listed: ${await textOf("pdf-sig-changes")}`);
    // Beside it, the vault lookup: the signed copy is what was sealed.
    await shown("verify-total", 30000);
    if (!(await textOf("verify-result")).includes("Supply contract 2026-signed.pdf")) throw new Error("the vault lookup does not show the sealed signed copy");
    await section.scrollIntoView({ block: "start" });
    await shot("verify-pdf-zh-CN");
    // The same screens in English (the language is kept for a next start, as the suite ends here).
    await (await shown("lang-toggle")).click();
    await browser.waitUntil(async () => !/[\u4e00-\u9fff]/.test(await textOf("nav-seal")), {
      timeout: 5000,
      timeoutMsg: "the navigation did not switch to English",
    });
    if ((await (await shown("pdf-sig-row")).getAttribute("data-result")) !== shown1.result) throw new Error("the result changed with the language");
    await (await $id("verify-pdf")).scrollIntoView({ block: "start" });
    await shot("verify-pdf-en");
    await (await shown("nav-seal")).click();
    await (await shown("seal-result")).scrollIntoView({ block: "end" });
    await shot("seal-pades-en");
  });

  await step("countersign the received signed PDF from the Verify screen: pyHanko and pdfsig find both signatures valid", async () => {
    if (!signedPdf) throw new Error("no signed PDF to countersign");
    await (await shown("nav-verify")).click();
    await dropOnPage([signedPdf]);
    await shown("verify-pdf", 60000);
    await (await shown("verify-show-doc")).click();
    await browser.waitUntil(async () => (await (await $id("verify-doc-page")).getAttribute("data-rendered")) === "1", { timeout: 30000, timeoutMsg: "the received PDF's page is not drawn" });
    await (await shown("verify-countersign")).click();
    await shown("seal-queue");
    await (await shown("seal-identity")).selectByAttribute("value", "ana-li");
    await browser.waitUntil(async () => (await (await $id("seal-doc-page")).getAttribute("data-rendered")) === "1", { timeout: 30000, timeoutMsg: "the page to countersign is not drawn" });
    await (await shown("seal-pades-level")).selectByAttribute("value", "B-B");
    // The box at the page's text, found by keyword.
    await (await shown("seal-keyword")).setValue("Supply contract");
    await (await shown("seal-find")).click();
    await browser.waitUntil(async () => (await textOf("seal-placement")).startsWith("1,"), { timeout: 20000, timeoutMsg: "the keyword placed no box" });
    await (await shown("seal-password")).setValue("correct horse 42");
    await (await shown("seal-start")).click();
    await shown("signed-pdf-row", 60000);
    const countersigned = (await textOf("signed-pdf-path")).trim();
    if (!countersigned.endsWith("-signed-signed.pdf") || !existsSync(countersigned)) throw new Error(`the countersigned copy is at ${countersigned}`);
    const before = readFileSync(signedPdf);
    if (!readFileSync(countersigned).subarray(0, before.length).equals(before)) throw new Error("the countersignature is not a new revision over the received bytes");
    if (onPath("pyhanko")) {
      const v = spawnSync("pyhanko", ["sign", "validate", "--pretty-print", "--trust", join(work, "pki/root-ca.pem"), countersigned], { encoding: "utf8", timeout: 60000 });
      const sound = ((v.stdout ?? "").match(/The signature is cryptographically sound\./g) ?? []).length;
      if (sound !== 2) throw new Error(`pyHanko finds ${sound} sound signatures, not 2: ${(v.stdout ?? "").slice(0, 2000)} ${v.stderr ?? ""}`);
    }
    const sig = spawnSync("pdfsig", [countersigned], { encoding: "utf8" });
    const valid = ((sig.stdout ?? "").match(/Signature is Valid\./g) ?? []).length;
    if (valid !== 2) throw new Error(`pdfsig finds ${valid} valid signatures, not 2: ${sig.stdout} ${sig.stderr}`);
    await (await $id("seal-result")).scrollIntoView({ block: "end" });
    await shot("countersigned");
  });

  await step("stamp a company seal in a box drawn on page 2 of a PDF, in the window: pyHanko accepts it, the seal is drawn inside the box", async () => {
    // The identity's seal, made on the Identities screen (its preview drawn by pdf.js in the window).
    await (await shown("nav-identities")).click();
    await (await shown("id-seal-identity")).selectByAttribute("value", "ana-li");
    await (await shown("id-seal-org")).setValue("深圳证据科技有限公司");
    await (await shown("id-seal-name")).setValue("合同专用章");
    await shown("id-seal-canvas", 30000);
    // The preview's red, pixel by pixel (the canvas draws the core's 120-point seal at 320 pixels).
    const preview = await browser.execute(() => {
      const c = document.querySelector('[data-testid="id-seal-canvas"]');
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let mask = "";
      // Red ink, its smoothed edges included: red well above green and blue.
      for (let i = 0; i < d.length; i += 4) mask += d[i] - (d[i + 1] + d[i + 2]) / 2 > 50 ? "1" : "0";
      return { width: c.width, height: c.height, mask };
    });
    await (await shown("id-seal-save")).click();
    await shown("id-seal-msg");
    await (await $id("id-seal-card")).scrollIntoView();
    await shot("identities-seal");

    const twoPages = join(work, "Purchase order 2026.pdf");
    writeFileSync(twoPages, pagesPdf(["Purchase order 2026", "Signatures"]));
    await browser.deleteSession();
    browser = await launch([twoPages]);
    await shown("seal-queue", 30000);
    await browser.waitUntil(async () => (await browser.$('[data-testid="seal-identity"] option[value="ana-li"]')).isExisting(), { timeout: 20000, timeoutMsg: "the identity is not offered" });
    await (await shown("seal-identity")).selectByAttribute("value", "ana-li");
    await (await shown("seal-pades")).click();
    await (await shown("seal-pades-level")).selectByAttribute("value", "B-B");
    await (await shown("seal-visible")).click();
    const rendered = (n) => browser.waitUntil(async () => (await (await $id("seal-doc-page")).getAttribute("data-rendered")) === String(n), { timeout: 30000, timeoutMsg: `page ${n} is not drawn` });
    await rendered(1);
    if ((await $$id("seal-doc-thumb")).length !== 2) throw new Error("not one thumbnail per page");
    await (await $$id("seal-doc-thumb"))[1].click();
    await rendered(2);
    await browser.waitUntil(async () => (await $id("seal-stamp")).isSelected(), { timeout: 10000, timeoutMsg: "the identity's seal is not offered" });
    // Draw: press on the page, drag the new box 40 right and 60 up.
    await (await $id("seal-doc-view")).scrollIntoView({ block: "end" });
    const r = await browser.execute(() => {
      const b = document.querySelector('[data-testid="seal-doc-overlay"]').getBoundingClientRect();
      return { x: b.x, y: b.y };
    });
    const at = { x: Math.round(r.x + 260), y: Math.round(r.y + 330) };
    await browser.performActions([{ type: "pointer", id: "mouse", parameters: { pointerType: "mouse" }, actions: [
      { type: "pointerMove", duration: 0, x: at.x, y: at.y, origin: "viewport" },
      { type: "pointerDown", button: 0 },
      { type: "pointerMove", duration: 150, x: at.x + 20, y: at.y - 30, origin: "viewport" },
      { type: "pointerMove", duration: 150, x: at.x + 40, y: at.y - 60, origin: "viewport" },
      { type: "pointerUp", button: 0 },
    ] }]);
    await browser.releaseActions();
    const placed = (await textOf("seal-placement")).trim();
    const [page, x, y, w, h] = placed.split(",").map(Number);
    // The box is 150 points square at 100 %, centred where pressed, then moved.
    if (page !== 2 || w !== 150 || h !== 150 || Math.abs(x - (260 + 40 - 75)) > 2 || Math.abs(842 - (330 - 60) - 75 - y) > 2) {
      throw new Error(`the box is at ${JSON.stringify(placed)}`);
    }
    await (await $id("seal-doc-box-face")).waitForExist({ timeout: 20000 });
    await shot("seal-placement");
    await (await shown("seal-password")).setValue("correct horse 42");
    await (await shown("seal-start")).click();
    await shown("signed-pdf-row", 60000);
    const out = (await textOf("signed-pdf-path")).trim();
    if (!existsSync(out)) throw new Error(`no signed PDF at ${out}`);
    if (onPath("pyhanko")) {
      const v = spawnSync("pyhanko", ["sign", "validate", "--pretty-print", out], { encoding: "utf8", timeout: 60000 });
      for (const want of ["The signature is cryptographically sound.", "The signature covers the entire file."]) {
        if (!(v.stdout ?? "").includes(want)) throw new Error(`pyHanko does not say "${want}": ${(v.stdout ?? "").slice(0, 1500)} ${v.stderr ?? ""}`);
      }
    }
    // Page 2 at 72 dpi: the seal's red inside the box drawn, none outside it.
    const prefix = join(work, "stamped");
    execFileSync("pdftoppm", ["-r", "72", "-f", "2", "-l", "2", "-singlefile", out, prefix]);
    const { width, height, rgb } = readPpm(`${prefix}.ppm`);
    const box = { left: x, right: x + w, top: height - (y + h), bottom: height - y };
    let inside = 0;
    let outside = 0;
    for (let i = 0; i < width * height; i += 1) {
      const [R, G, B] = [rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]];
      if (!(R > 150 && G < 100 && B < 100)) continue;
      const px = i % width;
      const py = Math.floor(i / width);
      if (px >= box.left - 1 && px <= box.right + 1 && py >= box.top - 1 && py <= box.bottom + 1) inside += 1;
      else outside += 1;
    }
    if (inside < 2000 || outside > 0) throw new Error(`red pixels: ${inside} inside the box, ${outside} outside`);
    // The seal as signed, rendered by poppler at the resolution of the app's preview, against
    // that preview (pdf.js in the window): the same red, pixel for pixel but for edge smoothing.
    const seal = 150 - 2 * 6; // the box less its 6-point margin
    const dpi = (72 * preview.width) / seal;
    const crop = `${join(work, "stamped-seal")}`;
    // A margin of 3 pixels around, for the rounding of the seal's place to whole pixels.
    const m = 3;
    const left = Math.round(((x + 6) * dpi) / 72) - m;
    const top = Math.round(((842 - (y + 6 + seal)) * dpi) / 72) - m;
    execFileSync("pdftoppm", ["-r", String(dpi), "-f", "2", "-l", "2", "-x", String(left), "-y", String(top), "-W", String(preview.width + 2 * m), "-H", String(preview.height + 2 * m), "-singlefile", out, crop]);
    const signedSeal = readPpm(`${crop}.ppm`);
    const redAt = (px, py) => {
      const i = 3 * (py * signedSeal.width + px);
      return signedSeal.rgb[i] - (signedSeal.rgb[i + 1] + signedSeal.rgb[i + 2]) / 2 > 50;
    };
    // Two renderers smooth edges apart: a red pixel of one agrees when the other has red within
    // one pixel of it. Best alignment of the two over the margin, both ways.
    const previewRed = (px, py) => px >= 0 && py >= 0 && px < preview.width && py < preview.height && preview.mask[py * preview.width + px] === "1";
    const near = (red, px, py) => red(px, py) || red(px - 1, py) || red(px + 1, py) || red(px, py - 1) || red(px, py + 1) || red(px - 1, py - 1) || red(px + 1, py + 1) || red(px - 1, py + 1) || red(px + 1, py - 1);
    let overlap = 0;
    let counts = "";
    for (let dx = 0; dx <= 2 * m; dx += 1) {
      for (let dy = 0; dy <= 2 * m; dy += 1) {
        const signedRed = (px, py) => px + dx >= 0 && py + dy >= 0 && px + dx < signedSeal.width && py + dy < signedSeal.height && redAt(px + dx, py + dy);
        let a = 0, aOk = 0, b = 0, bOk = 0;
        for (let py = 0; py < preview.height; py += 1) {
          for (let px = 0; px < preview.width; px += 1) {
            if (previewRed(px, py)) {
              a += 1;
              if (near(signedRed, px, py)) aOk += 1;
            }
            if (signedRed(px, py)) {
              b += 1;
              if (near(previewRed, px, py)) bOk += 1;
            }
          }
        }
        const agreement = Math.min(aOk / Math.max(1, a), bOk / Math.max(1, b));
        if (agreement > overlap) [overlap, counts] = [agreement, `${aOk} of ${a} preview pixels, ${bOk} of ${b} signed pixels`];
      }
    }
    console.log(`     the seal in the signed PDF against the app's preview: ${(overlap * 100).toFixed(1)} % of red pixels agree within one pixel (${counts})`);
    if (overlap < 0.99) throw new Error(`the signed seal and the preview differ: ${counts} agree within one pixel`);
  });

  await step("a handwritten signature drawn in the window is what the identity then stamps", async () => {
    await (await shown("nav-identities")).click();
    await (await shown("id-seal-identity")).selectByAttribute("value", "ana-li");
    await shown("id-seal-current");
    const pad = await shown("id-sign-pad");
    await pad.scrollIntoView({ block: "center" });
    const r = await browser.execute(() => {
      const b = document.querySelector('[data-testid="id-sign-pad"]').getBoundingClientRect();
      return { x: b.x, y: b.y };
    });
    const moves = [];
    for (let i = 0; i <= 12; i += 1) moves.push({ type: "pointerMove", duration: 40, x: Math.round(r.x + 30 + i * 24), y: Math.round(r.y + 70 - 35 * Math.sin(i / 2)), origin: "viewport" });
    await browser.performActions([{ type: "pointer", id: "pen", parameters: { pointerType: "mouse" }, actions: [moves[0], { type: "pointerDown", button: 0 }, ...moves.slice(1), { type: "pointerUp", button: 0 }] }]);
    await browser.releaseActions();
    await (await shown("id-sign-save")).click();
    await shown("id-seal-msg");
    await shot("identities-signature");
    // The CLI stamps what the window kept: dark ink inside the box, nothing else on the page.
    const plain = join(work, "Letter of intent.pdf");
    writeFileSync(plain, minimalPdf("Letter of intent"));
    const out = join(work, "Letter of intent-signed.pdf");
    const pw = join(work, "ana.pw");
    writeFileSync(pw, "correct horse 42", { mode: 0o600 });
    const run = spawnSync(cli, ["pdf", "sign", plain, "-o", out, "--identity", "ana-li", "--password-file", pw, "--level", "B-B", "--visible", "1,300,100,180,60", "--seal"], { env, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`pdf sign --seal: ${run.stdout} ${run.stderr}`);
    const prefix = join(work, "drawn");
    execFileSync("pdftoppm", ["-r", "144", "-singlefile", out, prefix]);
    const { width, height, rgb } = readPpm(`${prefix}.ppm`);
    // The box is 180 × 60 points at (300, 100): the image stands in its left 53 points, the name
    // and time to its right. Grey-to-black ink and no seal red there: the drawing, not the seal.
    let ink = 0;
    let red = 0;
    for (let y = height - 2 * 157; y < height - 2 * 103; y += 1) {
      for (let x = 2 * 304; x < 2 * 355; x += 1) {
        const i = 3 * (y * width + x);
        if (rgb[i] < 160 && rgb[i + 1] < 160 && rgb[i + 2] < 160) ink += 1;
        if (rgb[i] > 150 && rgb[i + 1] < 100 && rgb[i + 2] < 100) red += 1;
      }
    }
    if (ink < 60 || red > 0) throw new Error(`the image area holds ${ink} inked and ${red} red pixels: not the drawn signature`);
  });

  await step("a team vault on PostgreSQL chosen in Settings: sealed into through the window, listed and verified by the CLI; then the folder vault again", async () => {
    const admin = process.env.EVIDENTIA_TEST_POSTGRES;
    if (!admin) {
      throw new Error(
        "EVIDENTIA_TEST_POSTGRES is not set: run `source scripts/postgres/start_local.sh` in this shell first (scripts/test.sh does so), then these tests again",
      );
    }
    const db = `evidentia_e2e_${process.pid}_${Date.now()}`;
    const psql = (sql) =>
      execFileSync("psql", [`${admin}/postgres`, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], { stdio: ["ignore", "pipe", "pipe"] });
    psql(`CREATE DATABASE ${db}`);
    const shared = join(work, "team-shared");
    mkdirSync(shared);
    // A password in the URL: the throwaway server trusts local connections and ignores it; the
    // app keeps it in the configuration and must never show it.
    const secret = "e2e-never-shown";
    const withPassword = admin.replace(/^(postgres(?:ql)?:\/\/)([^:@/]+)@/, `$1$2:${secret}@`);
    const adminShown = admin.replace(/^(postgres(?:ql)?:\/\/)([^:@/]+):[^@/]*@/, "$1$2@");
    const url = `${withPassword}/${db}?folder=${shared}`;
    const display = `${adminShown}/${db}?folder=${shared}`;
    const team = join(work, "Team minutes 2026.txt");
    writeFileSync(team, `Minutes of the team meeting\n${new Date().toISOString()}\n`);
    const cliJson = (args) => {
      const run = spawnSync(cli, ["--json", ...args], { env, encoding: "utf8" });
      try {
        return { status: run.status, out: JSON.parse(run.stdout) };
      } catch {
        throw new Error(`evidentia ${args.join(" ").replace(secret, "…")} exits ${run.status}: ${run.stderr}`);
      }
    };
    const folderRecords = cliJson(["--vault", folderVault, "vault", "list"]).out.records.length;
    try {
      await browser.deleteSession();
      browser = await launch([team]);
      await browser.waitUntil(async () => (await textOf("seal-queue")).includes("Team minutes 2026.txt"), {
        timeout: 30000,
        timeoutMsg: "the queue does not show the file given on the command line",
      });
      await (await shown("nav-settings")).click();
      await shown("settings-save");
      if ((await (await $id("settings-vault-kind")).getAttribute("data-kind")) !== "folder") throw new Error("Settings does not show a folder vault at first");
      await (await shown("settings-team-url")).setValue(url);
      await (await shown("settings-team-use")).click();
      await browser.waitUntil(async () => (await textOf("settings-vault")) === display, {
        timeout: 5000,
        timeoutMsg: "the URL used is not shown (without its password)",
      }).catch(async (e) => {
        throw new Error(`${e.message}: ${JSON.stringify((await textOf("settings-vault")).replace(secret, "…"))}`);
      });
      await (await shown("settings-save")).click();
      await shown("settings-saved", 20000);
      if ((await textOf("settings-vault")) !== display) throw new Error(`after saving, Settings shows ${JSON.stringify(await textOf("settings-vault"))}`);
      if ((await (await $id("settings-vault-kind")).getAttribute("data-kind")) !== "team") throw new Error("Settings does not show a team vault");
      if ((await browser.getPageSource()).includes(secret)) throw new Error("the password is on the page");
      if (!readFileSync(configFile, "utf8").includes(url)) throw new Error("the configuration file does not hold the URL with its password");
      await shot("settings-team-en");
      // Saved again unchanged: the configuration keeps the password the page never had.
      const before = statSync(configFile).ino;
      await (await shown("settings-save")).click();
      await waitFor("the settings saved again", () => statSync(configFile).ino !== before, 20000);
      if (!readFileSync(configFile, "utf8").includes(url)) throw new Error("saving the settings again lost the team vault's password");

      await (await shown("nav-seal")).click();
      await (await shown("seal-start")).click();
      const recordId = await (await shown("record-row", 60000)).getAttribute("data-id");
      if (!/^[0-9a-f-]{36}$/.test(recordId ?? "")) throw new Error(`record row has no record id: ${recordId}`);
      const badge = (kind) => async () => (await (await $id("record-row")).$(`[data-testid="badge-${kind}"]`)).isExisting();
      await browser.waitUntil(badge("timestamped"), { timeout: 30000, timeoutMsg: "the record shows no Timestamped badge" });
      await browser.waitUntil(badge("anchored"), { timeout: 30000, timeoutMsg: "the record shows no Anchored badge" });
      await shot("seal-team-en");
      await (await shown("nav-vault")).click();
      await vaultShows("", 1, "the team vault lists the one record sealed into it", "1–1 of 1");
      if ((await (await $$id("vault-row"))[0].getAttribute("data-id")) !== recordId) throw new Error("the vault screen shows another record");

      // The CLI finds it in the PostgreSQL vault, whole, and not in the folder vault.
      const listed = cliJson(["--vault", url, "vault", "list"]);
      const ids = listed.out.records.map((r) => r.id);
      if (listed.status !== 0 || ids.length !== 1 || ids[0] !== recordId) throw new Error(`the team vault lists ${JSON.stringify(ids)} (exit ${listed.status}), not ${recordId}`);
      if (String(listed.out.vault).includes(secret)) throw new Error("the CLI shows the password");
      const checked = cliJson(["--vault", url, "vault", "verify"]);
      if (checked.status !== 0 || checked.out.intact !== true || checked.out.records !== 1 || checked.out.problems?.length) {
        throw new Error(`vault verify of the team vault exits ${checked.status}: ${JSON.stringify(checked.out).replace(secret, "…")}`);
      }
      if (!existsSync(join(shared, "blobs"))) throw new Error("the shared folder holds no blobs/ (the copy of the sealed file)");
      const inFolder = cliJson(["--vault", folderVault, "vault", "list"]).out.records;
      if (inFolder.length !== folderRecords || inFolder.some((r) => r.id === recordId)) throw new Error("the record went into the folder vault");
    } finally {
      // Back to the folder vault for whatever runs next.
      writeFileSync(configFile, readFileSync(configFile, "utf8").replace(/^vault = .*$/m, `vault = ${JSON.stringify(folderVault)}`));
      await browser.deleteSession().catch(() => {});
      browser = await launch([]);
    }
    if (readFileSync(configFile, "utf8").includes(secret)) throw new Error("the configuration still names the team vault");
    await (await shown("nav-settings", 30000)).click();
    await shown("settings-save");
    await browser.waitUntil(async () => (await textOf("settings-vault")) === folderVault, {
      timeout: 10000,
      timeoutMsg: `Settings does not show the folder vault again: ${JSON.stringify(await textOf("settings-vault"))}`,
    });
    if ((await (await $id("settings-vault-kind")).getAttribute("data-kind")) !== "folder") throw new Error("Settings does not show a folder vault again");
    await (await shown("nav-vault")).click();
    await vaultShows("", folderRecords, "the vault screen does not list the folder vault's records again");
    try {
      psql(`DROP DATABASE ${db} WITH (FORCE)`);
    } catch {
      /* a throwaway cluster */
    }
  });

  await step("the app and the CLI answer alike: a PAdES level that does not exist, and a chain node that is down", async () => {
    const cliRun = (args, input) => {
      const run = spawnSync(cli, ["--json", ...args], { env, encoding: "utf8", input });
      let out = null;
      try {
        out = JSON.parse(run.stdout);
      } catch {
        /* no JSON on stdout */
      }
      return { status: run.status, out, stderr: run.stderr };
    };
    // The app's own IPC, as the page calls it (the page offers only the four levels).
    const invoke = (cmd, args) =>
      browser.executeAsync(
        (cmd, args, done) =>
          window.__TAURI_INTERNALS__.invoke(cmd, args).then((ok) => done({ ok }), (err) => done({ err })),
        cmd,
        args,
      );
    const levelPdf = join(work, "Level test.pdf");
    writeFileSync(levelPdf, minimalPdf("A contract signed at a level no standard defines"));
    const minutes = join(work, "Minutes while the chain is down.txt");
    writeFileSync(minutes, `Minutes\n${new Date().toISOString()}\n`);
    await browser.deleteSession().catch(() => {});
    browser = await launch([levelPdf, minutes]);
    await shown("seal-queue", 30000);
    await browser.waitUntil(async () => (await textOf("seal-queue")).includes("Minutes while the chain is down.txt"), {
      timeout: 10000,
      timeoutMsg: "the queue does not show the files given on the command line",
    });

    const before = cliRun(["vault", "list"]).out.records.length;
    const refused = await invoke("seal", {
      job: "bad-level",
      paths: [levelPdf],
      identity: "ana-li",
      password: "correct horse 42",
      pades: { level: "B-Z" },
    });
    const passwordFile = join(work, "identity.password");
    writeFileSync(passwordFile, "correct horse 42\n", { mode: 0o600 });
    const byCli = cliRun(["seal", "--identity", "ana-li", "--password-file", passwordFile, "--pades", "--pades-level", "B-Z", levelPdf]);
    if (!refused.err) throw new Error(`the app sealed at level B-Z: ${JSON.stringify(refused.ok).slice(0, 200)}`);
    if (byCli.status !== 2 || byCli.out?.error?.code !== refused.err.code || refused.err.code !== "BAD_LEVEL" || refused.err.exit !== 2) {
      throw new Error(`the app answers ${JSON.stringify(refused.err)}; the CLI exits ${byCli.status} with ${JSON.stringify(byCli.out)}`);
    }
    if (cliRun(["vault", "list"]).out.records.length !== before) throw new Error("a refused seal left a record");

    // The chain node goes down: both seal, both leave the batch pending with the same reason.
    anvil.kill("SIGKILL");
    await waitFor("the chain node to stop", async () => !(await portOpen(chainPort)), 10000);
    const sealed = await invoke("seal", { job: "node-down", paths: [minutes], identity: null, password: null, pades: null });
    if (!sealed.ok) throw new Error(`the app fails the seal with the node down: ${JSON.stringify(sealed.err)}`);
    const appStates = (sealed.ok.anchors?.chain ?? []).map((o) => o.state);
    const other = join(work, "More minutes while the chain is down.txt");
    writeFileSync(other, `More minutes\n${new Date().toISOString()}\n`);
    const cliSealed = cliRun(["seal", other]);
    if (cliSealed.status !== 0 || cliSealed.out?.records?.length !== 1) {
      throw new Error(`the CLI's seal with the node down exits ${cliSealed.status}: ${cliSealed.stderr}`);
    }
    const appSync = await invoke("sync", {});
    const cliSync = cliRun(["sync"]);
    const cliStates = (cliSync.out?.anchors ?? []).map((o) => o.state);
    const appSyncStates = (appSync.ok?.anchors?.chain ?? []).map((o) => o.state);
    if (!appStates.includes("CHAIN_UNREACHABLE")) {
      throw new Error(`the app's seal says of the anchoring: ${JSON.stringify(appStates)}`);
    }
    if (cliSync.status !== 6 || !cliStates.includes("CHAIN_UNREACHABLE")) {
      throw new Error(`the CLI's sync exits ${cliSync.status} saying ${JSON.stringify(cliStates)}`);
    }
    if (JSON.stringify([...new Set(appSyncStates)]) !== JSON.stringify([...new Set(cliStates)])) {
      throw new Error(`sync: the app says ${JSON.stringify(appSyncStates)}, the CLI ${JSON.stringify(cliStates)}`);
    }
  });

  await step("anyone's evidence on the Verify screen: each kind ends as `evidentia verify` ends it", async () => {
    const fixtures = join(root, "tests/fixtures/third-party");
    const copy = (from, name) => {
      const to = join(work, name);
      writeFileSync(to, readFileSync(from));
      return to;
    };
    // An OpenTimestamps proof with its file beside it, a foreign ASiC-E container, a PDF signed
    // elsewhere, a detached CMS signature, an RFC 3161 time-stamp and an evidence record, each
    // with its file.
    const proof = copy(join(fixtures, "ots-examples/hello-world.txt.ots"), "hello-world.txt.ots");
    copy(join(fixtures, "ots-examples/hello-world.txt"), "hello-world.txt");
    const asice = copy(join(fixtures, "dss-asic-cades/onefile-ok.asice"), "received.asice");
    const foreignPdf = copy(join(fixtures, "dss/DSS-2025.pdf"), "signed elsewhere.pdf");
    const terms = join(work, "terms.txt");
    writeFileSync(terms, "the agreed terms\n");
    const p7s = join(work, "terms.p7s");
    const made = spawnSync("bash", ["-c", `openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -subj '/CN=Other Party' -days 2 2>/dev/null && openssl cms -sign -binary -in terms.txt -signer c.pem -inkey k.pem -outform DER -out terms.p7s`], { cwd: work, encoding: "utf8" });
    if (made.status !== 0) throw new Error(`openssl: ${made.stderr}`);
    const tsr = join(work, "terms.tsr");
    const stamped = spawnSync(cli, ["timestamp", "request", terms, "-o", tsr], { env, encoding: "utf8" });
    if (stamped.status !== 0) throw new Error(`timestamp request: ${stamped.stderr}`);
    // An RFC 4998 evidence record made by another archive, renewed twice, with a file it covers.
    const ers = copy(join(fixtures, "dss-evidence-record/ER-2Chains3ATS.ers"), "archive.ers");
    const archived = copy(join(fixtures, "dss-evidence-record/ER-2Chains3ATS1.bin"), "archived.bin");
    const cases = [
      { name: "ots", drop: [proof], cli: [proof] },
      { name: "asic", drop: [asice], cli: [asice] },
      { name: "pdf", drop: [foreignPdf], cli: [foreignPdf] },
      { name: "signature", drop: [p7s, terms], cli: [p7s, "--file", terms] },
      { name: "timestamp", drop: [tsr, terms], cli: [tsr, "--file", terms] },
      { name: "evidence-record", drop: [ers, archived], cli: [ers, "--file", archived] },
    ];
    await browser.deleteSession().catch(() => {});
    browser = await launch([proof, asice, foreignPdf, p7s, tsr, terms, ers, archived]);
    await shown("nav-verify", 30000);
    await (await $id("nav-verify")).click();
    await shown("verify-drop");
    for (const c of cases) {
      const run = spawnSync(cli, ["--json", "verify", ...c.cli], { env, encoding: "utf8" });
      let want;
      try {
        want = JSON.parse(run.stdout).result;
      } catch {
        throw new Error(`${c.name}: evidentia verify exits ${run.status} with no JSON: ${run.stderr}`);
      }
      const wanted = want === "PASSED" ? "TOTAL-PASSED" : want === "FAILED" ? "TOTAL-FAILED" : want;
      // The verdict shown before is unmarked, so that only this drop's verdict is read.
      await browser.execute(() =>
        document.querySelectorAll('[data-testid="verify-total"],[data-testid="verify-pdf-total"]').forEach((e) => e.removeAttribute("data-result")),
      );
      await dropOnPage(c.drop);
      const where = c.name === "pdf" ? "verify-pdf-total" : "verify-total";
      const verdict = () => browser.execute((w) => document.querySelector(`[data-testid="${w}"]`)?.getAttribute("data-result") ?? null, where);
      await browser.waitUntil(async () => (await verdict()) !== null, { timeout: 30000, timeoutMsg: `${c.name}: no verdict shown` });
      const got = await verdict();
      if (got !== wanted) throw new Error(`${c.name}: the app shows ${got}, evidentia verify says ${want}`);
      await shot(`verify-${c.name}`);
    }
    // A detached signature or evidence record dropped alone: the app asks for the file it covers.
    await dropOnPage([p7s]);
    await shown("verify-needs-file", 20000);
    await dropOnPage([asice]);
    await shown("verify-total", 20000);
    await dropOnPage([ers]);
    await shown("verify-needs-file", 20000);
  });
} catch (e) {
  results.push({ name: "start the app", ok: false });
  console.log(`FAIL start the app: ${e.message}\n${driver.lastError()}`);
} finally {
  if (browser) await browser.deleteSession().catch(() => {});
  stopAll();
  void anvil;
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

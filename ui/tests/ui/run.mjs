// Chromium UI tests of the mock build: every screen in both languages, error states, screenshots.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const UI = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(UI, 'dist-mock');
const SHOTS = resolve(process.env.SCREENSHOT_DIR ?? join(UI, '..', 'target', 'screenshots', 'ui'));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ONLY = process.env.UI_TEST_FILTER ?? '';
const started = Date.now();

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

function buildIfNeeded() {
  const sources = Math.max(newestMtime(join(UI, 'src')), newestMtime(join(UI, 'tests', 'fixtures')), statSync(join(UI, 'index.html')).mtimeMs);
  if (existsSync(join(DIST, 'index.html')) && statSync(join(DIST, 'index.html')).mtimeMs >= sources) return;
  console.log('ui: building the mock build (npm run build:mock)');
  const r = spawnSync('npm', ['run', 'build:mock'], { cwd: UI, stdio: 'inherit' });
  if (r.status !== 0) {
    console.log('ui: 0 passed, 1 failed');
    process.exit(1);
  }
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' };

function serve() {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const file = resolve(DIST, '.' + decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname));
    if (!file.startsWith(DIST + sep) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

// The dictionaries, read from the source so the tests assert the real strings.
function loadDicts() {
  const src = readFileSync(join(UI, 'src', 'i18n.ts'), 'utf8');
  const grab = (start, end) => {
    const body = src.slice(src.indexOf(start), src.indexOf(end, src.indexOf(start)));
    const dict = {};
    for (const m of body.matchAll(/^\s*'([\w.\-]+)':\s*'((?:[^'\\]|\\.)*)',?$/gm)) dict[m[1]] = m[2].replace(/\\'/g, "'");
    return dict;
  };
  return { en: grab('const en = {', '\n};'), 'zh-CN': grab('const zh: Dict = {', '\n};') };
}
const DICTS = loadDicts();

class AssertionError extends Error {}
function ok(cond, msg) {
  if (!cond) throw new AssertionError(msg);
}
function eq(actual, expected, msg) {
  if (actual !== expected) throw new AssertionError(`${msg}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
function has(text, part, msg) {
  if (!String(text).includes(part)) throw new AssertionError(`${msg}: ${JSON.stringify(part)} not in ${JSON.stringify(String(text).slice(0, 300))}`);
}

/** How many `records` answers the mock has given so far. */
function answeredCount(page) {
  return page.evaluate(() => window.__evidentiaMock.recordsAnswered.length);
}

/** Waits for a `records` answer after the first `before` (for `search`, if given) and for the list `prefix` to show it. */
async function settled(page, prefix, before, search) {
  await page.waitForFunction(
    ([p, n, s]) =>
      window.__evidentiaMock.recordsAnswered.slice(n).some((a) => s === null || a.search === s) &&
      document.querySelector(`[data-testid="${p}-pager"]`)?.getAttribute('aria-busy') === 'false',
    [prefix, before, search ?? null],
  );
}

/** Types `text` into the search box of the list `prefix` and waits for its page. */
async function searchFor(page, prefix, text) {
  const before = await answeredCount(page);
  await page.getByTestId(`${prefix}-search`).fill(text);
  await settled(page, prefix, before, text.trim());
}

/** The mock's million-record vault: record n (1 oldest … 1,000,000 newest), as src/mock/million.ts makes it. */
const MILLION = 1_000_000;
const KINDS = [['contract', 'pdf'], ['invoice', 'pdf'], ['photo', 'jpg'], ['scan', 'png'], ['letter', 'docx'], ['drawing', 'svg'], ['recording', 'wav']];
const millionName = (n) => `${KINDS[n % 7][0]}-${String(n).padStart(7, '0')}.${KINDS[n % 7][1]}`;
const millionIdHead = (n) => n.toString(16).padStart(8, '0');
/** How many records of the million have a name with `stem` and a number in [lo, hi]. */
const millionCount = (stem, lo = 1, hi = MILLION) => {
  let c = 0;
  for (let n = lo; n <= hi; n++) if (KINDS[n % 7][0] === stem) c++;
  return c;
};
const thousands = (n) => n.toLocaleString('en-US');

const tests = [];
function test(name, fn) {
  tests.push({ name, fn });
}

const LANGS = ['en', 'zh-CN'];

for (const L of LANGS) {
  const d = DICTS[L];
  const flag = L === 'en' ? 'lang-en' : 'lang-zh';
  const tt = (key, params = {}) => d[key].replace(/\{(\w+)\}/g, (w, n) => (n in params ? String(params[n]) : w));

  test(`[${L}] shell: sandbox banner, navigation, language`, async ({ open }) => {
    const page = await open(flag);
    eq(await page.getByTestId('sandbox-banner').innerText(), d['app.sandbox'], 'sandbox banner');
    for (const n of ['seal', 'vault', 'verify', 'export', 'identities', 'settings']) eq((await page.getByTestId(`nav-${n}`).innerText()).trim(), d[`nav.${n}`], `nav ${n}`);
    eq(await page.evaluate(() => document.documentElement.lang), L, 'html lang');
    eq(await page.getByTestId('lang-toggle').innerText(), d['lang.toggle'], 'lang toggle label');
    eq(await page.getByTestId('nav-seal').getAttribute('aria-current'), 'page', 'seal is the first screen');
  });

  test(`[${L}] seal: queue, identity, progress, result badges`, async ({ open, shot, calls }) => {
    const page = await open(flag);
    eq(await page.getByTestId('seal-queue').innerText(), d['seal.queueEmpty'], 'empty queue text');
    eq(await page.getByTestId('seal-start').isDisabled(), true, 'seal disabled with empty queue');
    await page.getByTestId('seal-pick-files').click();
    await page.getByTestId('seal-queue-item').nth(1).waitFor();
    eq(await page.getByTestId('seal-queue-item').count(), 2, 'two picked files');
    await page.getByTestId('seal-pick-folder').click();
    await page.getByTestId('seal-queue-item').nth(2).waitFor();
    await page.getByTestId('seal-queue-item').nth(2).getByTestId('seal-queue-remove').click();
    eq(await page.getByTestId('seal-queue-item').count(), 2, 'folder removed again');
    eq(await page.getByTestId('seal-password').count(), 0, 'no password field without identity');
    const options = await page.getByTestId('seal-identity').locator('option').allInnerTexts();
    eq(options[0], d['seal.noSignature'], 'no-signature option');
    ok(options.includes('alice-zhang'), 'identity alice-zhang offered');
    await page.getByTestId('seal-identity').selectOption('alice-zhang');
    await page.getByTestId('seal-start').click();
    eq(await page.getByTestId('seal-hint').innerText(), d['seal.needPassword'], 'password required');
    await page.getByTestId('seal-password').fill('correct horse');
    await shot(page, `seal-queue-${L}`);
    await page.getByTestId('seal-start').click();
    await page.getByTestId('seal-progress').waitFor({ state: 'visible' });
    await page.getByTestId('seal-result').waitFor();
    eq(await page.getByTestId('seal-progress').isHidden(), true, 'progress hidden when done');
    const rows = page.getByTestId('record-row');
    eq(await rows.count(), 2, 'two sealed records');
    eq(await rows.first().getAttribute('data-id'), '01a22869-bdfe-749d-844d-927c4c792066', 'record id from the seal report');
    eq(await rows.first().getByTestId('badge-signed').innerText(), d['badge.signed'], 'signed badge');
    eq(await rows.first().getByTestId('badge-timestamped').innerText(), d['badge.timestamped'], 'timestamped badge');
    eq(await rows.first().getByTestId('badge-pending').count(), 0, 'nothing pending');
    eq(await page.getByTestId('seal-queue-item').count(), 0, 'queue emptied');
    const seal = (await calls(page)).find((c) => c.cmd === 'seal');
    eq(seal.args.identity, 'alice-zhang', 'seal called with identity');
    eq(seal.args.password, 'correct horse', 'seal called with password');
    eq(seal.args.paths.length, 2, 'seal called with both paths');
    ok(typeof seal.args.job === 'string' && seal.args.job.length >= 16, 'job id sent');
    await shot(page, `seal-${L}`);
  });

  test(`[${L}] identities: make a company seal, previewed as the core draws it`, async ({ open, shot, calls }) => {
    const page = await open(flag);
    await page.getByTestId('nav-identities').click();
    await page.getByTestId('id-seal-card').waitFor();
    eq(await page.getByTestId('id-seal-save').isDisabled(), true, 'nothing to save without an identity');
    await page.getByTestId('id-seal-identity').selectOption('alice-zhang');
    await page.getByTestId('id-seal-current').waitFor();
    eq(await page.getByTestId('id-seal-current').innerText(), d['id.seal.none'], 'no seal yet');
    await page.getByTestId('id-seal-org').fill('甲');
    await page.getByTestId('id-seal-save').click();
    await page.getByTestId('id-seal-error').waitFor();
    has(await page.getByTestId('id-seal-error').innerText(), '2', 'a one-character name is refused');
    await page.getByTestId('id-seal-org').fill('深圳证据科技有限公司');
    await page.getByTestId('id-seal-code').fill('91440300MA5FXXXX0Q');
    await page.getByTestId('id-seal-canvas').waitFor();
    const red = await page.getByTestId('id-seal-canvas').evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] > 180 && d[i + 1] < 80 && d[i + 2] < 80) n += 1;
      return n;
    });
    ok(red > 500, `the preview is the seal (${red} red pixels)`);
    const preview = (await calls(page)).filter((c) => c.cmd === 'seal_preview').pop();
    eq(JSON.stringify(preview.args), JSON.stringify({ organisation: '深圳证据科技有限公司', title: '合同专用章', code: '91440300MA5FXXXX0Q' }), 'previewed from the texts typed');
    await page.getByTestId('id-seal-save').click();
    await page.getByTestId('id-seal-msg').waitFor();
    eq(await page.getByTestId('id-seal-msg').innerText(), tt('id.seal.saved', { name: 'alice-zhang', seal: tt('id.seal.describe', { org: '深圳证据科技有限公司', title: ' · 合同专用章' }) }), 'kept');
    const saved = (await calls(page)).filter((c) => c.cmd === 'set_identity_seal').pop();
    eq(saved.args.identity, 'alice-zhang', 'kept with the identity');
    await page.getByTestId('id-seal-card').scrollIntoViewIfNeeded();
    await shot(page, `identities-seal-${L}`, { keepScroll: true });
    // A handwritten signature instead: nothing to keep until something is drawn.
    await page.getByTestId('id-sign-save').click();
    eq(await page.getByTestId('id-seal-error').innerText(), d['id.sign.empty'], 'draw first');
    await page.getByTestId('id-sign-pad').scrollIntoViewIfNeeded();
    const padBox = await page.getByTestId('id-sign-pad').boundingBox();
    await page.mouse.move(padBox.x + 30, padBox.y + 80);
    await page.mouse.down();
    for (let i = 1; i <= 12; i += 1) await page.mouse.move(padBox.x + 30 + i * 22, padBox.y + 80 - 30 * Math.sin(i / 2));
    await page.mouse.up();
    await page.getByTestId('id-sign-save').click();
    await page.getByTestId('id-seal-msg').waitFor();
    eq(await page.getByTestId('id-seal-msg').innerText(), tt('id.seal.saved', { name: 'alice-zhang', seal: d['id.seal.image'] }), 'the drawing kept');
    const drawn = (await calls(page)).filter((c) => c.cmd === 'set_identity_seal_image').pop();
    ok(drawn.args.image.length > 500 && drawn.args.image[0] === 0x89 && drawn.args.image[1] === 0x50, 'a PNG of the drawing sent');
    await shot(page, `identities-signature-${L}`, { keepScroll: true });
  });

  test(`[${L}] seal: no time-stamping service configured: the badge says so and leads to Settings`, async ({ open, shot }) => {
    const page = await open(`${flag},no-tsa`);
    await page.getByTestId('seal-pick-files').click();
    await page.getByTestId('seal-queue-item').nth(1).waitFor();
    await page.getByTestId('seal-start').click();
    await page.getByTestId('seal-result').waitFor();
    const badge = page.getByTestId('record-row').first().getByTestId('badge-untimestamped');
    eq(await badge.innerText(), d['badge.untimestamped.noTsa'], 'says why there is no time-stamp');
    eq(await badge.getAttribute('data-tsa'), 'none', 'no TSA configured');
    eq(await page.getByTestId('record-row').first().getByTestId('badge-timestamped').count(), 0, 'not time-stamped');
    await shot(page, `seal-no-tsa-${L}`);
    await badge.click();
    await page.getByTestId('settings-save').waitFor();
    eq(await page.getByTestId('nav-settings').getAttribute('aria-current'), 'page', 'Settings opened');
  });

  test(`[${L}] seal: see the PDF, place the signature on page 2, stamp the company seal`, async ({ open, shot, calls }) => {
    const page = await open(`${flag},identity-seal`);
    await page.getByTestId('seal-pick-files').click();
    await page.getByTestId('seal-queue-item').nth(1).waitFor();
    await page.getByTestId('seal-identity').selectOption('alice-zhang');
    await page.getByTestId('seal-pades').check();
    eq(await page.getByTestId('seal-doc-view').count(), 0, 'no document view until a visible signature is asked for');
    await page.getByTestId('seal-visible').check();
    await page.getByTestId('seal-doc-page').and(page.locator('[data-rendered="1"]')).waitFor();
    eq(await page.getByTestId('seal-doc-thumb').count(), 2, 'a thumbnail per page');
    eq(await page.getByTestId('seal-doc-counter').innerText(), tt('pdf.pageOf', { page: 1, pages: 2 }), 'page 1 of 2');
    eq(await page.getByTestId('seal-doc-zoom').innerText(), '100%', 'zoom');
    // The page is drawn: pixels that are not white on the canvas.
    const inked = () => page.getByTestId('seal-doc-canvas').evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] < 200) n += 1;
      return n;
    });
    ok((await inked()) > 100, 'page 1 rendered');
    await page.getByTestId('seal-doc-thumb').nth(1).click();
    await page.getByTestId('seal-doc-page').and(page.locator('[data-rendered="2"]')).waitFor();
    eq(await page.getByTestId('seal-doc-counter').innerText(), tt('pdf.pageOf', { page: 2, pages: 2 }), 'page 2 of 2');
    await page.getByTestId('seal-doc-zoom-in').click();
    await page.getByTestId('seal-doc-page').and(page.locator('[data-rendered="2"]')).waitFor();
    eq(await page.getByTestId('seal-doc-zoom').innerText(), '125%', 'zoomed in');
    await page.getByTestId('seal-doc-zoom-out').click();
    await page.getByTestId('seal-doc-page').and(page.locator('[data-rendered="2"]')).waitFor();
    eq(await page.getByTestId('seal-doc-zoom').innerText(), '100%', 'zoomed back');

    // Start without a box: asked to place it.
    await page.getByTestId('seal-password').fill('correct horse');
    await page.getByTestId('seal-start').click();
    eq(await page.getByTestId('seal-hint').innerText(), d['seal.placeFirst'], 'place it first');

    // A click on page 2 at 100 % puts a 150-point box centred there: user space from the bottom.
    const overlay = page.getByTestId('seal-doc-overlay');
    await page.getByTestId('seal-doc-view').scrollIntoViewIfNeeded();
    const r = await overlay.boundingBox();
    await page.mouse.click(r.x + 300, r.y + 400);
    const boxEl = page.getByTestId('seal-doc-box');
    await boxEl.waitFor();
    eq(await page.getByTestId('seal-placement').innerText(), '2,225,367,150,150', 'centred on the click, in user space');
    // Dragged 50 right and 100 up; its corner dragged 30 right and 10 down (taller and wider).
    const b = await boxEl.boundingBox();
    await page.mouse.move(b.x + 75, b.y + 75);
    await page.mouse.down();
    await page.mouse.move(b.x + 100, b.y + 25, { steps: 4 });
    await page.mouse.move(b.x + 125, b.y - 25, { steps: 4 });
    await page.mouse.up();
    eq(await page.getByTestId('seal-placement').innerText(), '2,275,467,150,150', 'moved');
    const handle = await page.getByTestId('seal-doc-box-handle').boundingBox();
    await page.mouse.move(handle.x + 6, handle.y + 6);
    await page.mouse.down();
    await page.mouse.move(handle.x + 36, handle.y + 16, { steps: 4 });
    await page.mouse.up();
    eq(await page.getByTestId('seal-placement').innerText(), '2,275,457,180,160', 'resized from its lower-right corner');
    // Dragged off the page: kept inside it.
    const b2 = await boxEl.boundingBox();
    await page.mouse.move(b2.x + 20, b2.y + 20);
    await page.mouse.down();
    await page.mouse.move(b2.x + 2000, b2.y + 20, { steps: 4 });
    await page.mouse.up();
    eq(await page.getByTestId('seal-placement').innerText(), '2,415,457,180,160', 'snapped inside the page');

    // The box shows the seal it will stamp (red), as the preview of the identity's seal.
    eq(await page.getByTestId('seal-stamp').isChecked(), true, 'the identity has a seal: stamped by default');
    await page.getByTestId('seal-doc-box-face').waitFor();
    const red = await page.getByTestId('seal-doc-box-face').evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] > 180 && d[i + 1] < 80 && d[i + 2] < 80 && d[i + 3] > 200) n += 1;
      return n;
    });
    ok(red > 300, `the seal is shown in the box (${red} red pixels)`);
    await page.getByTestId('seal-doc-view').scrollIntoViewIfNeeded();
    await shot(page, `seal-placement-${L}`, { keepScroll: true });

    // Keyword placement: the box moves to the text.
    await page.getByTestId('seal-keyword').fill('Nowhere');
    await page.getByTestId('seal-find').click();
    eq(await page.getByTestId('seal-keyword-msg').innerText(), tt('seal.keywordMissing', { text: 'Nowhere' }), 'not found');
    await page.getByTestId('seal-keyword').fill('Signature');
    await page.getByTestId('seal-find').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="seal-placement"]')?.textContent !== '2,415,457,180,160');
    const [, x, y] = (await page.getByTestId('seal-placement').innerText()).split(',').map(Number);
    ok(Math.abs(x + 90 - 340) < 30 && Math.abs(y + 80 - 205) < 10, `centred on "Signature" at (300, 200): ${x},${y}`);

    // Every PDF of the batch on its last page, same place.
    await page.getByTestId('seal-start').click();
    await page.getByTestId('seal-result').waitFor();
    const seal = (await calls(page)).find((c) => c.cmd === 'seal');
    const placed = await page.getByTestId('seal-placement').innerText().catch(() => '');
    eq(seal.args.pades.seal, true, 'the seal is stamped');
    ok(/^2,[\d.]+,[\d.]+,180,160$/.test(seal.args.pades.visible), `placement sent: ${seal.args.pades.visible} ${placed}`);
  });

  test(`[${L}] seal: also sign inside PDFs (PAdES), signed copies in the result`, async ({ open, shot, calls }) => {
    let page = await open(flag);
    await page.getByTestId('seal-pick-files').click();
    await page.getByTestId('seal-queue-item').nth(1).waitFor();
    eq(await page.getByTestId('seal-pades').count(), 0, 'no PDF signing without identity');
    await page.getByTestId('seal-identity').selectOption('alice-zhang');
    const box = page.getByTestId('seal-pades');
    eq(await box.isChecked(), false, 'PDF signing off by default');
    eq((await page.getByTestId('seal-pades-options').locator('label.check-field').innerText()).trim(), d['seal.pades'], 'checkbox label');
    eq(await page.getByTestId('seal-pades-level').count(), 0, 'no level until asked');
    await box.check();
    eq(await page.getByTestId('seal-pades-level').inputValue(), 'B-T', 'B-T by default');
    eq(JSON.stringify(await page.getByTestId('seal-pades-level').locator('option').allInnerTexts()), JSON.stringify(['B-B', 'B-T', 'B-LT', 'B-LTA'].map((l) => d[`seal.padesLevel.${l}`])), 'four levels offered');
    await page.getByTestId('seal-pades-level').selectOption('B-LTA');
    const reason = L === 'en' ? 'Approved for payment' : '同意付款';
    await page.getByTestId('seal-pades-reason').fill(`  ${reason} `);
    await page.getByTestId('seal-password').fill('correct horse');
    await shot(page, `seal-pades-form-${L}`);
    await page.getByTestId('seal-start').click();
    await page.getByTestId('seal-signed-pdfs').waitFor();
    const seal = (await calls(page)).find((c) => c.cmd === 'seal');
    eq(JSON.stringify(seal.args.pades), JSON.stringify({ level: 'B-LTA', reason }), 'seal called with pades level and trimmed reason');
    has(await page.getByTestId('seal-signed-pdfs').locator('h3').innerText(), tt('seal.signedPdfs', { count: 1 }), 'signed copies heading');
    const copy = page.getByTestId('signed-pdf-row');
    eq(await copy.count(), 1, 'one PDF signed (the .txt is not)');
    eq(await copy.getAttribute('data-level'), 'B-LTA', 'level of the copy');
    eq(await copy.getByTestId('signed-pdf-path').innerText(), '/home/ana/Documents/Contracts/Suppliers/2026/invoice-2026-0457-supplier-agreement-signed-countersigned-v3-signed.pdf', 'path of the signed copy');
    eq(await copy.getByTestId('signed-pdf-level').innerText(), tt('seal.signedPdfLevel', { level: 'B-LTA' }), 'level label');
    has(await page.getByTestId('seal-result').innerText(), 'countersigned-v3-signed.pdf', 'the signed copy is what was sealed');
    await shot(page, `seal-pades-${L}`);

    // Unchecked again: no pades object; an identity cleared hides the option.
    await page.getByTestId('seal-pick-files').click();
    await page.getByTestId('seal-queue-item').nth(1).waitFor();
    await page.getByTestId('seal-pades').uncheck();
    await page.getByTestId('seal-password').fill('correct horse');
    await page.getByTestId('seal-start').click();
    await page.waitForFunction(() => window.__evidentiaMock.calls.filter((c) => c.cmd === 'seal').length === 2);
    await page.getByTestId('seal-result').waitFor();
    eq((await calls(page)).filter((c) => c.cmd === 'seal')[1].args.pades, null, 'no pades when unchecked');
    eq(await page.getByTestId('seal-signed-pdfs').count(), 0, 'no signed copies listed');
    await page.getByTestId('seal-identity').selectOption('');
    eq(await page.getByTestId('seal-pades').count(), 0, 'option hidden without identity');

    page = await open(`${flag},seal-bad-level`);
    await page.getByTestId('seal-pick-files').click();
    await page.getByTestId('seal-identity').selectOption('alice-zhang');
    await page.getByTestId('seal-pades').check();
    await page.getByTestId('seal-password').fill('correct horse');
    await page.getByTestId('seal-start').click();
    await page.locator('[data-testid="error-banner"][data-code="BAD_LEVEL"]').waitFor();
    eq(await page.getByTestId('error-text').innerText(), d['error.BAD_LEVEL'], 'bad level sentence');
  });

  test(`[${L}] seal: TSA unreachable → pending, will retry`, async ({ open, shot }) => {
    const page = await open(`${flag},seal-tsa-down`);
    await page.getByTestId('seal-pick-files').click();
    await page.getByTestId('seal-start').click();
    await page.getByTestId('seal-result').waitFor();
    const row = page.getByTestId('record-row').first();
    eq(await row.getByTestId('badge-pending').innerText(), d['badge.pending.timestampLabel'], 'pending badge');
    eq(await row.getByTestId('badge-timestamped').count(), 0, 'not timestamped');
    eq(await row.getByTestId('badge-signed').count(), 0, 'not signed without identity');
    eq(await row.getByTestId('seal-pending-reason').innerText(), d['error.SERVICE'], 'pending reason sentence');
    eq(await row.getByTestId('seal-pending-reason').getAttribute('data-code'), 'TSA_UNREACHABLE', 'pending code');
    await shot(page, `seal-pending-${L}`);
  });

  test(`[${L}] seal: progress then cancel`, async ({ open, shot }) => {
    const page = await open(`${flag},seal-slow`);
    await page.getByTestId('seal-pick-files').click();
    await page.getByTestId('seal-start').click();
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="seal-percent"]');
      return el && parseInt(el.textContent ?? '0', 10) > 0;
    });
    eq(await page.getByTestId('seal-phase').innerText(), d['seal.phase.hashing'], 'phase label');
    has(await page.getByTestId('seal-current').innerText(), 'contract.txt', 'current file shown');
    has(await page.getByTestId('seal-counts').innerText(), L === 'en' ? 'of 2 files' : '/ 2', 'file counts');
    eq(await page.getByTestId('seal-start').isDisabled(), true, 'seal disabled while running');
    await shot(page, `seal-progress-${L}`);
    await page.getByTestId('seal-cancel').click();
    await page.locator('[data-testid="error-banner"][data-code="CANCELLED"]').waitFor();
    eq(await page.getByTestId('error-text').innerText(), d['error.CANCELLED'], 'cancel sentence');
    eq(await page.getByTestId('seal-progress').isHidden(), true, 'progress gone');
    eq(await page.getByTestId('seal-queue-item').count(), 2, 'queue kept after cancel');
    await shot(page, `seal-cancelled-${L}`);
  });

  test(`[${L}] seal: files-dropped event and initial files fill the queue`, async ({ open }) => {
    const page = await open(`${flag},initial-files`);
    await page.getByTestId('seal-queue-item').nth(1).waitFor();
    eq(await page.getByTestId('seal-queue-item').first().getAttribute('data-path'), '/home/ana/Documents/contract.pdf', 'initial file');
    await page.evaluate(() => window.__evidentiaMock.emit('files-dropped', { paths: ['/tmp/dropped one.txt', '/home/ana/Documents/contract.pdf'] }));
    await page.getByTestId('seal-queue-item').nth(2).waitFor();
    eq(await page.getByTestId('seal-queue-item').count(), 3, 'dropped file added once');
    await page.getByTestId('nav-vault').click();
    await page.evaluate(() => window.__evidentiaMock.emit('files-dropped', { paths: ['/tmp/from vault.txt'] }));
    await page.getByTestId('seal-queue-item').nth(3).waitFor();
    eq(await page.getByTestId('nav-seal').getAttribute('aria-current'), 'page', 'drop elsewhere opens Seal');
  });

  test(`[${L}] seal: vault error is a plain sentence`, async ({ open, shot }) => {
    const page = await open(`${flag},seal-vault-locked`);
    await page.getByTestId('seal-pick-files').click();
    await page.getByTestId('seal-start').click();
    await page.locator('[data-testid="error-banner"][data-code="VAULT_LOCKED"]').waitFor();
    eq(await page.getByTestId('error-text').innerText(), d['error.VAULT_LOCKED'], 'vault locked sentence');
    await page.getByTestId('error-dismiss').click();
    eq(await page.getByTestId('error-banner').isHidden(), true, 'banner dismissed');
  });

  test(`[${L}] vault: search, select, details, re-verify`, async ({ open, shot, calls }) => {
    const page = await open(flag);
    await page.getByTestId('nav-vault').click();
    await page.getByTestId('vault-row').nth(3).waitFor();
    eq(await page.getByTestId('vault-row').count(), 4, 'four records');
    eq(await page.getByTestId('vault-range').innerText(), tt('pager.range', { first: 1, last: 4, total: 4 }), 'page label');
    eq(await page.getByTestId('vault-prev').isDisabled(), true, 'no previous page');
    eq(await page.getByTestId('vault-next').isDisabled(), true, 'no next page');
    eq(await page.getByTestId('vault-row').first().getAttribute('data-id'), '01a2286b-77a0-7c42-8e11-0f4a2b6c9d21', 'newest first');
    await searchFor(page, 'vault', 'contract');
    eq(await page.getByTestId('vault-row').count(), 1, 'search by name');
    eq(await page.getByTestId('vault-range').innerText(), tt('pager.range', { first: 1, last: 1, total: 1 }), 'label of the search');
    await searchFor(page, 'vault', 'ef30c41e');
    eq(await page.getByTestId('vault-row').first().getAttribute('data-id'), '01a22869-bdfe-749d-844d-927c4c792066', 'search by digest prefix');
    await searchFor(page, 'vault', '01A2286C');
    eq(await page.getByTestId('vault-row').count(), 1, 'search by record id prefix');
    has(await page.getByTestId('vault-row').first().innerText(), '设计稿-首页.png', 'the record with that id');
    await searchFor(page, 'vault', 'nothing-like-this');
    eq(await page.getByTestId('vault-no-match').innerText(), d['vault.noMatch'], 'no match text');
    eq(await page.getByTestId('vault-range').innerText(), '', 'no label without records');
    await searchFor(page, 'vault', '');
    eq(await page.getByTestId('vault-row').count(), 4, 'search cleared');
    eq(JSON.stringify((await calls(page)).filter((c) => c.cmd === 'records').map((c) => c.args.query.search)), JSON.stringify(['', 'contract', 'ef30c41e', '01A2286C', 'nothing-like-this', '']), 'each search asked the vault once');
    const listed = page.getByTestId('vault-row').first().getByTestId('badge-pending');
    ok([d['badge.pending.timestampLabel'], d['badge.pending.anchorLabel']].includes(await listed.innerText()), 'pending badge in list');
    eq(await page.getByTestId('vault-retry').innerText(), d['vault.retry'], 'retry button while something is pending');
    const answered = await answeredCount(page);
    await page.getByTestId('vault-retry').click();
    await page.waitForFunction(() => window.__evidentiaMock.calls.some((c) => c.cmd === 'sync'));
    await settled(page, 'vault', answered);
    eq(await page.getByTestId('vault-row').count(), 4, 'page read again after the retry');
    eq(await page.locator('[data-testid="vault-row"][data-id="01a2286a-0c11-7a3e-9d0b-5b1f3c2e7a10"]').getByTestId('badge-anchored').innerText(), d['badge.anchored'], 'anchored badge');
    eq(await page.getByTestId('vault-export-selected').isDisabled(), true, 'export disabled without selection');
    // Proofs that weaken within two years: the line says so, and Renew makes their evidence records.
    await page.getByTestId('vault-renewal-due').waitFor({ state: 'visible' });
    has(await page.getByTestId('vault-renewal-due').innerText(), tt('vault.renewal.due', { count: 3, date: '\u0000' }).split('\u0000')[0], 'renewal due line');
    await page.getByTestId('vault-renew').click();
    await page.waitForFunction(() => window.__evidentiaMock.calls.some((c) => c.cmd === 'renew'));
    await page.getByTestId('vault-renewal-due').waitFor({ state: 'detached' });
    has(await page.getByTestId('vault-renewal').innerText(), tt('vault.renewal.archived', { count: 3 }), 'renewed records named');
    eq(await page.getByTestId('vault-renewal-note').innerText(), tt('vault.renewal.done', { count: 3 }), 'what Renew did');
    await page.getByTestId('vault-select-all').check();
    eq(await page.getByTestId('vault-export-selected').innerText(), tt('vault.exportSelected', { count: 4 }), 'select all on the page');
    await page.getByTestId('vault-select-all').uncheck();
    eq(await page.getByTestId('vault-export-selected').isDisabled(), true, 'none selected again');
    await page.getByTestId('vault-row').nth(0).getByTestId('vault-select').check();
    await page.getByTestId('vault-row').nth(1).getByTestId('vault-select').check();
    eq(await page.getByTestId('vault-export-selected').innerText(), tt('vault.exportSelected', { count: 2 }), 'export selected count');
    eq(await page.getByTestId('record-detail').isHidden(), true, 'checking a box does not open details');
    ok((await calls(page)).filter((c) => c.cmd === 'records').every((c) => c.args.query.limit === 100), 'every request asks for one page of 100');
    await page.locator('[data-testid="vault-row"][data-id="01a22869-bdfe-749d-844d-927c4c792066"] .col-name').click();
    const detail = page.getByTestId('record-detail');
    await detail.waitFor({ state: 'visible' });
    eq(await detail.getByTestId('detail-name').innerText(), 'contract.txt', 'detail name');
    has(await detail.getByTestId('detail-digests').innerText(), 'ef30c41e 3b107e09', 'grouped digest');
    has(await detail.getByTestId('detail-signer').innerText(), 'CN=Alice Zhang', 'signer');
    has(await detail.getByTestId('detail-tsa').innerText(), 'http://127.0.0.1:40299/tsa', 'TSA url');
    has(await detail.innerText(), d['detail.selfSigned'], 'self-made note');
    has(await detail.innerText(), d['detail.noAnchor'], 'no anchor yet');
    const kinds = await detail.locator('.timeline-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    eq(kinds.join(','), 'created,signed,timestamped', 'custody timeline oldest first');
    has(await detail.locator('.timeline-item').first().innerText(), `#1 · ${d['detail.event.created']}`, 'event label');
    await shot(page, `vault-${L}`);
    await detail.getByTestId('record-open').click();
    await detail.getByTestId('record-reverify').click();
    const total = detail.getByTestId('verify-total');
    await total.waitFor();
    eq(await total.getAttribute('data-result'), 'TOTAL-PASSED', 'reverify verdict');
    eq(await detail.getByTestId('verify-sentence').innerText(), d['verdict.sentence.passed'], 'reverify sentence');
    const cmds = (await calls(page)).map((c) => `${c.cmd}:${c.args.id ?? ''}`);
    ok(cmds.includes('open_original:01a22869-bdfe-749d-844d-927c4c792066'), 'open_original called with the id');
    ok(cmds.includes('reverify:01a22869-bdfe-749d-844d-927c4c792066'), 'reverify called with the id');
    await shot(page, `vault-reverify-${L}`);
    await page.locator('[data-testid="vault-row"][data-id="01a2286a-0c11-7a3e-9d0b-5b1f3c2e7a10"] .col-name').click();
    await detail.getByTestId('detail-tx').waitFor();
    has(await detail.getByTestId('detail-anchor').innerText(), '1842', 'block number');
    eq((await detail.locator('.timeline-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))).join(','), 'created,signed,timestamped,batched,anchored', 'anchored timeline');
    await shot(page, `vault-anchored-${L}`);
    await detail.getByTestId('record-close').click();
    eq(await detail.isHidden(), true, 'detail closed');
  });

  test(`[${L}] vault: filtered by status and by case; a case opened, filled, thinned and exported whole`, async ({ open, shot, calls }) => {
    const page = await open(flag);
    await page.getByTestId('nav-vault').click();
    await page.getByTestId('vault-row').nth(3).waitFor();
    const ids = () => page.getByTestId('vault-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    const filterBy = async (testid, value) => {
      const before = await answeredCount(page);
      await page.getByTestId(testid).selectOption(value);
      await settled(page, 'vault', before);
    };
    // Each status shows exactly the records whose badges say it, and asks the vault for it.
    const all = await ids();
    const badgeOf = { signed: 'badge-signed', timestamped: 'badge-timestamped', anchored: 'badge-anchored', no_timestamp: 'badge-untimestamped' };
    for (const [status, badge] of Object.entries(badgeOf)) {
      const expected = [];
      for (const id of all) if ((await page.locator(`[data-testid="vault-row"][data-id="${id}"]`).getByTestId(badge).count()) > 0) expected.push(id);
      await filterBy('vault-status', status);
      eq(JSON.stringify(await ids()), JSON.stringify(expected), `status ${status}`);
      if (expected.length === 0) eq(await page.getByTestId('vault-no-match').innerText(), d['vault.noMatchFilter'], `no ${status} record`);
      await filterBy('vault-status', '');
    }
    ok((await calls(page)).some((c) => c.cmd === 'records' && c.args.query.status === 'anchored'), 'the status filter reaches the vault');
    eq((await ids()).length, 4, 'every record again');
    // A new case, two records added to it, one removed again.
    const name = L === 'en' ? 'Supplier dispute 2026' : '供应商合同纠纷 2026';
    await page.getByTestId('vault-case-new').click();
    await page.getByTestId('vault-case-name').fill(name);
    await page.getByTestId('vault-case-create').click();
    await page.getByTestId('vault-case-note').waitFor();
    eq(await page.getByTestId('vault-case-note').innerText(), tt('vault.case.opened', { name }), 'case opened');
    await page.getByTestId('vault-row').nth(3).waitFor();
    await page.getByTestId('vault-row').nth(0).getByTestId('vault-select').check();
    await page.getByTestId('vault-row').nth(2).getByTestId('vault-select').check();
    const chosen = [all[0], all[2]];
    await page.getByTestId('vault-case-add').selectOption(name);
    await page.waitForFunction((t) => document.querySelector('[data-testid="vault-case-note"]')?.textContent === t, tt('vault.case.added', { count: 2, name }));
    await filterBy('vault-case', name);
    eq(JSON.stringify(await ids()), JSON.stringify(chosen), 'the case holds the two records');
    eq(await page.getByTestId('vault-range').innerText(), tt('pager.range', { first: 1, last: 2, total: 2 }), 'label of the case');
    has(await page.getByTestId('vault-case').locator('option:checked').innerText(), tt('vault.case.option', { name, count: 2 }), 'case with its count');
    await page.locator(`[data-testid="vault-row"][data-id="${all[0]}"] .col-name`).click();
    const detail = page.getByTestId('record-detail');
    await detail.getByTestId('detail-cases').waitFor();
    eq(await detail.getByTestId('detail-cases').innerText(), name, 'the record names its case');
    await detail.getByTestId('record-close').click();
    await shot(page, `vault-case-${L}`);
    await page.locator(`[data-testid="vault-row"][data-id="${all[2]}"]`).getByTestId('vault-select').uncheck();
    eq(await page.getByTestId('vault-case-remove').innerText(), tt('vault.case.remove', { count: 1 }), 'remove the one still selected');
    await page.getByTestId('vault-case-remove').click();
    await page.waitForFunction((t) => document.querySelector('[data-testid="vault-case-note"]')?.textContent === t, tt('vault.case.removed', { count: 1, name }));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="vault-row"]').length === 1);
    eq(JSON.stringify(await ids()), JSON.stringify([all[2]]), 'one record left in the case');
    const change = (await calls(page)).filter((c) => c.cmd === 'change_case').map((c) => [c.args.name, c.args.ids.length, c.args.add]);
    eq(JSON.stringify(change), JSON.stringify([[name, 2, true], [name, 1, false]]), 'case changes asked of the vault');
    // Export the case: the Export screen exports it whole and the package is named after it.
    await page.getByTestId('vault-case-export').click();
    await page.getByTestId('export-case').waitFor();
    eq(await page.getByTestId('export-case').inputValue(), name, 'the case to export');
    has(await page.locator('.screen-export').innerText(), tt('export.case.chosen', { name, count: 1 }), 'what the package will hold');
    await shot(page, `export-case-${L}`);
    await page.getByTestId('export-start').click();
    await page.getByTestId('export-result').waitFor();
    eq(await page.getByTestId('export-path').innerText(), `/home/ana/Documents/Evidentia/${name}.asice`, 'package named after the case');
    const ex = (await calls(page)).find((c) => c.cmd === 'export');
    eq(ex.args.case, name, 'the case exported');
    // A case name already taken is refused with a plain sentence.
    await page.getByTestId('nav-vault').click();
    await page.getByTestId('vault-case-new').click();
    await page.getByTestId('vault-case-name').fill(name);
    await page.getByTestId('vault-case-create').click();
    await page.getByTestId('error-banner').waitFor();
    has(await page.getByTestId('error-banner').innerText(), d['error.CASE_EXISTS'], 'taken name explained');
  });

  test(`[${L}] vault: a million records, one page of 100 at a time`, async ({ open, shot, calls }) => {
    const page = await open(`${flag},vault-million`);
    const range = () => page.getByTestId('vault-range').innerText();
    const rows = page.getByTestId('vault-row');
    const label = (first, last, total) => tt('pager.range', { first: thousands(first), last: thousands(last), total: thousands(total) });
    const lastQuery = async () => (await calls(page)).filter((c) => c.cmd === 'records').pop().args.query;
    await page.getByTestId('nav-vault').click();
    await rows.nth(99).waitFor();
    eq(await rows.count(), 100, 'exactly 100 rows');
    eq(await range(), label(1, 100, MILLION), 'label of the first page');
    eq(await range(), L === 'en' ? '1–100 of 1,000,000' : '第 1–100 条，共 1,000,000 条', 'label as written');
    has(await rows.first().getAttribute('data-id'), millionIdHead(MILLION), 'the newest record first');
    eq(await rows.first().locator('.cell-title').innerText(), millionName(MILLION), 'its name');
    eq(await rows.nth(99).locator('.cell-title').innerText(), millionName(MILLION - 99), 'the 100th newest last');
    eq(await page.getByTestId('vault-prev').isDisabled(), true, 'no previous page');
    eq(await page.getByTestId('vault-next').isDisabled(), false, 'a next page');
    eq(JSON.stringify(await lastQuery()), JSON.stringify({ search: '', offset: 0, limit: 100 }), 'one page asked for');
    await shot(page, `vault-million-${L}`);

    let before = await answeredCount(page);
    await page.getByTestId('vault-next').click();
    await settled(page, 'vault', before);
    eq(await range(), label(101, 200, MILLION), 'label of the second page');
    eq(await rows.count(), 100, '100 rows on the second page');
    has(await rows.first().getAttribute('data-id'), millionIdHead(MILLION - 100), 'the 101st newest first');
    eq(await rows.first().locator('.cell-title').innerText(), millionName(MILLION - 100), 'its name');
    eq(await rows.nth(99).locator('.cell-title').innerText(), millionName(MILLION - 199), 'the 200th newest last');
    eq(JSON.stringify(await lastQuery()), JSON.stringify({ search: '', offset: 100, limit: 100 }), 'page 2 asked for');
    eq(await page.getByTestId('vault-prev').isDisabled(), false, 'a previous page');

    // "records-changed" reads the current page again.
    before = await answeredCount(page);
    await page.evaluate(() => window.__evidentiaMock.emit('records-changed'));
    await settled(page, 'vault', before);
    eq(JSON.stringify(await lastQuery()), JSON.stringify({ search: '', offset: 100, limit: 100 }), 'the current page read again');
    eq(await range(), label(101, 200, MILLION), 'still the second page');

    before = await answeredCount(page);
    await page.getByTestId('vault-prev').click();
    await settled(page, 'vault', before);
    eq(await range(), label(1, 100, MILLION), 'back on the first page');
    before = await answeredCount(page);
    await page.getByTestId('vault-next').click();
    await settled(page, 'vault', before);

    // The search is sent once typing pauses, and starts on page 1.
    before = await answeredCount(page);
    await page.getByTestId('vault-search').pressSequentially('invoice', { delay: 25 });
    await settled(page, 'vault', before, 'invoice');
    const searches = (await calls(page)).filter((c) => c.cmd === 'records').map((c) => c.args.query.search);
    eq(JSON.stringify(searches.filter((x) => x !== '')), JSON.stringify(['invoice']), 'one request for the word typed, none per keystroke');
    eq(JSON.stringify(await lastQuery()), JSON.stringify({ search: 'invoice', offset: 0, limit: 100 }), 'the search asks for page 1');
    const invoices = millionCount('invoice');
    eq(await range(), label(1, 100, invoices), 'label with the total found');
    eq(await rows.count(), 100, '100 rows found');
    ok((await rows.locator('.cell-title').allInnerTexts()).every((n) => n.startsWith('invoice-')), 'only invoices');
    before = await answeredCount(page);
    await page.getByTestId('vault-next').click();
    await settled(page, 'vault', before);
    eq(await range(), label(101, 200, invoices), 'second page of the search');
    eq(JSON.stringify(await lastQuery()), JSON.stringify({ search: 'invoice', offset: 100, limit: 100 }), 'page 2 of the search asked for');

    await searchFor(page, 'vault', 'photo-09999');
    const few = millionCount('photo', 999_900, 999_999);
    eq(await range(), label(1, few, few), 'a search with one page of results');
    eq(await rows.count(), few, 'every record found');
    eq(await page.getByTestId('vault-next').isDisabled(), true, 'no next page');
    await shot(page, `vault-million-search-${L}`);

    // A record far back, found by the start of its id, and opened.
    await searchFor(page, 'vault', millionIdHead(123_456));
    eq(await rows.count(), 1, 'found by its id');
    await rows.first().locator('.col-name').click();
    await page.getByTestId('record-detail').waitFor({ state: 'visible' });
    eq(await page.getByTestId('detail-name').innerText(), millionName(123_456), 'its details');
    ok((await calls(page)).filter((c) => c.cmd === 'records').every((c) => c.args.query.limit === 100), 'never more than a page asked for');
  });

  test(`[${L}] vault: a slow older answer never overwrites the newer page`, async ({ open }) => {
    const page = await open(`${flag},vault-million`);
    await page.getByTestId('nav-vault').click();
    await page.getByTestId('vault-row').nth(99).waitFor();
    await page.evaluate(() => {
      window.__evidentiaMock.recordsDelayMs['invoice'] = 1500;
    });
    await page.getByTestId('vault-search').fill('invoice');
    await page.waitForFunction(() => window.__evidentiaMock.calls.some((c) => c.cmd === 'records' && c.args.query.search === 'invoice'));
    await searchFor(page, 'vault', 'photo');
    const photos = tt('pager.range', { first: '1', last: '100', total: thousands(millionCount('photo')) });
    eq(await page.getByTestId('vault-range').innerText(), photos, 'the newer search shown');
    eq(await page.evaluate(() => window.__evidentiaMock.recordsAnswered.some((a) => a.search === 'invoice')), false, 'the older answer is still on its way');
    await page.waitForFunction(() => window.__evidentiaMock.recordsAnswered.some((a) => a.search === 'invoice'));
    await page.waitForTimeout(150);
    eq(await page.getByTestId('vault-range').innerText(), photos, 'the older answer did not replace the page');
    ok((await page.getByTestId('vault-row').locator('.cell-title').allInnerTexts()).every((n) => n.startsWith('photo-')), 'the rows are still the newer search’s');
    eq(await page.getByTestId('vault-search').inputValue(), 'photo', 'the search box unchanged');
    eq(await page.getByTestId('vault-pager').getAttribute('aria-busy'), 'false', 'nothing shown as loading');
  });

  test(`[${L}] export: records chosen on several pages, and found by a search`, async ({ open, calls }) => {
    const page = await open(`${flag},vault-million`);
    await page.getByTestId('nav-vault').click();
    const rows = page.getByTestId('vault-row');
    await rows.nth(99).waitFor();
    const first = await rows.first().getAttribute('data-id');
    await rows.first().getByTestId('vault-select').check();
    let before = await answeredCount(page);
    await page.getByTestId('vault-next').click();
    await settled(page, 'vault', before);
    const second = await rows.first().getAttribute('data-id');
    await rows.first().getByTestId('vault-select').check();
    eq(await page.getByTestId('vault-export-selected').innerText(), tt('vault.exportSelected', { count: 2 }), 'chosen on two pages');
    await page.getByTestId('vault-export-selected').click();
    await page.getByTestId('export-records').waitFor();
    await settled(page, 'export', 0);
    eq(await page.getByTestId('export-chosen-record').count(), 2, 'both chosen records listed');
    eq(JSON.stringify(await page.getByTestId('export-chosen-record').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')))), JSON.stringify([first, second]), 'in the order chosen');
    has(await page.locator('.screen-export h2').first().innerText(), tt('export.records', { count: 2 }), 'records heading');
    eq(await page.getByTestId('export-select').count(), 100, 'one page to choose from');
    eq(await page.getByTestId('export-range').innerText(), tt('pager.range', { first: '1', last: '100', total: thousands(MILLION) }), 'its label');
    eq(await page.locator('[data-testid="export-select"]:checked').count(), 1, 'the record chosen on this page is ticked');
    await searchFor(page, 'export', 'recording-09999');
    const found = millionCount('recording', 999_900, 999_999);
    eq(await page.getByTestId('export-range').innerText(), tt('pager.range', { first: '1', last: String(found), total: String(found) }), 'records found');
    const third = await page.getByTestId('export-record').first().getAttribute('data-id');
    await page.getByTestId('export-record').first().getByTestId('export-select').check();
    eq(await page.getByTestId('export-chosen-record').count(), 3, 'a third record added');
    await page.locator(`[data-testid="export-chosen-record"][data-id="${second}"]`).getByTestId('export-chosen-remove').click();
    eq(await page.getByTestId('export-chosen-record').count(), 2, 'one taken out again');
    await page.getByTestId('export-start').click();
    await page.getByTestId('export-result').waitFor();
    const ex = (await calls(page)).find((c) => c.cmd === 'export');
    eq(JSON.stringify(ex.args.ids), JSON.stringify([first, third]), 'exported exactly the records chosen');
    await page.getByTestId('export-clear').click();
    eq(await page.getByTestId('export-none').innerText(), d['export.none'], 'selection cleared');
    eq(await page.getByTestId('export-start').isDisabled(), true, 'nothing to export');
  });

  test(`[${L}] verify: passed report, PDF`, async ({ open, shot, calls }) => {
    const page = await open(flag);
    await page.getByTestId('nav-verify').click();
    eq(await page.getByTestId('verify-empty').innerText(), d['verify.empty'], 'empty verify text');
    await page.getByTestId('verify-pick').click();
    const total = page.getByTestId('verify-total');
    await total.waitFor();
    eq(await total.getAttribute('data-result'), 'TOTAL-PASSED', 'verdict');
    has(await total.innerText(), d['verdict.total.passed'], 'verdict label');
    eq(await page.getByTestId('verify-sentence').innerText(), d['verdict.sentence.passed'], 'plain sentence');
    const color = await total.evaluate((el) => getComputedStyle(el.querySelector('.verdict-mark')).backgroundColor);
    eq(color, 'rgb(23, 114, 69)', 'passed is green');
    eq(await page.getByTestId('check-row').count(), 7, 'package + record checks');
    has(await page.getByTestId('check-row').first().innerText(), d['check.container'], 'check name translated');
    has(await page.getByTestId('check-row').first().innerText(), 'ASiC-E container', 'check detail');
    has(await page.getByTestId('verify-policy').innerText(), 'the configured TSA roots', 'policy shown');
    has(await page.getByTestId('verify-result').innerText(), 'evidence-2026-11-29.asice', 'package name');
    await page.getByTestId('verify-pdf-lang').selectOption('both');
    await page.getByTestId('verify-save-pdf').click();
    await page.getByTestId('verify-saved').waitFor();
    has(await page.getByTestId('verify-saved').innerText(), 'verification-report-both.pdf', 'saved path');
    const c = (await calls(page)).filter((x) => x.cmd === 'verify_evidence' || x.cmd === 'save_report');
    eq(c[0].args.path, '/home/ana/Downloads/evidence-2026-11-29.asice', 'verify path from pick_package');
    eq(c[1].args.lang, 'both', 'save_report lang');
    await shot(page, `verify-${L}`);
  });

  test(`[${L}] verify: indeterminate and failed`, async ({ open, shot }) => {
    let page = await open(`${flag},verify-indet`);
    await page.getByTestId('nav-verify').click();
    await page.getByTestId('verify-pick').click();
    await page.getByTestId('verify-total').waitFor();
    eq(await page.getByTestId('verify-total').getAttribute('data-result'), 'INDETERMINATE', 'indeterminate');
    eq(await page.getByTestId('verify-sentence').innerText(), d['verdict.sentence.indeterminate'], 'indeterminate sentence');
    eq(await page.getByTestId('verify-total').evaluate((el) => getComputedStyle(el.querySelector('.verdict-mark')).backgroundColor), 'rgb(161, 92, 7)', 'amber');
    const indet = page.locator('[data-testid="check-row"][data-verdict="INDETERMINATE"]');
    eq(await indet.count(), 1, 'one indeterminate check');
    has(await indet.getByTestId('check-reason').innerText(), 'NO_TRUSTED_ROOT', 'reason code');
    has(await indet.getByTestId('check-reason').innerText(), d['reason.NO_TRUSTED_ROOT'], 'reason explained');
    await shot(page, `verify-indet-${L}`);
    page = await open(`${flag},verify-failed`);
    await page.getByTestId('nav-verify').click();
    await page.getByTestId('verify-pick').click();
    await page.getByTestId('verify-total').waitFor();
    eq(await page.getByTestId('verify-total').getAttribute('data-result'), 'TOTAL-FAILED', 'failed');
    eq(await page.getByTestId('verify-total').evaluate((el) => getComputedStyle(el.querySelector('.verdict-mark')).backgroundColor), 'rgb(180, 35, 24)', 'red');
    eq(await page.getByTestId('verify-sentence').innerText(), d['verdict.sentence.failed'], 'failed sentence');
    has(await page.locator('[data-testid="check-row"][data-verdict="FAILED"]').innerText(), 'HASH_MISMATCH', 'failed reason');
    await shot(page, `verify-failed-${L}`);
  });

  test(`[${L}] verify: errors are plain sentences`, async ({ open, shot }) => {
    const cases = [
      ['verify-not-found', 'RECORD_NOT_FOUND', 'error.RECORD_NOT_FOUND'],
      ['verify-hostile', 'PACKAGE_HOSTILE', 'error.PACKAGE_HOSTILE'],
      ['verify-not-granted', 'NOT_GRANTED', 'error.NOT_GRANTED'],
    ];
    for (const [scenario, code, key] of cases) {
      const page = await open(`${flag},${scenario}`);
      await page.getByTestId('nav-verify').click();
      await page.getByTestId('verify-pick').click();
      await page.locator(`[data-testid="error-banner"][data-code="${code}"]`).waitFor();
      eq(await page.getByTestId('error-text').innerText(), d[key], `${code} sentence`);
      eq(await page.getByTestId('verify-total').count(), 0, 'no report shown');
      if (code === 'RECORD_NOT_FOUND') await shot(page, `verify-error-${L}`);
    }
  });

  test(`[${L}] verify: a file dropped on Verify is verified`, async ({ open, calls }) => {
    const page = await open(`${flag},verify-indet`);
    await page.getByTestId('nav-verify').click();
    await page.evaluate(() => window.__evidentiaMock.emit('files-dropped', { paths: ['/tmp/received.asice'] }));
    await page.getByTestId('verify-total').waitFor();
    eq((await calls(page)).find((c) => c.cmd === 'verify_evidence').args.path, '/tmp/received.asice', 'dropped path verified');
    eq(await page.getByTestId('nav-verify').getAttribute('aria-current'), 'page', 'stays on Verify');
  });

  test(`[${L}] verify: a detached signature asks for its file; a proof lists its attestations`, async ({ open, shot, calls }) => {
    const page = await open(flag);
    await page.getByTestId('nav-verify').click();
    await page.evaluate(() => window.__evidentiaMock.emit('files-dropped', { paths: ['/tmp/deal.p7s'] }));
    await page.getByTestId('verify-needs-file').waitFor();
    eq(await page.getByTestId('verify-needs-file').locator('h2').innerText(), d['verify.detached.title'], 'asks for the file');
    await page.getByTestId('verify-pick-data').click();
    const evidence = page.getByTestId('verify-evidence');
    await evidence.waitFor();
    eq(await evidence.getAttribute('data-kind'), 'signature', 'a signature');
    eq(await page.getByTestId('verify-total').getAttribute('data-result'), 'INDETERMINATE', 'signature verdict');
    const paired = (await calls(page)).filter((c) => c.cmd === 'verify_evidence').pop();
    eq(paired.args.file, '/home/ana/Documents/contract.txt', 'the chosen file goes with the signature');
    await shot(page, `verify-signature-${L}`);
    await page.evaluate(() => window.__evidentiaMock.emit('files-dropped', { paths: ['/tmp/poem.txt.ots'] }));
    await page.getByTestId('verify-evidence').and(page.locator('[data-kind="ots"]')).waitFor();
    has(await page.getByTestId('verify-evidence').innerText(), '358391', 'the Bitcoin block named');
    await shot(page, `verify-ots-${L}`);
  });

  test(`[${L}] verify: a received signed PDF shown page by page, then countersigned on the Seal screen`, async ({ open, shot }) => {
    const page = await open(`${flag},pick-pdf,identity-seal`);
    await page.getByTestId('nav-verify').click();
    await page.getByTestId('verify-pick').click();
    await page.getByTestId('verify-pdf').waitFor();
    await page.getByTestId('verify-show-doc').click();
    await page.getByTestId('verify-doc-page').and(page.locator('[data-rendered="1"]')).waitFor();
    eq(await page.getByTestId('verify-doc-thumb').count(), 2, 'its pages');
    eq(await page.getByTestId('verify-doc-counter').innerText(), tt('pdf.pageOf', { page: 1, pages: 2 }), 'page 1 of 2');
    await page.getByTestId('verify-doc-view').scrollIntoViewIfNeeded();
    await shot(page, `verify-document-${L}`, { keepScroll: true });
    await page.getByTestId('verify-countersign').click();
    eq(await page.getByTestId('nav-seal').getAttribute('aria-current'), 'page', 'the Seal screen');
    eq(await page.getByTestId('seal-queue-item').getAttribute('data-path'), '/home/ana/Documents/Contracts/supplier-agreement-SIGNED.PDF', 'the received PDF queued');
    await page.getByTestId('seal-identity').selectOption('alice-zhang');
    eq(await page.getByTestId('seal-pades').isChecked(), true, 'signed inside');
    eq(await page.getByTestId('seal-visible').isChecked(), true, 'at a place on a page');
    await page.getByTestId('seal-doc-page').and(page.locator('[data-rendered="1"]')).waitFor();
  });

  test(`[${L}] verify: signatures inside a PDF beside the vault lookup`, async ({ open, shot, calls }) => {
    const page = await open(`${flag},pick-pdf`);
    await page.getByTestId('nav-verify').click();
    await page.getByTestId('verify-pick').click();
    const section = page.getByTestId('verify-pdf');
    await section.waitFor();
    await page.getByTestId('verify-total').waitFor();
    eq(await page.getByTestId('verify-total').getAttribute('data-result'), 'TOTAL-PASSED', 'vault lookup still shown');
    has(await section.locator('h2').first().innerText(), d['verify.pdf.title'], 'section title');
    eq(await section.getByTestId('verify-pdf-total').getAttribute('data-result'), 'TOTAL-PASSED', 'PDF verdict');
    const rows = section.getByTestId('pdf-sig-row');
    eq(await rows.count(), 3, 'two signatures and a document time-stamp');
    eq(JSON.stringify(await rows.evaluateAll((els) => els.map((e) => [e.getAttribute('data-field'), e.getAttribute('data-kind'), e.getAttribute('data-level'), e.getAttribute('data-result')]))), JSON.stringify([
      ['Signature1', 'signature', 'B-LTA', 'TOTAL-PASSED'],
      ['Signature2', 'signature', 'B-LTA', 'TOTAL-PASSED'],
      ['DocTimeStamp1', 'document-timestamp', '', 'TOTAL-PASSED'],
    ]), 'rows');
    const first = rows.first();
    eq(await first.getByTestId('pdf-sig-kind').innerText(), d['verify.pdf.kind.signature'], 'kind label');
    eq(await first.getByTestId('pdf-sig-level').innerText(), 'PAdES B-LTA', 'level');
    eq(await first.getByTestId('pdf-sig-signer').innerText(), 'CN=Ana Li,O=Li & Partners Law Firm,L=Shanghai,C=CN', 'signer subject');
    has(await first.getByTestId('pdf-sig-time').innerText(), '2026-11-30 01:45:48', 'time-stamp time in the local zone');
    eq(await first.getByTestId('pdf-sig-result').innerText(), d['verdict.passed'], 'result badge');
    eq(await rows.nth(2).getByTestId('pdf-sig-kind').innerText(), d['verify.pdf.kind.document-timestamp'], 'document time-stamp');
    eq(await section.getByTestId('pdf-sig-problems').count(), 0, 'no failing checks');
    eq(await section.getByTestId('pdf-sig-changes').count(), 0, 'no disallowed changes');
    const c = (await calls(page)).filter((x) => x.cmd === 'verify_evidence' || x.cmd === 'verify_pdf');
    eq(JSON.stringify(c.map((x) => [x.cmd, x.args.path]).sort()), JSON.stringify([['verify_evidence', '/home/ana/Documents/Contracts/supplier-agreement-SIGNED.PDF'], ['verify_pdf', '/home/ana/Documents/Contracts/supplier-agreement-SIGNED.PDF']]), 'both commands with the chosen path');
    await shot(page, `verify-pdf-${L}`);
    await section.scrollIntoViewIfNeeded();
    await shot(page, `verify-pdf-rows-${L}`, { keepScroll: true });
  });

  test(`[${L}] verify: a PDF changed after signing, a PDF without signatures`, async ({ open, shot, calls }) => {
    let page = await open(`${flag},pick-pdf,pdf-failed,verify-not-found`);
    await page.getByTestId('nav-verify').click();
    await page.getByTestId('verify-pick').click();
    await page.getByTestId('pdf-sig-row').waitFor();
    // Not sealed here but signed: its signatures are the report, with no vault error beside.
    eq(await page.getByTestId('error-banner').isHidden(), true, 'no vault lookup error');
    eq(await page.getByTestId('verify-total').count(), 0, 'no vault report');
    eq(await page.getByTestId('verify-pdf-total').getAttribute('data-result'), 'TOTAL-FAILED', 'PDF failed');
    const row = page.getByTestId('pdf-sig-row');
    eq(await row.getAttribute('data-result'), 'TOTAL-FAILED', 'signature failed');
    eq(await row.getByTestId('pdf-sig-result').innerText(), d['verdict.failed'], 'failed badge');
    eq(await row.getByTestId('pdf-sig-result').evaluate((el) => getComputedStyle(el.querySelector('.pill')).color), 'rgb(180, 35, 24)', 'red');
    const failing = row.getByTestId('pdf-sig-problems').getByTestId('check-row');
    eq(await failing.count(), 1, 'one failing check');
    eq(await failing.getAttribute('data-check'), 'modifications', 'the modifications check');
    has(await failing.innerText(), d['check.modifications'], 'check name translated');
    has(await failing.getByTestId('check-reason').innerText(), 'MODIFIED_AFTER_SIGNING', 'reason code');
    has(await failing.getByTestId('check-reason').innerText(), d['reason.MODIFIED_AFTER_SIGNING'], 'reason explained');
    has(await failing.innerText(), 'page 1 was changed (Contents)', 'failing detail');
    has(await row.getByTestId('pdf-sig-changes').innerText(), d['verify.pdf.changes'], 'changes heading');
    eq(JSON.stringify(await row.getByTestId('pdf-sig-change').allInnerTexts()), JSON.stringify(['page 1 was changed (Contents)', 'an object (stream) was added that no signature needs']), 'disallowed changes');
    await page.getByTestId('verify-pdf').scrollIntoViewIfNeeded();
    await shot(page, `verify-pdf-failed-${L}`, { keepScroll: true });

    page = await open(`${flag},pdf-unsigned,verify-indet`);
    await page.getByTestId('nav-verify').click();
    await page.evaluate(() => window.__evidentiaMock.emit('files-dropped', { paths: ['/tmp/scan 扫描件.pdf'] }));
    await page.getByTestId('verify-pdf-none').waitFor();
    eq(await page.getByTestId('verify-pdf-none').innerText(), d['verify.pdf.none'], 'no signature sentence');
    eq(await page.getByTestId('verify-pdf-total').count(), 0, 'no verdict without signatures');
    eq((await calls(page)).find((x) => x.cmd === 'verify_pdf').args.path, '/tmp/scan 扫描件.pdf', 'dropped PDF checked');
    await page.getByTestId('verify-total').waitFor();
    await shot(page, `verify-pdf-none-${L}`);

    page = await open(`${flag},pick-pdf,pdf-unreadable`);
    await page.getByTestId('nav-verify').click();
    await page.getByTestId('verify-pick').click();
    await page.getByTestId('verify-pdf-error').waitFor();
    eq(await page.getByTestId('verify-pdf-error').getAttribute('data-code'), 'PDF_UNREADABLE', 'unreadable code');
    eq(await page.getByTestId('verify-pdf-error').innerText(), d['error.PDF'], 'unreadable sentence');
    await page.getByTestId('verify-total').waitFor();

    page = await open(flag);
    await page.getByTestId('nav-verify').click();
    await page.getByTestId('verify-pick').click();
    await page.getByTestId('verify-total').waitFor();
    eq(await page.getByTestId('verify-pdf').count(), 0, 'no PDF section for a package');
    eq((await calls(page)).some((x) => x.cmd === 'verify_pdf'), false, 'verify_pdf not called for a package');
  });

  test(`[${L}] export: selection, language, identity, result, verify it`, async ({ open, shot, calls }) => {
    const page = await open(flag);
    await page.getByTestId('nav-vault').click();
    await page.getByTestId('vault-row').nth(3).waitFor();
    await page.locator('[data-testid="vault-row"][data-id="01a22869-bdfe-749d-844d-927c4c792066"]').getByTestId('vault-select').check();
    await page.getByTestId('vault-export-selected').click();
    await page.getByTestId('export-records').waitFor();
    eq(await page.getByTestId('nav-export').getAttribute('aria-current'), 'page', 'on export');
    eq(await page.getByTestId('export-select').count(), 4, 'all records listed');
    eq(await page.locator('[data-testid="export-select"]:checked').count(), 1, 'vault selection carried over');
    has(await page.locator('.screen-export h2').first().innerText(), tt('export.records', { count: 1 }), 'records heading');
    eq(await page.getByTestId('export-lang').inputValue(), L, 'report language defaults to UI language');
    await page.getByTestId('export-lang').selectOption('both');
    eq(await page.getByTestId('export-password').count(), 0, 'no password without identity');
    await page.getByTestId('export-identity').selectOption('alice-zhang');
    await page.getByTestId('export-password').fill('pw-12345678');
    await shot(page, `export-form-${L}`);
    await page.getByTestId('export-start').click();
    await page.getByTestId('export-result').waitFor();
    eq(await page.getByTestId('export-path').innerText(), '/home/ana/Documents/Evidentia/evidence-2026-11-29-contract-and-supporting-documents.asice', 'export path');
    const ex = (await calls(page)).find((c) => c.cmd === 'export');
    eq(JSON.stringify(ex.args.ids), JSON.stringify(['01a22869-bdfe-749d-844d-927c4c792066']), 'export ids');
    eq(ex.args.lang, 'both', 'export lang');
    eq(ex.args.identity, 'alice-zhang', 'export identity');
    eq(ex.args.password, 'pw-12345678', 'export password');
    await shot(page, `export-${L}`);
    await page.getByTestId('export-verify').click();
    await page.getByTestId('verify-total').waitFor();
    eq(await page.getByTestId('nav-verify').getAttribute('aria-current'), 'page', 'switched to verify');
    eq(await page.getByTestId('verify-total').getAttribute('data-result'), 'TOTAL-PASSED', 'exported package verified');
    eq((await calls(page)).filter((c) => c.cmd === 'verify').pop().args.path, '/home/ana/Documents/Evidentia/evidence-2026-11-29-contract-and-supporting-documents.asice', 'verify called with the export path');
  });

  test(`[${L}] identities: list, expiry, create, import error, token`, async ({ open, shot, calls }) => {
    let page = await open(flag);
    await page.getByTestId('nav-identities').click();
    await page.getByTestId('identity-row').nth(2).waitFor();
    eq(await page.getByTestId('identity-row').count(), 3, 'three identities');
    const alice = page.locator('[data-testid="identity-row"][data-name="alice-zhang"]');
    eq(await alice.getByTestId('identity-self-made').innerText(), d['id.selfMade'], 'self-made marker');
    has(await alice.innerText(), 'ECDSA P-256', 'key type');
    has(await alice.innerText(), '2036-11-2', 'valid until');
    eq(await alice.getByTestId('identity-expiry').count(), 0, 'no warning for a valid identity');
    const soon = page.locator('[data-testid="identity-row"][data-name="ana-work"]').getByTestId('identity-expiry');
    eq(await soon.getAttribute('data-state'), 'soon', 'expires soon');
    eq(await soon.innerText(), tt('id.expiresSoon', { days: 12 }), 'days left');
    eq(await page.locator('[data-testid="identity-row"][data-name="old-2024"]').getByTestId('identity-expiry').innerText(), d['id.expired'], 'expired');
    await page.getByTestId('identity-create-name').fill('bob');
    await page.getByTestId('identity-create-password').fill('short');
    await page.getByTestId('identity-create-confirm').fill('short');
    await page.getByTestId('identity-create').click();
    eq(await page.getByTestId('identity-create-error').innerText(), d['id.pwShort'], 'password too short');
    await page.getByTestId('identity-create-password').fill('long enough 1');
    await page.getByTestId('identity-create-confirm').fill('long enough 2');
    await page.getByTestId('identity-create').click();
    eq(await page.getByTestId('identity-create-error').innerText(), d['id.pwMismatch'], 'passwords differ');
    await page.getByTestId('identity-create-password').fill('long enough 1');
    await page.getByTestId('identity-create-confirm').fill('long enough 1');
    eq(await page.getByTestId('identity-create-algorithm').inputValue(), 'p256', 'ECDSA P-256 by default');
    await page.getByTestId('identity-create-algorithm').selectOption('sm2');
    await page.getByTestId('identity-create').click();
    await page.getByTestId('identity-create-msg').waitFor();
    eq(await page.getByTestId('identity-create-msg').innerText(), tt('id.added', { name: 'bob' }), 'created');
    eq(await page.getByTestId('identity-row').count(), 4, 'list refreshed');
    eq((await calls(page)).find((c) => c.cmd === 'create_identity').args.algorithm, 'sm2', 'SM2 asked of the core');
    has(await page.locator('[data-testid="identity-row"][data-name="bob"]').innerText(), 'SM2', 'SM2 key named');
    await page.getByTestId('token-module').fill('/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so');
    await page.getByTestId('token-list').click();
    await page.getByTestId('token-select').waitFor();
    eq(await page.getByTestId('token-select').locator('option').count(), 1, 'only slots with a token');
    eq(await page.getByTestId('token-key').inputValue(), 'Signing key', 'first key chosen');
    eq(JSON.stringify(await page.getByTestId('token-key').locator('option').allInnerTexts()), JSON.stringify(['Signing key — CN=Ana Li,O=Li & Partners', 'Auth key — CN=Ana Li (auth)']), 'keys from certificates');
    await page.getByTestId('token-name').fill('card');
    await page.getByTestId('token-pin').fill('123456');
    await page.getByTestId('token-add').click();
    await page.getByTestId('token-msg').waitFor();
    const add = (await calls(page)).find((c) => c.cmd === 'add_token_identity');
    eq(JSON.stringify([add.args.module, add.args.token, add.args.keyLabel, add.args.name, add.args.pin]), JSON.stringify(['/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so', 'ePass2003', 'Signing key', 'card', '123456']), 'add_token_identity args');
    await shot(page, `identities-${L}`);

    page = await open(`${flag},import-wrong-password`);
    await page.getByTestId('nav-identities').click();
    await page.getByTestId('identity-import').click();
    eq(await page.getByTestId('identity-import-msg').innerText(), d['id.fileRequired'], 'file required first');
    await page.getByTestId('identity-import-pick').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="identity-import-path"]')?.textContent === 'ana-li-2026.p12');
    eq(await page.getByTestId('identity-import-name').inputValue(), 'ana-li-2026', 'name suggested from file');
    await page.getByTestId('identity-import-password').fill('wrong');
    await page.getByTestId('identity-import').click();
    await page.locator('[data-testid="error-banner"][data-code="PKCS12_BAD_PASSWORD"]').waitFor();
    eq(await page.getByTestId('error-text').innerText(), d['error.WRONG_PASSWORD'], 'wrong password sentence');
    await shot(page, `identities-error-${L}`);
  });

  test(`[${L}] settings: load, save, switch language live`, async ({ open, shot, calls }) => {
    const page = await open(flag);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-save').waitFor();
    eq(await page.getByTestId('settings-profile').inputValue(), 'sandbox', 'profile');
    eq(await page.getByTestId('settings-tsa').inputValue(), 'http://127.0.0.1:40299/tsa', 'tsa urls');
    eq(await page.getByTestId('settings-anchor-after').inputValue(), '10', 'anchor after');
    eq(await page.getByTestId('settings-language').inputValue(), L, 'saved language');
    eq(await page.getByTestId('settings-config-file').innerText(), tt('settings.configFile', { path: '/home/ana/.config/evidentia/config.toml' }), 'config file path');
    await page.getByTestId('settings-vault-pick').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="settings-vault"]')?.textContent === '/mnt/evidence/vault');
    await page.getByTestId('settings-tsa').fill('https://tsa.one/tsr\n\n  https://tsa.two/tsr  ');
    await shot(page, `settings-${L}`);
    const other = L === 'en' ? 'zh-CN' : 'en';
    await page.getByTestId('settings-language').selectOption(other);
    await page.getByTestId('settings-theme').selectOption('dark');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-saved').waitFor();
    eq(await page.getByTestId('settings-saved').innerText(), DICTS[other]['settings.saved'], 'saved message in the new language');
    eq((await page.getByTestId('nav-settings').innerText()).trim(), DICTS[other]['nav.settings'], 'UI switched language');
    eq(await page.evaluate(() => document.documentElement.getAttribute('data-theme')), 'dark', 'dark theme applied');
    const saved = (await calls(page)).find((c) => c.cmd === 'save_settings').args.settings;
    eq(JSON.stringify(saved.tsa_urls), JSON.stringify(['https://tsa.one/tsr', 'https://tsa.two/tsr']), 'tsa urls one per line');
    eq(saved.vault_dir, '/mnt/evidence/vault', 'vault dir');
    eq(saved.language, other, 'language saved');
    eq(await page.getByTestId('settings-tsa').inputValue(), 'https://tsa.one/tsr\nhttps://tsa.two/tsr', 'tsa list tidied after save');
    await shot(page, `settings-dark-${other}`);
  });

  test(`[${L}] settings: a team vault by URL is saved and shown without its password`, async ({ open, shot, calls }) => {
    const page = await open(flag);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-save').waitFor();
    eq(await page.getByTestId('settings-vault-kind').innerText(), d['settings.vaultFolder'], 'a folder vault at first');
    eq(await page.getByTestId('settings-vault').innerText(), '/home/ana/.local/share/evidentia/vault', 'the folder');
    has(await page.locator('.screen-settings').innerText(), d['settings.teamUrl'], 'the team vault field is labelled');
    has(await page.locator('.screen-settings').innerText(), d['settings.teamHint'], 'the password hint');
    const url = 'postgres://clerk:s3cret@db.example:5432/evidence?folder=/srv/evidentia';
    const display = 'postgres://clerk@db.example:5432/evidence?folder=/srv/evidentia';
    await page.getByTestId('settings-team-url').fill(url);
    await page.getByTestId('settings-team-use').click();
    await page.waitForFunction((t) => document.querySelector('[data-testid="settings-vault"]')?.textContent === t, display);
    eq(await page.getByTestId('settings-vault-kind').innerText(), d['settings.vaultTeam'], 'the kind is a team vault once used');
    eq((await calls(page)).some((c) => c.cmd === 'save_settings'), false, 'nothing saved before Save');
    await shot(page, `settings-team-${L}`);
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-saved').waitFor();
    eq((await calls(page)).find((c) => c.cmd === 'save_settings').args.settings.vault_dir, url, 'the URL with its password is saved');
    eq(await page.getByTestId('settings-vault').innerText(), display, 'shown without the password after saving');
    eq(await page.getByTestId('settings-vault-kind').innerText(), d['settings.vaultTeam'], 'kind after saving');
    eq(await page.getByTestId('settings-team-url').inputValue(), '', 'the URL field is cleared');
    ok(!(await page.content()).includes('s3cret'), 'the password is nowhere on the page');
    // Shown again from the saved settings (the backend answers without the password).
    await page.getByTestId('nav-seal').click();
    await page.getByTestId('nav-settings').click();
    await page.waitForFunction((n) => window.__evidentiaMock.calls.filter((c) => c.cmd === 'settings').length >= n, 3);
    await page.waitForFunction((t) => document.querySelector('[data-testid="settings-vault"]')?.textContent === t, display);
    eq(await page.getByTestId('settings-vault-kind').innerText(), d['settings.vaultTeam'], 'kind after reloading');
    ok(!(await page.content()).includes('s3cret'), 'the password is nowhere on the page after reloading');
    // Saving other settings keeps the vault as it is (the shown form is sent back unchanged).
    await page.getByTestId('settings-anchor-after').fill('7');
    await page.getByTestId('settings-save').click();
    await page.waitForFunction(() => window.__evidentiaMock.calls.filter((c) => c.cmd === 'save_settings').length === 2);
    await page.getByTestId('settings-saved').waitFor();
    eq((await calls(page)).filter((c) => c.cmd === 'save_settings')[1].args.settings.vault_dir, display, 'the shown form is sent back');
    eq(await page.getByTestId('settings-vault').innerText(), display, 'still the team vault');
    await shot(page, `settings-team-saved-${L}`);
  });

  test(`[${L}] settings: a team vault URL that cannot be used is refused and nothing is saved`, async ({ open, shot, calls }) => {
    const page = await open(flag);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-save').waitFor();
    await page.getByTestId('settings-team-url').fill('/srv/evidentia');
    await page.getByTestId('settings-team-use').click();
    eq(await page.getByTestId('settings-team-msg').innerText(), d['settings.teamNotUrl'], 'not a postgres:// URL');
    eq(await page.getByTestId('settings-vault').innerText(), '/home/ana/.local/share/evidentia/vault', 'the vault is unchanged');
    await page.getByTestId('settings-team-url').fill('postgres://clerk:s3cret@db.example:5432/evidence');
    eq(await page.getByTestId('settings-team-msg').count(), 0, 'the message goes when the URL is edited');
    await page.getByTestId('settings-team-use').click();
    await page.getByTestId('settings-save').click();
    await page.locator('[data-testid="error-banner"][data-code="VAULT_BAD_URL"]').waitFor();
    eq(await page.getByTestId('error-text').innerText(), d['error.VAULT_BAD_URL'], 'the bad URL sentence');
    eq(await page.getByTestId('settings-saved').count(), 0, 'not saved');
    eq(await page.getByTestId('settings-team-url').inputValue(), 'postgres://clerk:s3cret@db.example:5432/evidence', 'the URL stays to be corrected');
    ok(!(await page.getByTestId('error-banner').innerText()).includes('s3cret'), 'the error shows no password');
    await shot(page, `settings-team-error-${L}`);
    // Nothing was saved: the settings still name the folder.
    await page.getByTestId('nav-seal').click();
    await page.getByTestId('nav-settings').click();
    await page.waitForFunction((n) => window.__evidentiaMock.calls.filter((c) => c.cmd === 'settings').length >= n, 2);
    await page.waitForFunction(() => document.querySelector('[data-testid="settings-vault"]')?.textContent === '/home/ana/.local/share/evidentia/vault');
    eq(await page.getByTestId('settings-vault-kind').innerText(), d['settings.vaultFolder'], 'still a folder vault');
    eq((await calls(page)).filter((c) => c.cmd === 'save_settings').length, 1, 'one refused attempt');
  });

  test(`[${L}] header language toggle switches live and saves`, async ({ open, calls }) => {
    const page = await open(flag);
    const other = L === 'en' ? 'zh-CN' : 'en';
    await page.getByTestId('lang-toggle').click();
    eq((await page.getByTestId('nav-vault').innerText()).trim(), DICTS[other]['nav.vault'], 'nav translated');
    eq(await page.getByTestId('sandbox-banner').innerText(), DICTS[other]['app.sandbox'], 'banner translated');
    eq(await page.evaluate(() => document.documentElement.lang), other, 'html lang');
    await page.waitForFunction(() => window.__evidentiaMock.calls.some((c) => c.cmd === 'save_settings'));
    eq((await calls(page)).find((c) => c.cmd === 'save_settings').args.settings.language, other, 'toggle saved');
  });
}

test('[en] production profile has no sandbox banner', async ({ open }) => {
  const page = await open('lang-en,production');
  await page.waitForFunction(() => window.__evidentiaMock.calls.some((c) => c.cmd === 'app_info'));
  await page.waitForTimeout(50);
  eq(await page.getByTestId('sandbox-banner').isHidden(), true, 'no banner');
});

test('[system] language follows navigator.language when not saved (zh-CN)', async ({ open }) => {
  const page = await open('');
  await page.waitForFunction(() => window.__evidentiaMock.calls.some((c) => c.cmd === 'app_info'));
  eq((await page.getByTestId('nav-seal').innerText()).trim(), DICTS['zh-CN']['nav.seal'], 'system zh');
});

test('[en] settings an environment variable overrides are marked', async ({ open }) => {
  const page = await open('lang-en,env-override');
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-save').waitFor();
  const hints = await page.locator('.field-hint').allInnerTexts();
  eq(hints.filter((x) => x.includes(DICTS.en['settings.overridden'])).length, 1, 'one overridden setting is marked');
});

test('[en] a broken configuration file is reported at start', async ({ open }) => {
  const page = await open('lang-en,config-error');
  await page.locator('[data-testid="error-banner"][data-code="CONFIG_INVALID"]').waitFor();
  eq(await page.getByTestId('error-text').innerText(), DICTS.en['error.CONFIG'], 'config sentence');
});

test('[en] unknown error code shows the message', async ({ open, shot }) => {
  const page = await open('lang-en,pick-unknown-error');
  await page.getByTestId('seal-pick-files').click();
  await page.locator('[data-testid="error-banner"][data-code="SOMETHING_NEW"]').waitFor();
  eq(await page.getByTestId('error-text').innerText(), 'The file dialog could not be opened (portal timeout).', 'fallback message');
});

test('[zh-CN] vault missing is explained', async ({ open, shot }) => {
  const page = await open('lang-zh,records-vault-missing');
  await page.getByTestId('nav-vault').click();
  await page.locator('[data-testid="error-banner"][data-code="VAULT_MISSING"]').waitFor();
  eq(await page.getByTestId('error-text').innerText(), DICTS['zh-CN']['error.VAULT_MISSING'], 'vault missing sentence');
  await shot(page, 'vault-error-zh-CN');
});

test('[en] dark theme and minimum window size', async ({ open, shot }) => {
  const page = await open('lang-en,dark');
  await page.getByTestId('nav-vault').click();
  await page.getByTestId('vault-row').nth(3).waitFor();
  eq(await page.evaluate(() => document.documentElement.getAttribute('data-theme')), 'dark', 'dark');
  await shot(page, 'vault-dark-en');
  await page.setViewportSize({ width: 900, height: 600 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
  eq(overflow, false, 'no horizontal scroll at 900x600');
  await page.locator('[data-testid="vault-row"]').first().locator('.col-name').click();
  await page.getByTestId('record-detail').waitFor();
  await shot(page, 'vault-min-en');
  await page.getByTestId('nav-verify').click();
  await page.getByTestId('verify-pick').click();
  await page.getByTestId('verify-total').waitFor();
  await shot(page, 'verify-min-en');
});

async function main() {
  buildIfNeeded();
  mkdirSync(SHOTS, { recursive: true });
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}/`;
  const profile = mkdtempSync(join(tmpdir(), 'evidentia-ui-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1200, height: 800 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(5000);
  let passed = 0;
  let failed = 0;
  for (const { name, fn } of tests) {
    if (ONLY && !name.includes(ONLY)) continue;
    const pages = [];
    const problems = [];
    const open = async (scenario) => {
      const page = await context.newPage();
      pages.push(page);
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
      });
      await page.addInitScript((s) => {
        window.__EVIDENTIA_SCENARIO__ = s;
      }, scenario);
      await page.goto(base);
      await page.getByTestId('nav-seal').waitFor();
      return page;
    };
    const shot = async (page, file, { keepScroll = false } = {}) => {
      await page.evaluate((keep) => {
        if (!keep) for (const el of document.querySelectorAll('.content, .drawer-body')) el.scrollTo(0, 0);
        return document.fonts.ready;
      }, keepScroll);
      await page.screenshot({ path: join(SHOTS, `${file}.png`) });
    };
    const calls = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.__evidentiaMock.calls)));
    const t0 = Date.now();
    try {
      await fn({ open, shot, calls });
      if (problems.length > 0) throw new AssertionError(problems.join('; '));
      passed += 1;
      console.log(`  ok   ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed += 1;
      console.log(`  FAIL ${name}\n       ${String(e instanceof AssertionError ? e.message : e.stack ?? e).split('\n').join('\n       ')}`);
      if (pages.length > 0) await shot(pages[pages.length - 1], `FAILED-${name.replace(/[^\w-]+/g, '_')}`).catch(() => {});
    } finally {
      for (const p of pages) await p.close().catch(() => {});
    }
  }
  await context.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
  console.log(`screenshots: ${SHOTS} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`ui: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  console.log('ui: 0 passed, 1 failed');
  process.exit(1);
});

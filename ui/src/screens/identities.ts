// Identities screen: list identities with expiry warnings; import .p12/.pfx, create self-made, add a PKCS#11 token.

import { api, type Identity, type KeyAlgorithm, type SealView, type TokenList } from '../api';
import { field, pageHead, select } from '../components';
import { h, replace } from '../dom';
import { t } from '../i18n';
import { baseName, formatDate, localOffset } from '../logic/format';
import { certExpiry } from '../logic/certs';
import { describeError } from '../logic/errors';
import { keyChoices, presentTokens } from '../logic/tokens';
import { state, type Ctx, type Screen } from '../state';

/** The CN of a distinguished name, else the whole name. */
function commonName(dn: string): string {
  const m = /(?:^|,)\s*CN=([^,]+)/.exec(dn);
  return m?.[1]?.trim() ?? dn;
}


/** A kept seal in words of the page's language. */
export function describeSeal(view: SealView): string {
  if (view.kind === 'image') return t('id.seal.image');
  if (view.kind !== 'generated' || !view.organisation) return '';
  return t('id.seal.describe', { org: view.organisation, title: view.title ? ` · ${view.title}` : '' });
}

export function createIdentitiesScreen(ctx: Ctx): Screen {
  const el = h('div', { class: 'screen screen-identities' });
  const s = {
    importPath: '',
    importName: '',
    importPassword: '',
    importMsg: '',
    createName: '',
    createEmail: '',
    createAlgorithm: 'p256' as KeyAlgorithm,
    createPassword: '',
    createConfirm: '',
    createMsg: '',
    createErr: '',
    module: '',
    tokens: null as TokenList | null,
    token: '',
    key: '',
    tokenName: '',
    pin: '',
    tokenMsg: '',
    busy: false,
    sealIdentity: '',
    sealCurrent: '',
    sealOrg: '',
    sealName: '合同专用章',
    sealCode: '',
    sealMsg: '',
    sealErr: '',
  };
  const sealPreview = h('div', { class: 'seal-preview-box', testid: 'id-seal-preview' });
  let previewTimer: ReturnType<typeof setTimeout> | null = null;

  /** Redraws the seal preview from the texts being typed (debounced), as the core draws it. */
  function schedulePreview(): void {
    if (previewTimer) clearTimeout(previewTimer);
    previewTimer = setTimeout(() => void drawPreview(), 250);
  }

  async function drawPreview(): Promise<void> {
    const org = s.sealOrg.trim();
    if ([...org].length < 2) {
      replace(sealPreview);
      return;
    }
    try {
      const bytes = await api.sealPreview(org, s.sealName.trim() || null, s.sealCode.trim() || null);
      const { renderPdfToCanvas } = await import('../pdfview');
      const canvas = await renderPdfToCanvas(bytes, 320);
      canvas.setAttribute('data-testid', 'id-seal-canvas');
      replace(sealPreview, canvas);
      s.sealErr = '';
    } catch (e) {
      replace(sealPreview);
      s.sealErr = describeError(e, (k) => t(k)).text;
      render();
    }
  }

  async function chooseSealIdentity(name: string): Promise<void> {
    s.sealIdentity = name;
    s.sealMsg = '';
    s.sealCurrent = '';
    if (name) {
      try {
        const view = await api.identitySeal(name);
        s.sealCurrent = describeSeal(view);
        if (view.organisation) {
          s.sealOrg = view.organisation;
          s.sealName = view.title ?? '';
          s.sealCode = view.code ?? '';
        }
      } catch (e) {
        ctx.showError(e);
      }
    }
    render();
    schedulePreview();
  }

  async function saveSeal(): Promise<void> {
    s.sealMsg = '';
    s.sealErr = '';
    if (!s.sealIdentity) return;
    try {
      const view = await api.setIdentitySeal(s.sealIdentity, s.sealOrg.trim(), s.sealName.trim() || null, s.sealCode.trim() || null);
      s.sealCurrent = describeSeal(view);
      s.sealMsg = t('id.seal.saved', { name: s.sealIdentity, seal: s.sealCurrent });
    } catch (e) {
      s.sealErr = describeError(e, (k) => t(k)).text;
    }
    render();
  }

  // A handwritten signature drawn with the mouse (or a finger): black ink on a transparent pad.
  const pad = h('canvas', { class: 'signature-pad', testid: 'id-sign-pad', width: '720', height: '240' });
  let inked = false;
  {
    let last: { x: number; y: number } | null = null;
    const at = (e: PointerEvent) => {
      const r = pad.getBoundingClientRect();
      return { x: ((e.clientX - r.left) * pad.width) / r.width, y: ((e.clientY - r.top) * pad.height) / r.height };
    };
    pad.addEventListener('pointerdown', (e) => {
      last = at(e);
      pad.setPointerCapture(e.pointerId);
      e.preventDefault();
    });
    pad.addEventListener('pointermove', (e) => {
      if (!last) return;
      const ctx2d = pad.getContext('2d');
      if (!ctx2d) return;
      const p = at(e);
      ctx2d.strokeStyle = '#111';
      ctx2d.lineWidth = 8;
      ctx2d.lineCap = 'round';
      ctx2d.lineJoin = 'round';
      ctx2d.beginPath();
      ctx2d.moveTo(last.x, last.y);
      ctx2d.lineTo(p.x, p.y);
      ctx2d.stroke();
      last = p;
      inked = true;
    });
    const end = () => (last = null);
    pad.addEventListener('pointerup', end);
    pad.addEventListener('pointercancel', end);
  }

  /** The PNG bytes of what the pad holds. */
  function pngOf(canvas: HTMLCanvasElement): Uint8Array {
    const url = canvas.toDataURL('image/png');
    const b64 = url.slice(url.indexOf(',') + 1);
    if (!url.startsWith('data:image/png;base64,') || b64.length === 0) throw new Error('the drawing could not be encoded');
    const text = atob(b64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
    return bytes;
  }

  function clearPad(): void {
    pad.getContext('2d')?.clearRect(0, 0, pad.width, pad.height);
    inked = false;
  }

  async function keepDrawn(): Promise<void> {
    s.sealMsg = '';
    s.sealErr = '';
    if (!s.sealIdentity) return;
    if (!inked) {
      s.sealErr = t('id.sign.empty');
      render();
      return;
    }
    try {
      // Encoded at once: an asynchronous toBlob waits for the page's idle time, seconds on a busy page.
      const png = pngOf(pad);
      const view = await api.setIdentitySealImage(s.sealIdentity, png);
      s.sealCurrent = describeSeal(view);
      s.sealMsg = t('id.seal.saved', { name: s.sealIdentity, seal: s.sealCurrent });
    } catch (e) {
      s.sealErr = describeError(e, (k) => t(k)).text;
    }
    render();
  }

  async function importImage(): Promise<void> {
    s.sealMsg = '';
    s.sealErr = '';
    if (!s.sealIdentity) return;
    try {
      const [path] = await api.pickFiles(false);
      if (!path) return;
      const view = await api.setIdentitySealImage(s.sealIdentity, null, path);
      s.sealCurrent = describeSeal(view);
      s.sealMsg = t('id.seal.saved', { name: s.sealIdentity, seal: s.sealCurrent });
    } catch (e) {
      s.sealErr = describeError(e, (k) => t(k)).text;
    }
    render();
  }

  function sealCard(): HTMLElement {
    const ids = state.identities;
    const who = select('id-seal-identity', [['', '—'], ...ids.map((i): [string, string] => [i.name, i.name])], s.sealIdentity, (v) => void chooseSealIdentity(v));
    const text = (testid: string, key: 'sealOrg' | 'sealName' | 'sealCode', extra: { [k: string]: unknown } = {}) =>
      h('input', { type: 'text', testid, value: s[key], ...extra, on: { input: (e) => ((s[key] = (e.target as HTMLInputElement).value), schedulePreview()) } });
    const names = h('datalist', { id: 'seal-names' }, ['合同专用章', '财务专用章', '公章', '发票专用章'].map((n) => h('option', { value: n })));
    return h(
      'section',
      { class: 'card', testid: 'id-seal-card' },
      h('h2', null, t('id.seal.title')),
      h('p', { class: 'muted small' }, t('id.seal.hint')),
      h(
        'div',
        { class: 'seal-maker' },
        h(
          'div',
          { class: 'grow' },
          field(t('id.seal.identity'), who),
          s.sealIdentity ? h('p', { class: 'muted small', testid: 'id-seal-current' }, s.sealCurrent ? t('id.seal.current', { seal: s.sealCurrent }) : t('id.seal.none')) : null,
          field(t('id.seal.org'), text('id-seal-org', 'sealOrg', { maxlength: '30' })),
          field(t('id.seal.sealName'), text('id-seal-name', 'sealName', { list: 'seal-names', maxlength: '10' })),
          field(t('id.seal.code'), text('id-seal-code', 'sealCode', { maxlength: '18', spellcheck: 'false' })),
          names,
        ),
        sealPreview,
      ),
      h(
        'div',
        { class: 'form-row' },
        h('div', { class: 'grow' }, s.sealErr ? h('p', { class: 'form-error', testid: 'id-seal-error' }, s.sealErr) : null, s.sealMsg ? h('p', { class: 'success', testid: 'id-seal-msg' }, s.sealMsg) : null),
        h('button', { class: 'btn btn-primary', type: 'button', testid: 'id-seal-save', disabled: !s.sealIdentity, on: { click: () => void saveSeal() } }, t('id.seal.save')),
      ),
      h('h3', null, t('id.sign.title')),
      h('p', { class: 'muted small' }, t('id.sign.hint')),
      pad,
      h(
        'div',
        { class: 'form-row' },
        h('button', { class: 'btn btn-ghost', type: 'button', testid: 'id-sign-clear', on: { click: clearPad } }, t('id.sign.clear')),
        h('button', { class: 'btn btn-secondary', type: 'button', testid: 'id-seal-import', disabled: !s.sealIdentity, on: { click: () => void importImage() } }, t('id.sign.import')),
        h('div', { class: 'grow' }),
        h('button', { class: 'btn btn-primary', type: 'button', testid: 'id-sign-save', disabled: !s.sealIdentity, on: { click: () => void keepDrawn() } }, t('id.sign.save')),
      ),
    );
  }

  async function afterAdd(id: Identity): Promise<string> {
    try {
      await ctx.loadIdentities();
    } catch (e) {
      ctx.showError(e);
    }
    return t('id.added', { name: id.name });
  }

  function input(testid: string, key: keyof typeof s, type = 'text', extra: { [k: string]: unknown } = {}): HTMLInputElement {
    return h('input', { type, testid, value: String(s[key]), ...extra, on: { input: (e) => ((s as { [k: string]: unknown })[key] = (e.target as HTMLInputElement).value) } });
  }

  async function doImport(): Promise<void> {
    s.importMsg = '';
    if (!s.importPath) {
      s.importMsg = t('id.fileRequired');
      render();
      return;
    }
    if (!s.importName.trim()) {
      s.importMsg = t('id.nameRequired');
      render();
      return;
    }
    ctx.clearError();
    try {
      const id = await api.importIdentity(s.importPath, s.importName.trim(), s.importPassword);
      s.importMsg = await afterAdd(id);
      s.importPath = '';
      s.importName = '';
    } catch (e) {
      ctx.showError(e);
    } finally {
      s.importPassword = '';
      render();
    }
  }

  async function doCreate(): Promise<void> {
    s.createErr = '';
    s.createMsg = '';
    if (!s.createName.trim()) s.createErr = t('id.nameRequired');
    else if (s.createPassword.length < 8) s.createErr = t('id.pwShort');
    else if (s.createPassword !== s.createConfirm) s.createErr = t('id.pwMismatch');
    if (s.createErr) {
      render();
      return;
    }
    ctx.clearError();
    try {
      const id = await api.createIdentity(s.createName.trim(), s.createEmail.trim(), s.createPassword, s.createAlgorithm);
      s.createMsg = await afterAdd(id);
      s.createName = '';
      s.createEmail = '';
    } catch (e) {
      ctx.showError(e);
    } finally {
      s.createPassword = '';
      s.createConfirm = '';
      render();
    }
  }

  async function listTokens(): Promise<void> {
    ctx.clearError();
    try {
      s.tokens = await api.listTokens(s.module.trim());
      const first = presentTokens(s.tokens.slots)[0];
      s.token = first?.token.label ?? '';
      s.key = first ? (keyChoices(first.token.objects)[0]?.label ?? '') : '';
    } catch (e) {
      s.tokens = null;
      ctx.showError(e);
    }
    render();
  }

  async function addToken(): Promise<void> {
    if (!s.key.trim()) {
      s.tokenMsg = t('id.token.keyRequired');
      render();
      return;
    }
    ctx.clearError();
    try {
      const id = await api.addTokenIdentity(s.tokens?.module ?? s.module.trim(), s.token, s.key.trim(), s.tokenName.trim() || null, s.pin || null);
      s.tokenMsg = await afterAdd(id);
    } catch (e) {
      ctx.showError(e);
    } finally {
      s.pin = '';
      render();
    }
  }

  function identityTable(): HTMLElement {
    const ids = state.identities;
    if (ids.length === 0) return h('p', { class: 'muted empty', testid: 'identity-empty' }, t('id.empty'));
    return h(
      'table',
      { class: 'table' },
      h('thead', null, h('tr', null, h('th', { class: 'col-idname' }, t('id.col.name')), h('th', { class: 'col-subject' }, t('id.col.subject')), h('th', { class: 'col-key' }, t('id.col.key')), h('th', { class: 'col-valid' }, t('id.col.validUntil')))),
      h(
        'tbody',
        null,
        ids.map((i) => {
          const exp = certExpiry(i.certificate.not_after);
          return h(
            'tr',
            { testid: 'identity-row', 'data-name': i.name },
            h('td', null, h('div', { class: 'cell-title' }, i.name), i.self_made ? h('span', { class: 'badge badge-self', testid: 'identity-self-made' }, t('id.selfMade')) : null),
            h('td', { class: 'col-subject' }, h('div', { class: 'cell-title' }, commonName(i.certificate.subject)), h('div', { class: 'cell-sub wrap', title: i.certificate.subject }, i.certificate.subject)),
            h('td', { class: 'nowrap' }, i.key),
            h(
              'td',
              { class: 'nowrap' },
              formatDate(i.certificate.not_after, localOffset()),
              exp.state === 'expired'
                ? h('div', null, h('span', { class: 'badge badge-expired', testid: 'identity-expiry', 'data-state': 'expired' }, t('id.expired')))
                : exp.state === 'soon'
                  ? h('div', null, h('span', { class: 'badge badge-soon', testid: 'identity-expiry', 'data-state': 'soon' }, t('id.expiresSoon', { days: exp.days ?? 0 })))
                  : null,
            ),
          );
        }),
      ),
    );
  }

  function tokenCard(): HTMLElement {
    const tokens = presentTokens(s.tokens?.slots ?? []);
    const current = tokens.find((x) => x.token.label === s.token);
    const keys = current ? keyChoices(current.token.objects) : [];
    return h(
      'section',
      { class: 'card' },
      h('h2', null, t('id.token.title')),
      h(
        'div',
        { class: 'form-row' },
        h('div', { class: 'grow' }, field(t('id.token.module'), input('token-module', 'module', 'text', { placeholder: '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so', spellcheck: 'false' }))),
        h('div', { class: 'form-row-end' }, h('button', { class: 'btn btn-secondary', type: 'button', testid: 'token-list', on: { click: () => void listTokens() } }, t('id.token.list'))),
      ),
      s.tokens && tokens.length === 0 ? h('p', { class: 'muted', testid: 'token-none' }, t('id.token.none')) : null,
      tokens.length > 0
        ? h(
            'div',
            { class: 'form-grid' },
            field(
              t('id.token.token'),
              select('token-select', tokens.map((x): [string, string] => [x.token.label, [x.token.label, x.token.manufacturer, x.token.model].filter(Boolean).join(' · ')]), s.token, (v) => {
                s.token = v;
                const tok = tokens.find((x) => x.token.label === v);
                s.key = tok ? (keyChoices(tok.token.objects)[0]?.label ?? '') : '';
                render();
              }),
            ),
            keys.length > 0
              ? field(t('id.token.key'), select('token-key', keys.map((k): [string, string] => [k.label, k.text]), s.key, (v) => (s.key = v)))
              : field(t('id.token.keyLabel'), input('token-key', 'key', 'text', { spellcheck: 'false' }), t('id.token.keyHint')),
            field(t('id.name'), input('token-name', 'tokenName', 'text', { placeholder: s.key })),
            current?.token.pin_locked ? h('p', { class: 'form-error' }, t('id.token.locked')) : field(t('id.token.pin'), input('token-pin', 'pin', 'password')),
          )
        : null,
      tokens.length > 0 ? h('div', { class: 'form-row' }, h('div', { class: 'grow' }), h('button', { class: 'btn btn-primary', type: 'button', testid: 'token-add', on: { click: () => void addToken() } }, t('id.token.add'))) : null,
      s.tokenMsg ? h('p', { class: s.tokenMsg === t('id.token.keyRequired') ? 'form-error' : 'success', testid: 'token-msg' }, s.tokenMsg) : null,
    );
  }

  function render(): void {
    replace(
      el,
      pageHead(t('id.title'), t('id.lead')),
      h('section', { class: 'card table-card', testid: 'identity-list' }, identityTable(), state.identityStore ? h('p', { class: 'muted small card-foot wrap' }, t('id.store', { path: state.identityStore })) : null),
      h(
        'div',
        { class: 'two-col' },
        h(
          'section',
          { class: 'card' },
          h('h2', null, t('id.import.title')),
          field(
            t('id.import.file'),
            h(
              'div',
              { class: 'file-pick' },
              h(
                'button',
                {
                  class: 'btn btn-secondary',
                  type: 'button',
                  testid: 'identity-import-pick',
                  on: {
                    click: () =>
                      void api.pickIdentityFile().then(
                        (p) => {
                          if (p) {
                            s.importPath = p;
                            if (!s.importName) s.importName = baseName(p).replace(/\.(p12|pfx)$/i, '');
                            render();
                          }
                        },
                        (e: unknown) => ctx.showError(e),
                      ),
                  },
                },
                t('id.import.choose'),
              ),
              h('span', { class: `ellipsis ${s.importPath ? '' : 'muted'}`, testid: 'identity-import-path', title: s.importPath }, s.importPath ? baseName(s.importPath) : t('id.import.noFile')),
            ),
          ),
          field(t('id.name'), input('identity-import-name', 'importName')),
          field(t('id.password'), input('identity-import-password', 'importPassword', 'password')),
          h('div', { class: 'form-row' }, h('div', { class: 'grow' }, s.importMsg ? h('p', { class: s.importMsg === t('id.fileRequired') || s.importMsg === t('id.nameRequired') ? 'form-error' : 'success', testid: 'identity-import-msg' }, s.importMsg) : null), h('button', { class: 'btn btn-primary', type: 'button', testid: 'identity-import', on: { click: () => void doImport() } }, t('id.import.button'))),
        ),
        h(
          'section',
          { class: 'card' },
          h('h2', null, t('id.create.title')),
          h('p', { class: 'muted small' }, t('id.create.hint')),
          field(t('id.name'), input('identity-create-name', 'createName')),
          field(t('id.email'), input('identity-create-email', 'createEmail', 'email')),
          field(t('id.algorithm'), select('identity-create-algorithm', [['p256', t('id.algorithm.p256')], ['sm2', t('id.algorithm.sm2')]], s.createAlgorithm, (v) => (s.createAlgorithm = v as KeyAlgorithm))),
          h('div', { class: 'form-grid tight' }, field(t('id.password'), input('identity-create-password', 'createPassword', 'password', { minlength: '8' })), field(t('id.confirm'), input('identity-create-confirm', 'createConfirm', 'password'))),
          h(
            'div',
            { class: 'form-row' },
            h('div', { class: 'grow' }, s.createErr ? h('p', { class: 'form-error', testid: 'identity-create-error' }, s.createErr) : null, s.createMsg ? h('p', { class: 'success', testid: 'identity-create-msg' }, s.createMsg) : null),
            h('button', { class: 'btn btn-primary', type: 'button', testid: 'identity-create', on: { click: () => void doCreate() } }, t('id.create.button')),
          ),
        ),
      ),
      tokenCard(),
      sealCard(),
    );
  }

  return {
    el,
    render,
    shown: () => {
      void ctx.loadIdentities().then(render, (e: unknown) => ctx.showError(e));
    },
  };
}

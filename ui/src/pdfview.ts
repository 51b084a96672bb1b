// The document view: a PDF's pages rendered in the window with pdf.js (its worker bundled, no
// network), page thumbnails, zoom and page navigation; on request, a signature box the signer
// draws, moves and resizes on a page, shown with the appearance it will have.

import { GlobalWorkerOptions, getDocument, type PDFDocumentLoadingTask, type PDFDocumentProxy, type PDFPageProxy } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { h, replace } from './dom';
import { t } from './i18n';
import { keywordBox, placementText, screenToUser, snapInside, userToScreen, viewportSize, type PageGeometry, type ScreenBox, type UserRect } from './logic/placement';

GlobalWorkerOptions.workerSrc = workerUrl;

/** Where the signer put the box: a page and a rectangle in its user space. */
export interface PlacedBox {
  page: number;
  rect: UserRect;
  /** Its width and height as the page shows them (swapped from `rect` on a page turned a quarter). */
  seen: { w: number; h: number };
  /** What the core reads: `page,x,y,w,h`. */
  text: string;
}

export interface PdfViewOptions {
  /** Told each time the box is placed, moved or resized (null: removed). */
  onPlace?: (box: PlacedBox | null) => void;
  /** Test-id prefix, so two views on one screen stay apart. */
  id: string;
}

const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
const THUMB_WIDTH = 96;
const DEFAULT_BOX = { w: 150, h: 150 };

export interface PdfView {
  el: HTMLElement;
  /** Shows a PDF (its bytes). */
  open(bytes: Uint8Array): Promise<void>;
  /** Lets the signer draw a box (or not). */
  setPlacing(on: boolean): void;
  /** What the box shows: a rendered appearance (a canvas) or text lines. */
  setAppearance(content: HTMLCanvasElement | string[] | null): void;
  /** Proposes a box at the first place `keyword` is written; false when not found. */
  placeAtText(keyword: string): Promise<boolean>;
  /** The number of pages. */
  pages(): number;
  destroy(): void;
}

export function createPdfView(options: PdfViewOptions): PdfView {
  const id = options.id;
  const el = h('div', { class: 'pdfview', testid: `${id}-view` });
  const thumbs = h('div', { class: 'pdfview-thumbs', testid: `${id}-thumbs` });
  const stage = h('div', { class: 'pdfview-stage', testid: `${id}-stage` });
  const pageBox = h('div', { class: 'pdfview-page', testid: `${id}-page` });
  const canvas = h('canvas', { class: 'pdfview-canvas', testid: `${id}-canvas` });
  const overlay = h('div', { class: 'pdfview-overlay', testid: `${id}-overlay` });
  const counter = h('span', { class: 'pdfview-counter', testid: `${id}-counter` });
  const zoomLabel = h('span', { class: 'pdfview-zoom', testid: `${id}-zoom` });
  pageBox.append(canvas, overlay);
  stage.append(pageBox);

  let task: PDFDocumentLoadingTask | null = null;
  let doc: PDFDocumentProxy | null = null;
  let current = 1;
  let zoom = 1;
  let placing = false;
  let box: { page: number; rect: UserRect } | null = null;
  let appearance: HTMLCanvasElement | string[] | null = null;
  let geometry: PageGeometry = { view: [0, 0, 595, 842], rotate: 0 };
  let renderTask: { cancel(): void; promise: Promise<unknown> } | null = null;
  let observer: IntersectionObserver | null = null;

  const button = (testid: string, label: string, onClick: () => void) =>
    h('button', { class: 'btn btn-ghost btn-sm', type: 'button', testid: `${id}-${testid}`, title: label, 'aria-label': label, on: { click: onClick } }, label);
  const toolbar = h(
    'div',
    { class: 'pdfview-toolbar' },
    button('prev', '‹', () => void show(current - 1)),
    counter,
    button('next', '›', () => void show(current + 1)),
    h('span', { class: 'grow' }),
    button('zoom-out', '−', () => void setZoom(ZOOMS[Math.max(0, ZOOMS.indexOf(zoom) - 1)] ?? zoom)),
    zoomLabel,
    button('zoom-in', '+', () => void setZoom(ZOOMS[Math.min(ZOOMS.length - 1, ZOOMS.indexOf(zoom) + 1)] ?? zoom)),
  );
  el.append(toolbar, h('div', { class: 'pdfview-body' }, thumbs, stage));

  async function open(bytes: Uint8Array): Promise<void> {
    destroyDoc();
    // pdf.js takes the buffer over: give it a copy, the caller keeps its bytes.
    task = getDocument({ data: bytes.slice(), enableXfa: false });
    doc = await task.promise;
    current = 1;
    box = null;
    buildThumbs();
    await show(1);
  }

  function buildThumbs(): void {
    observer?.disconnect();
    const d = doc;
    if (!d) return;
    // Thumbnails are drawn when they scroll into view: a long PDF renders page by page.
    observer = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        const target = e.target as HTMLElement;
        observer?.unobserve(target);
        void drawThumb(d, Number(target.dataset['page']), target.querySelector('canvas'));
      }
    }, { root: thumbs });
    const items: HTMLElement[] = [];
    for (let n = 1; n <= d.numPages; n += 1) {
      const item = h('button', { class: 'pdfview-thumb', type: 'button', testid: `${id}-thumb`, 'data-page': String(n), on: { click: () => void show(n) } }, h('canvas', null), h('span', null, String(n)));
      items.push(item);
    }
    replace(thumbs, items);
    for (const item of items) observer.observe(item);
  }

  async function drawThumb(d: PDFDocumentProxy, n: number, target: HTMLCanvasElement | null): Promise<void> {
    if (!target || d !== doc) return;
    const page = await d.getPage(n);
    const base = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: THUMB_WIDTH / base.width });
    target.width = Math.round(viewport.width);
    target.height = Math.round(viewport.height);
    await page.render({ canvas: target, viewport }).promise.catch(() => undefined);
  }

  async function show(n: number): Promise<void> {
    const d = doc;
    if (!d || n < 1 || n > d.numPages) return;
    current = n;
    const page = await d.getPage(n);
    if (d !== doc || n !== current) return;
    geometry = { view: page.view as [number, number, number, number], rotate: page.rotate };
    await draw(page);
  }

  async function draw(page: PDFPageProxy): Promise<void> {
    renderTask?.cancel();
    const ratio = window.devicePixelRatio || 1;
    const viewport = page.getViewport({ scale: zoom });
    const { width, height } = viewportSize(geometry, zoom);
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    pageBox.style.width = `${width}px`;
    pageBox.style.height = `${height}px`;
    pageBox.dataset['page'] = String(current);
    const transform = ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined;
    const task = page.render({ canvas, viewport, transform });
    renderTask = task;
    counter.textContent = t('pdf.pageOf', { page: current, pages: doc?.numPages ?? 0 });
    zoomLabel.textContent = `${Math.round(zoom * 100)}%`;
    for (const b of thumbs.querySelectorAll<HTMLElement>('.pdfview-thumb')) b.classList.toggle('current', b.dataset['page'] === String(current));
    drawBox();
    await task.promise.catch(() => undefined);
    pageBox.dataset['rendered'] = String(current);
  }

  async function setZoom(z: number): Promise<void> {
    zoom = z;
    await show(current);
  }

  function screenBox(): ScreenBox | null {
    return box && box.page === current ? userToScreen(geometry, zoom, box.rect) : null;
  }

  // One box element, moved and resized in place (its face redrawn only when it changes).
  const boxEl = h('div', { class: 'pdfview-box', testid: `${id}-box` });
  const handle = h('span', { class: 'pdfview-handle', testid: `${id}-box-handle` });
  let faceFor = '';

  function drawBox(): void {
    overlay.classList.toggle('placing', placing);
    const sb = screenBox();
    if (!sb || !box) {
      boxEl.remove();
      return;
    }
    boxEl.dataset['placement'] = placementText(box.page, box.rect);
    boxEl.style.left = `${sb.left}px`;
    boxEl.style.top = `${sb.top}px`;
    boxEl.style.width = `${sb.width}px`;
    boxEl.style.height = `${sb.height}px`;
    const key = `${Math.round(sb.width)}x${Math.round(sb.height)}`;
    if (faceFor !== key || !boxEl.contains(handle)) {
      faceFor = key;
      const face = Array.isArray(appearance)
        ? h('div', { class: 'pdfview-box-text' }, appearance.map((line) => h('div', { class: 'ellipsis' }, line)))
        : appearance
          ? appearanceCanvas(appearance, sb)
          : null;
      replace(boxEl, face, handle);
    }
    if (boxEl.parentElement !== overlay) overlay.append(boxEl);
  }

  /** The rendered appearance (the core's drawing for this box) scaled into the box. */
  function appearanceCanvas(source: HTMLCanvasElement, sb: ScreenBox): HTMLCanvasElement {
    const c = h('canvas', { class: 'pdfview-box-face', testid: `${id}-box-face` });
    const ratio = window.devicePixelRatio || 1;
    c.width = Math.round(sb.width * ratio);
    c.height = Math.round(sb.height * ratio);
    c.getContext('2d')?.drawImage(source, 0, 0, c.width, c.height);
    return c;
  }

  function seenSize(rect: UserRect, rotate: number): { w: number; h: number } {
    return Math.round(rotate / 90) % 2 === 0 ? { w: rect.w, h: rect.h } : { w: rect.h, h: rect.w };
  }

  function place(sb: ScreenBox): void {
    const snapped = snapInside(geometry, zoom, sb);
    box = { page: current, rect: screenToUser(geometry, zoom, snapped) };
    drawBox();
    options.onPlace?.({ page: box.page, rect: box.rect, seen: seenSize(box.rect, geometry.rotate), text: placementText(box.page, box.rect) });
  }

  // Pointer: press on the page to put the box there, drag it to move, drag its corner to resize.
  let drag: { mode: 'move' | 'resize'; x: number; y: number; start: ScreenBox } | null = null;
  overlay.addEventListener('pointerdown', (e) => {
    if (!placing) return;
    const r = overlay.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    const target = e.target as HTMLElement;
    let start = screenBox();
    if (!start || !target.closest('.pdfview-box')) {
      const size = box ? userToScreen(geometry, zoom, box.rect) : { width: DEFAULT_BOX.w * zoom, height: DEFAULT_BOX.h * zoom };
      place({ left: x - size.width / 2, top: y - size.height / 2, width: size.width, height: size.height });
      start = screenBox();
    }
    if (!start) return;
    drag = { mode: target.classList.contains('pdfview-handle') ? 'resize' : 'move', x, y, start };
    overlay.setPointerCapture(e.pointerId);
    e.preventDefault();
  });
  overlay.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const r = overlay.getBoundingClientRect();
    const dx = e.clientX - r.left - drag.x;
    const dy = e.clientY - r.top - drag.y;
    const s = drag.start;
    place(drag.mode === 'move' ? { ...s, left: s.left + dx, top: s.top + dy } : { ...s, width: s.width + dx, height: s.height + dy });
  });
  const end = (e: PointerEvent) => {
    if (!drag) return;
    drag = null;
    if (overlay.hasPointerCapture(e.pointerId)) overlay.releasePointerCapture(e.pointerId);
  };
  overlay.addEventListener('pointerup', end);
  overlay.addEventListener('pointercancel', end);

  async function placeAtText(keyword: string): Promise<boolean> {
    const d = doc;
    const word = keyword.trim();
    if (!d || !word) return false;
    for (let n = 1; n <= d.numPages; n += 1) {
      const page = await d.getPage(n);
      const content = await page.getTextContent();
      const items = content.items.flatMap((i) => ('str' in i ? [{ str: i.str, transform: i.transform as number[], width: i.width, height: i.height }] : []));
      const size = box ? { w: box.rect.w, h: box.rect.h } : DEFAULT_BOX;
      const pageGeometry: PageGeometry = { view: page.view as [number, number, number, number], rotate: page.rotate };
      const rect = keywordBox(items, word, size, pageGeometry);
      if (rect) {
        box = { page: n, rect };
        await show(n);
        options.onPlace?.({ page: n, rect, seen: seenSize(rect, page.rotate), text: placementText(n, rect) });
        return true;
      }
    }
    return false;
  }

  function destroyDoc(): void {
    renderTask?.cancel();
    observer?.disconnect();
    void task?.destroy();
    task = null;
    doc = null;
  }

  return {
    el,
    open,
    setPlacing(on: boolean) {
      placing = on;
      if (!on && box) {
        box = null;
        options.onPlace?.(null);
      }
      drawBox();
    },
    setAppearance(content) {
      appearance = content;
      faceFor = '';
      drawBox();
    },
    placeAtText,
    pages: () => doc?.numPages ?? 0,
    destroy: destroyDoc,
  };
}

/** Renders the first page of a small PDF (a seal preview) into a canvas `px` pixels square. */
export async function renderPdfToCanvas(bytes: Uint8Array, px: number): Promise<HTMLCanvasElement> {
  const task = getDocument({ data: bytes.slice() });
  try {
    const doc = await task.promise;
    const page = await doc.getPage(1);
    const base = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: px / Math.max(base.width, base.height) });
    const canvas = h('canvas', { class: 'seal-preview-canvas' });
    canvas.width = Math.round(viewport.width);
    canvas.height = Math.round(viewport.height);
    await page.render({ canvas, viewport }).promise;
    return canvas;
  } finally {
    void task.destroy();
  }
}

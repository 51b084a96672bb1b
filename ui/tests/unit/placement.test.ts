import { describe, expect, it } from 'vitest';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { keywordBox, pageFor, placementText, screenToUser, snapInside, toScreen, toUser, userToScreen, viewportSize, type PageGeometry } from '../../src/logic/placement';

// The test runner's Node may predate Promise.withResolvers, which pdf.js uses (the app's WebKit has it).
const promises = Promise as unknown as { withResolvers?: () => unknown };
promises.withResolvers ??= () => {
  let resolve: unknown;
  let reject: unknown;
  const promise = new Promise((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
};

/** A one-page PDF with the given boxes and rotation, xref offsets computed. */
function pdfWith(media: number[], crop: number[] | null, rotate: number): Uint8Array {
  const page = `<< /Type /Page /Parent 2 0 R /MediaBox [${media.join(' ')}]${crop ? ` /CropBox [${crop.join(' ')}]` : ''} /Rotate ${rotate} >>`;
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', page];
  let out = '%PDF-1.7\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}

const cases: { name: string; media: number[]; crop: number[] | null; rotate: number }[] = [
  { name: 'A4 upright', media: [0, 0, 595, 842], crop: null, rotate: 0 },
  { name: 'cropped', media: [0, 0, 600, 800], crop: [50, 100, 550, 700], rotate: 0 },
  { name: 'rotated 90, cropped', media: [0, 0, 600, 800], crop: [50, 100, 550, 700], rotate: 90 },
  { name: 'rotated 180', media: [0, 0, 595, 842], crop: null, rotate: 180 },
  { name: 'rotated 270, offset media box', media: [-100, -50, 512, 742], crop: null, rotate: 270 },
];

describe('placement maths against pdf.js', () => {
  for (const c of cases) {
    it(`maps user space to the screen as pdf.js's viewport does: ${c.name}`, async () => {
      const task = getDocument({ data: pdfWith(c.media, c.crop, c.rotate) });
      const doc = await task.promise;
      const page = await doc.getPage(1);
      const geometry: PageGeometry = { view: page.view as [number, number, number, number], rotate: page.rotate };
      for (const scale of [1, 1.5]) {
        const viewport = page.getViewport({ scale });
        expect(viewportSize(geometry, scale).width).toBeCloseTo(viewport.width, 6);
        expect(viewportSize(geometry, scale).height).toBeCloseTo(viewport.height, 6);
        const [x0, y0, x1, y1] = geometry.view;
        for (const [ux, uy] of [[x0, y0], [x1, y1], [x0 + 37, y1 - 91], [(x0 + x1) / 2, y0 + 10]] as [number, number][]) {
          const [sx, sy] = toScreen(geometry, scale, ux, uy);
          const [px, py] = viewport.convertToViewportPoint(ux, uy);
          expect(sx).toBeCloseTo(px, 6);
          expect(sy).toBeCloseTo(py, 6);
          const back = toUser(geometry, scale, sx, sy);
          expect(back[0]).toBeCloseTo(ux, 6);
          expect(back[1]).toBeCloseTo(uy, 6);
          const [qx, qy] = viewport.convertToPdfPoint(sx, sy);
          expect(back[0]).toBeCloseTo(qx, 6);
          expect(back[1]).toBeCloseTo(qy, 6);
        }
      }
      await task.destroy();
    });
  }
});

describe('boxes', () => {
  const upright: PageGeometry = { view: [0, 0, 595, 842], rotate: 0 };
  it('a box drawn near the top-left of an upright A4 page is high in user space', () => {
    const r = screenToUser(upright, 1, { left: 72, top: 72, width: 150, height: 150 });
    expect(r).toEqual({ x: 72, y: 842 - 72 - 150, w: 150, h: 150 });
    expect(userToScreen(upright, 1, r)).toEqual({ left: 72, top: 72, width: 150, height: 150 });
  });
  it('on a page turned a quarter, the width on screen is the height in user space', () => {
    const turned: PageGeometry = { view: [0, 0, 600, 800], rotate: 90 };
    const r = screenToUser(turned, 2, { left: 100, top: 40, width: 300, height: 100 });
    expect(r.w).toBeCloseTo(50);
    expect(r.h).toBeCloseTo(150);
    expect(r.x).toBeCloseTo(20);
    expect(r.y).toBeCloseTo(50);
    const back = userToScreen(turned, 2, r);
    expect(back.left).toBeCloseTo(100);
    expect(back.top).toBeCloseTo(40);
    expect(back.width).toBeCloseTo(300);
  });
  it('snaps a box inside the page and to the smallest size the core accepts', () => {
    expect(snapInside(upright, 1, { left: -30, top: 800, width: 100, height: 60 })).toEqual({ left: 0, top: 782, width: 100, height: 60 });
    expect(snapInside(upright, 2, { left: 10, top: 10, width: 4, height: 4 })).toEqual({ left: 10, top: 10, width: 40, height: 20 });
    expect(snapInside(upright, 1, { left: 0, top: 0, width: 2000, height: 2000 })).toEqual({ left: 0, top: 0, width: 595, height: 842 });
    const turned: PageGeometry = { view: [0, 0, 600, 800], rotate: 270 };
    const small = snapInside(turned, 1, { left: 5, top: 5, width: 1, height: 1 });
    const r = screenToUser(turned, 1, small);
    expect(r.w).toBeGreaterThanOrEqual(20 - 1e-9);
    expect(r.h).toBeGreaterThanOrEqual(10 - 1e-9);
  });
  it('writes what the core parses', () => {
    expect(placementText(2, { x: 300, y: 420.123, w: 150, h: 149.996 })).toBe('2,300,420.12,150,150');
  });
  it('places a shared box on the last page or a page that exists', () => {
    expect(pageFor('last', 7)).toBe(7);
    expect(pageFor(2, 7)).toBe(2);
    expect(pageFor(9, 7)).toBeNull();
    expect(pageFor('last', 0)).toBeNull();
  });
});

describe('keyword placement', () => {
  const page: PageGeometry = { view: [0, 0, 595, 842], rotate: 0 };
  const runs = [
    { str: 'Party A', transform: [12, 0, 0, 12, 72, 700], width: 42, height: 12 },
    { str: '乙方（盖章处）', transform: [12, 0, 0, 12, 300, 200], width: 84, height: 12 },
  ];
  it('centres the box on the keyword inside a longer run', () => {
    const r = keywordBox(runs, '盖章处', { w: 120, h: 120 }, page);
    // The keyword is characters 3..6 of 7: its centre at 300 + 12 × 4.5.
    expect(r).toEqual({ x: 354 - 60, y: 206 - 60, w: 120, h: 120 });
  });
  it('keeps the box on the page and says when the text is not there', () => {
    const r = keywordBox([{ str: 'Signature', transform: [10, 0, 0, 10, 560, 10], width: 45, height: 10 }], 'Signature', { w: 150, h: 150 }, page);
    expect(r).toEqual({ x: 595 - 150, y: 0, w: 150, h: 150 });
    expect(keywordBox(runs, '签字', { w: 100, h: 100 }, page)).toBeNull();
    expect(keywordBox(runs, '  ', { w: 100, h: 100 }, page)).toBeNull();
  });
});

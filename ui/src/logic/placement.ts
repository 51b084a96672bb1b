// Placement maths: a box drawn on a rendered page (CSS pixels, y down) ⇄ the rectangle in PDF
// user space (points, y up) that the core writes, for any crop box and page rotation.

/** A page as the viewer shows it: its visible box in user space and its /Rotate. */
export interface PageGeometry {
  /** [x0, y0, x1, y1] of the crop box (clipped to the media box), user space. */
  view: [number, number, number, number];
  /** 0, 90, 180 or 270 (clockwise, as /Rotate). */
  rotate: number;
}

/** A rectangle on the screen: left, top, width, height, in CSS pixels of the rendered page. */
export interface ScreenBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** A rectangle in PDF user space: lower-left corner and size, in points. */
export interface UserRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Smallest box the core accepts (`Placement::parse`): 20 × 10 points. */
export const MIN_W = 20;
export const MIN_H = 10;

export function normalRotation(rotate: number): number {
  return (((Math.round(rotate / 90) * 90) % 360) + 360) % 360;
}

/** The rendered page's size in CSS pixels at `scale` (pixels per point). */
export function viewportSize(page: PageGeometry, scale: number): { width: number; height: number } {
  const [x0, y0, x1, y1] = page.view;
  const w = (x1 - x0) * scale;
  const h = (y1 - y0) * scale;
  return normalRotation(page.rotate) % 180 === 0 ? { width: w, height: h } : { width: h, height: w };
}

/** A user-space point on the screen (as pdf.js's viewport transform places it). */
export function toScreen(page: PageGeometry, scale: number, ux: number, uy: number): [number, number] {
  const [x0, y0, x1, y1] = page.view;
  switch (normalRotation(page.rotate)) {
    case 90:
      return [(uy - y0) * scale, (ux - x0) * scale];
    case 180:
      return [(x1 - ux) * scale, (uy - y0) * scale];
    case 270:
      return [(y1 - uy) * scale, (x1 - ux) * scale];
    default:
      return [(ux - x0) * scale, (y1 - uy) * scale];
  }
}

/** A screen point in user space (the inverse of `toScreen`). */
export function toUser(page: PageGeometry, scale: number, sx: number, sy: number): [number, number] {
  const [x0, y0, x1, y1] = page.view;
  const a = sx / scale;
  const b = sy / scale;
  switch (normalRotation(page.rotate)) {
    case 90:
      return [x0 + b, y0 + a];
    case 180:
      return [x1 - a, y0 + b];
    case 270:
      return [x1 - b, y1 - a];
    default:
      return [x0 + a, y1 - b];
  }
}

/** The user-space rectangle under a screen box. */
export function screenToUser(page: PageGeometry, scale: number, box: ScreenBox): UserRect {
  const [ax, ay] = toUser(page, scale, box.left, box.top);
  const [bx, by] = toUser(page, scale, box.left + box.width, box.top + box.height);
  return { x: Math.min(ax, bx), y: Math.min(ay, by), w: Math.abs(bx - ax), h: Math.abs(by - ay) };
}

/** The screen box over a user-space rectangle. */
export function userToScreen(page: PageGeometry, scale: number, r: UserRect): ScreenBox {
  const [ax, ay] = toScreen(page, scale, r.x, r.y);
  const [bx, by] = toScreen(page, scale, r.x + r.w, r.y + r.h);
  return { left: Math.min(ax, bx), top: Math.min(ay, by), width: Math.abs(bx - ax), height: Math.abs(by - ay) };
}

/**
 * A screen box kept inside the rendered page (moved in, then shrunk if larger than the page) and
 * no smaller than what the core accepts.
 */
export function snapInside(page: PageGeometry, scale: number, box: ScreenBox): ScreenBox {
  const { width: pw, height: ph } = viewportSize(page, scale);
  const sideways = normalRotation(page.rotate) % 180 !== 0;
  const minW = (sideways ? MIN_H : MIN_W) * scale;
  const minH = (sideways ? MIN_W : MIN_H) * scale;
  const width = Math.min(Math.max(box.width, minW), pw);
  const height = Math.min(Math.max(box.height, minH), ph);
  const left = Math.min(Math.max(box.left, 0), pw - width);
  const top = Math.min(Math.max(box.top, 0), ph - height);
  return { left, top, width, height };
}

/**
 * What the core reads (`--visible` / `visible`): `page,x,y,w,h` in user space, rounded to a
 * hundredth of a point.
 */
export function placementText(pageNumber: number, r: UserRect): string {
  const n = (v: number) => String(Math.round(v * 100) / 100);
  return [String(pageNumber), n(r.x), n(r.y), n(r.w), n(r.h)].join(',');
}

/** The page a shared placement lands on in a document of `pages` pages (`last` = its last page). */
export function pageFor(choice: number | 'last', pages: number): number | null {
  if (choice === 'last') return pages > 0 ? pages : null;
  return choice >= 1 && choice <= pages ? choice : null;
}

/** A run of text as pdf.js reads it from a page: its string and where it is in user space. */
export interface TextRun {
  str: string;
  /** [a, b, c, d, e, f]: e, f is where the run starts on its baseline. */
  transform: number[];
  /** Its extent along the baseline and its height, user space. */
  width: number;
  height: number;
}

/**
 * The box a keyword proposes ("place at 盖章处"): `size` centred on the first run that holds the
 * keyword (the keyword's share of the run, for a run longer than it), kept inside the page.
 */
export function keywordBox(runs: TextRun[], keyword: string, size: { w: number; h: number }, page: PageGeometry): UserRect | null {
  const word = keyword.trim();
  if (!word) return null;
  for (const run of runs) {
    const at = run.str.indexOf(word);
    if (at < 0 || run.str.length === 0) continue;
    const [, , , , e = 0, f = 0] = run.transform;
    const share = run.width / run.str.length;
    const cx = e + share * (at + word.length / 2);
    const cy = f + run.height / 2;
    const [x0, y0, x1, y1] = page.view;
    const w = Math.min(size.w, x1 - x0);
    const h = Math.min(size.h, y1 - y0);
    const x = Math.min(Math.max(cx - w / 2, x0), x1 - w);
    const y = Math.min(Math.max(cy - h / 2, y0), y1 - h);
    return { x, y, w, h };
  }
  return null;
}

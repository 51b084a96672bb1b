// PDFs the mock back end hands to the document view: a contract of a few pages with a line of
// text on each, and a company seal's preview (a red ring and star), each a valid PDF.

function build(objects: string[]): Uint8Array {
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

function stream(content: string): string {
  return `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
}

/** An A4 document whose page n shows `lines[n - 1]` near its top and at (300, 200). */
export function contractPdf(lines: string[]): Uint8Array {
  const n = lines.length;
  const font = 3 + 2 * n;
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', `<< /Type /Pages /Kids [${lines.map((_, i) => `${3 + 2 * i} 0 R`).join(' ')}] /Count ${n} >>`];
  lines.forEach((line, i) => {
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${4 + 2 * i} 0 R >>`);
    objects.push(stream(`BT /F1 20 Tf 72 760 Td (Page ${i + 1}) Tj ET BT /F1 14 Tf 300 200 Td (${line}) Tj ET`));
  });
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  return build(objects);
}

/** A 120-point seal: a red ring and a red star (no text: the mock has no CJK font). */
export function sealPdf(): Uint8Array {
  const k = 0.5523 * 55;
  const ring = `1 0 0.07 RG 6 w 115 60 m 115 ${60 + k} ${60 + k} 115 60 115 c ${60 - k} 115 5 ${60 + k} 5 60 c 5 ${60 - k} ${60 - k} 5 60 5 c ${60 + k} 5 115 ${60 - k} 115 60 c S`;
  const star = Array.from({ length: 10 }, (_, i) => {
    const r = i % 2 === 0 ? 30 : 11.5;
    const a = Math.PI / 2 + (i * Math.PI) / 5;
    return `${(60 + r * Math.cos(a)).toFixed(2)} ${(60 + r * Math.sin(a)).toFixed(2)} ${i === 0 ? 'm' : 'l'}`;
  }).join(' ');
  return build(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 120 120] /Contents 4 0 R >>', stream(`${ring} 0.9 0 0.07 rg ${star} h f`)]);
}

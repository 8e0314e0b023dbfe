// The report's chart as inline SVG (no script, no external file): one row per layer with its
// name, a bar of its SQNR in dB (coloured by how safe it is), and its weight bytes in float and
// in int8 drawn over each other, so a glance finds the weak layers and the big ones.
import { escapeXml, formatBytes, formatDb, sqnrClass } from "./format.js";
import type { Int8ReportLayer } from "./int8-report.js";

const ROW = 20;
const TOP = 44;
const LABEL_W = 300;
const SQNR_X = LABEL_W + 10;
const SQNR_W = 340;
const SIZE_X = SQNR_X + SQNR_W + 60;
const SIZE_W = 300;
const WIDTH = SIZE_X + SIZE_W + 110;

/** Bar colours by SQNR band (also used for the table's badges). */
export const SQNR_COLOURS: Readonly<Record<ReturnType<typeof sqnrClass>, string>> = {
  good: "#3c9a5f",
  fair: "#e0a030",
  poor: "#d0473d",
};

function shorten(name: string, max: number): string {
  return name.length <= max ? name : `…${name.slice(name.length - max + 1)}`;
}

/** A horizontal bar chart of per-layer SQNR and weight size. */
export function sqnrChart(layers: readonly Int8ReportLayer[]): string {
  const height = TOP + layers.length * ROW + 16;
  const finiteDb = layers.map((l) => l.sqnrDb).filter((d): d is number => d !== null);
  const dbMax = Math.max(50, Math.ceil(Math.max(0, ...finiteDb) / 10) * 10);
  const bytesMax = Math.max(1, ...layers.map((l) => Math.max(l.weightBytesFloat, l.weightBytesInt8)));
  const xDb = (d: number) => SQNR_X + (Math.max(0, Math.min(d, dbMax)) / dbMax) * SQNR_W;
  const xBytes = (b: number) => SIZE_X + (b / bytesMax) * SIZE_W;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="per-layer SQNR and weight size">`);
  out.push(`<style>text{font:11px system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;fill:#222}.axis{fill:#666}.head{font-weight:600}.grid{stroke:#e3e3e3}.zebra{fill:#f6f7f9}</style>`);
  out.push(`<text class="head" x="${SQNR_X}" y="14">SQNR against the float model (dB)</text>`);
  out.push(`<text class="head" x="${SIZE_X}" y="14">weight bytes: <tspan fill="#b8c2cc">■</tspan> float32 <tspan fill="#2f6db5">■</tspan> int8</text>`);
  for (let d = 0; d <= dbMax; d += 10) {
    const x = xDb(d).toFixed(1);
    out.push(`<line class="grid" x1="${x}" y1="${TOP - 6}" x2="${x}" y2="${height - 14}"/><text class="axis" x="${x}" y="${TOP - 10}" text-anchor="middle">${d}</text>`);
  }
  for (let k = 0; k <= 4; k++) {
    const b = (bytesMax * k) / 4, x = xBytes(b).toFixed(1);
    out.push(`<line class="grid" x1="${x}" y1="${TOP - 6}" x2="${x}" y2="${height - 14}"/><text class="axis" x="${x}" y="${TOP - 10}" text-anchor="middle">${formatBytes(b)}</text>`);
  }
  layers.forEach((l, i) => {
    const y = TOP + i * ROW;
    const mid = (y + ROW / 2 + 4).toFixed(1);
    if (i % 2 === 1) out.push(`<rect class="zebra" x="0" y="${y}" width="${WIDTH}" height="${ROW}"/>`);
    const label = `${i + 1}. ${shorten(l.node || l.value, 40)}`;
    out.push(`<text x="4" y="${mid}"><title>${escapeXml(`${l.node} (${l.op} → ${l.intOp}) computes ${l.value}`)}</title>${escapeXml(label)}</text>`);
    const db = l.sqnrDb ?? dbMax;
    const colour = SQNR_COLOURS[sqnrClass(l.sqnrDb)];
    const w = Math.max(1, xDb(db) - SQNR_X);
    out.push(`<rect x="${SQNR_X}" y="${y + 4}" width="${w.toFixed(1)}" height="${ROW - 8}" fill="${colour}"><title>${escapeXml(`${l.node}: ${formatDb(l.sqnrDb)}`)}</title></rect>`);
    out.push(`<text x="${(SQNR_X + w + 4).toFixed(1)}" y="${mid}">${escapeXml(formatDb(l.sqnrDb))}</text>`);
    if (l.weightBytesFloat > 0 || l.weightBytesInt8 > 0) {
      const wf = Math.max(1, xBytes(l.weightBytesFloat) - SIZE_X), wi = Math.max(1, xBytes(l.weightBytesInt8) - SIZE_X);
      out.push(`<rect x="${SIZE_X}" y="${y + 3}" width="${wf.toFixed(1)}" height="${ROW - 6}" fill="#b8c2cc"/>`);
      out.push(`<rect x="${SIZE_X}" y="${y + 6}" width="${wi.toFixed(1)}" height="${ROW - 12}" fill="#2f6db5"/>`);
      out.push(`<text x="${(SIZE_X + Math.max(wf, wi) + 4).toFixed(1)}" y="${mid}">${formatBytes(l.weightBytesFloat)} → ${formatBytes(l.weightBytesInt8)}</text>`);
    } else {
      out.push(`<text class="axis" x="${SIZE_X + 2}" y="${mid}">no weights</text>`);
    }
  });
  out.push("</svg>");
  return out.join("\n");
}

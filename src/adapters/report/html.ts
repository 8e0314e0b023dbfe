// The quantization report as ONE self-contained HTML page: inline CSS, the inline SVG chart and a
// table with a row per layer. No script and nothing fetched, so it opens from disk, in a CI
// artifact viewer or attached to a mail.
import { escapeXml as esc, formatBytes, formatCount, formatDb, sqnrClass } from "./format.js";
import type { Int8Report } from "./int8-report.js";
import { sqnrChart, SQNR_COLOURS } from "./svg-chart.js";

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#222;margin:24px auto;max-width:1200px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.sub{color:#555;margin:0 0 16px;word-break:break-all}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid #dde1e6;border-radius:8px;padding:10px 14px;min-width:170px;background:#fafbfc}
.card .v{font-size:22px;font-weight:600}.card .k{color:#555;font-size:12px}
.chartbox{overflow-x:auto;border:1px solid #dde1e6;border-radius:8px;padding:8px;background:#fff}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:4px 8px;border-bottom:1px solid #e6e8eb;text-align:left;vertical-align:top}
th{background:#f1f3f5;position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.name{word-break:break-all}
.badge{display:inline-block;min-width:64px;text-align:center;border-radius:4px;color:#fff;padding:0 6px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}dt{color:#555}dd{margin:0}
.legend span{margin-right:14px}
`;

function badge(db: number | null): string {
  return `<span class="badge" style="background:${SQNR_COLOURS[sqnrClass(db)]}">${esc(formatDb(db))}</span>`;
}

function card(value: string, key: string): string {
  return `<div class="card"><div class="v">${value}</div><div class="k">${key}</div></div>`;
}

/** The page for a report. */
export function renderHtml(r: Int8Report): string {
  const q = r.quantization;
  const rows = r.layers.map((l, i) => {
    const ratio = l.weightBytesFloat > 0 ? `${((100 * l.weightBytesInt8) / l.weightBytesFloat).toFixed(1)}%` : "";
    return `<tr class="layer"><td class="n">${i + 1}</td><td class="name">${esc(l.node)}${l.value !== l.node ? `<br><small>${esc(l.value)}</small>` : ""}</td>` +
      `<td>${esc(l.op)} → ${esc(l.intOp)}</td><td class="n">${badge(l.sqnrDb)}</td>` +
      `<td class="n">${l.weightBytesFloat.toLocaleString("en")}</td><td class="n">${l.weightBytesInt8.toLocaleString("en")}</td><td class="n">${ratio}</td>` +
      `<td class="n">${formatCount(l.macs)}</td></tr>`;
  });
  const outputs = r.endToEnd.outputs.map((o) => `<tr><td class="name">${esc(o.name)}</td><td class="n">${badge(o.sqnrDb)}</td></tr>`);
  const ops = Object.entries(r.ops).sort((a, b) => b[1] - a[1]).map(([op, n]) => `${esc(op)} ${n}`).join(", ");
  const worst = r.layers.reduce<(typeof r.layers)[number] | undefined>((w, l) => (l.sqnrDb !== null && (w === undefined || w.sqnrDb === null || l.sqnrDb < w.sqnrDb) ? l : w), undefined);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>neonc int8 report: ${esc(r.model)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>INT8 quantization report</h1>
<p class="sub">${esc(r.model)}</p>
<div class="cards">
${card(esc(formatDb(r.endToEnd.sqnrDb)), "end-to-end SQNR (worst output)")}
${card(`${formatBytes(r.size.weightBytesFloat)} → ${formatBytes(r.size.weightBytesInt8)}`, `weights: int8 is ${(100 * r.size.ratio).toFixed(1)}% of float32`)}
${card(formatCount(r.macs) + "MAC", "per run, on the first sample's length")}
${card(String(r.layers.length), "layers lowered to integer ops")}
${worst ? card(esc(formatDb(worst.sqnrDb)), `weakest layer: ${esc(worst.node)}`) : ""}
</div>

<h2>Per-layer SQNR and weight size</h2>
<p class="legend"><span style="color:${SQNR_COLOURS.good}">■</span><span>≥ 30 dB</span><span style="color:${SQNR_COLOURS.fair}">■</span><span>20–30 dB</span><span style="color:${SQNR_COLOURS.poor}">■</span><span>&lt; 20 dB</span></p>
<div class="chartbox">
${sqnrChart(r.layers)}
</div>

<h2>Layers</h2>
<table>
<thead><tr><th>#</th><th>layer (node, output value)</th><th>op</th><th>SQNR</th><th>float32 bytes</th><th>int8 bytes</th><th>int8/float</th><th>MACs</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>

<h2>Outputs</h2>
<table><thead><tr><th>output</th><th>SQNR</th></tr></thead><tbody>
${outputs.join("\n")}
</tbody></table>

${r.floatNodes.length > 0 ? `<h2>Left in float</h2>
<p>${r.floatNodes.length} node${r.floatNodes.length === 1 ? "" : "s"} run${r.floatNodes.length === 1 ? "s" : ""} in float between a Dequantize and a Quantize:</p>
<table><thead><tr><th>node</th><th>op</th><th>why</th></tr></thead><tbody>
${r.floatNodes.map((n) => `<tr><td class="name">${esc(n.node)}</td><td>${esc(n.op)}</td><td>${esc(n.reason)}</td></tr>`).join("\n")}
</tbody></table>
` : ""}${r.calibrationWarnings.length > 0 ? `<h2>Calibration warnings</h2>
<ul>
${r.calibrationWarnings.map((w) => `<li class="warning">${esc(w.message)}</li>`).join("\n")}
</ul>
` : ""}
<h2>How it was quantized</h2>
<dl>
<dt>calibration</dt><dd>${esc(q.summary)}</dd>
<dt>observer</dt><dd>${esc(q.observer)}</dd>
<dt>weights</dt><dd>int8 symmetric, ${q.perChannel ? "one scale per output channel" : "one scale per tensor"}</dd>
<dt>rounding</dt><dd>${esc(q.rounding)}</dd>
${q.seed !== undefined ? `<dt>seed</dt><dd>${q.seed}</dd>` : ""}
<dt>SQNR measured on</dt><dd>${r.samples} calibration input${r.samples === 1 ? "" : "s"}, int8 outputs dequantized against the float model after -O1</dd>
<dt>int8 graph ops</dt><dd>${ops}</dd>
</dl>
<p class="sub">Weight bytes count every constant of a layer (int8 includes its int32 bias). SQNR = 10·log10(Σf² / Σ(f − q)²) over all samples.</p>
</body>
</html>
`;
}

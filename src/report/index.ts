// The quantization report (--report / --report-json): build it from an --int8 run and write the
// JSON and/or the self-contained HTML page.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Int8Outcome } from "../cli/int8-flags.js";
import { buildInt8Report, type Int8Report } from "./int8-report.js";
import { renderHtml } from "./html.js";

export { buildInt8Report, type Int8Report, type Int8ReportLayer, type ReportSource } from "./int8-report.js";
export { renderHtml } from "./html.js";
export { sqnrChart } from "./svg-chart.js";

export interface ReportFiles {
  readonly html?: string;
  readonly json?: string;
}

/** The report of an --int8 run on `model`. */
export function reportOfOutcome(model: string, o: Int8Outcome): Int8Report {
  const s = o.settings;
  return buildInt8Report({
    model, float: o.float, int8: o.graph, samples: o.samples,
    calibration: s.calibration.kind === "dir" ? s.calibration.dir : s.calibration.kind === "json" ? s.calibration.file : "synthetic",
    calibrationSamples: o.calibrationSamples, observer: s.observer, rounding: s.rounding, perChannel: s.perChannel,
    seed: s.calibration.kind === "synthetic" ? s.seed : undefined, summary: o.summary,
  });
}

/** Writes the requested files; returns the report (undefined when no file was asked for). */
export function writeReports(model: string, o: Int8Outcome, files: ReportFiles): Int8Report | undefined {
  if (!files.html && !files.json) return undefined;
  const r = reportOfOutcome(model, o);
  for (const [file, text] of [[files.json, JSON.stringify(r, null, 2) + "\n"], [files.html, renderHtml(r)]] as const) {
    if (!file) continue;
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileSync(file, text);
  }
  return r;
}

/** One line saying what the report found and where it went. */
export function reportSummaryLine(r: Int8Report, files: ReportFiles): string {
  const db = r.endToEnd.sqnrDb === null ? "exact" : `${r.endToEnd.sqnrDb.toFixed(1)} dB`;
  const where = [files.html, files.json].filter(Boolean).join(" and ");
  return `int8 report: end-to-end SQNR ${db} on ${r.samples} inputs, weights ${(100 * r.size.ratio).toFixed(1)}% of float32, ${r.layers.length} integer layers; wrote ${where}`;
}

// The quantization report (--report / --report-json, and the library's reportOfModel): build it
// from an int8 flow's result (quantizeModel) and write the JSON and/or the self-contained HTML page.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { QuantizedModel } from "../../../passes/quantize/flow.js";
import { buildInt8Report, type Int8Report } from "./int8-report.js";
import { renderHtml } from "./html.js";
import { calibrationWarnings } from "../../analyses/calibration/thin.js";

export { buildInt8Report, type Int8Report, type Int8ReportLayer, type ReportSource } from "./int8-report.js";
export { renderHtml } from "./html.js";
export { sqnrChart } from "./svg-chart.js";

export interface ReportFiles {
  readonly html?: string;
  readonly json?: string;
}

/** How the model was quantized, as the report states it. */
export interface QuantizationSettings {
  /** The calibration spec: synthetic, a folder or a file. */
  readonly calibration: string;
  readonly observer: string;
  readonly rounding: string;
  readonly perChannel: boolean;
  /** The seed of a synthetic calibration. */
  readonly seed?: number;
}

/** The defaults of the quantize pass, for settings a caller does not state. */
const DEFAULT_SETTINGS: QuantizationSettings = { calibration: "synthetic", observer: "minmax", rounding: "gemmlowp", perChannel: true, seed: 0 };

/** The report of an int8 quantization (quantizeModel's result) of the model file `model`. */
export function reportOfModel(model: string, q: QuantizedModel, settings: Partial<QuantizationSettings> = {}): Int8Report {
  const s = { ...DEFAULT_SETTINGS, ...settings };
  return buildInt8Report({
    model, float: q.float, int8: q.graph, samples: q.samples,
    calibration: s.calibration, calibrationSamples: q.calibration.result.samples, observer: s.observer, rounding: s.rounding,
    perChannel: s.perChannel, seed: s.calibration === "synthetic" ? s.seed : undefined, summary: q.calibration.summary,
    calibrationWarnings: q.calibration.samples.length > 0 ? calibrationWarnings(q.float, q.calibration.result) : [],
  });
}

/** Writes the requested files; returns the report (undefined when no file was asked for). */
export function writeReports(model: string, q: QuantizedModel, s: Partial<QuantizationSettings>, files: ReportFiles): Int8Report | undefined {
  if (!files.html && !files.json) return undefined;
  const r = reportOfModel(model, q, s);
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

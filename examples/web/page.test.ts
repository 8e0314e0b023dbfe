// The browser page of examples/web in headless Chromium: build.ts compiles the digits model and
// the stateful VAD to wasm32 into a temporary folder, a local HTTP server serves it with
// index.html and app.js, Chromium loads the page and runs both modules, and the results it shows
// must be the interpreter's: the same transcript, and the VAD's speech probabilities over both
// chunks (the LSTM state carried over) within 1e-4. The page POSTs what it shows to /report when it
// has finished (app.js, `?report=`); the test waits for that rather than for a time budget, which
// ran out under load on a busy machine. Skipped with the reason when Chromium or the
// wasm32 toolchain is missing; under NEONC_REQUIRE_TARGETS=1 (CI) that fails instead.
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { getTarget, greedyDecode, hasTool, importOnnxFile, parseVocabulary, readTensorFile, rigFor, rigMissing, runGraph, type Tensor } from "neonc";
import { buildWebExample, UTTERANCE } from "./build.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const CHROMIUM = "chromium";
const tmp = mkdtempSync(path.join(os.tmpdir(), "neonc-web-page-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function skipOrFail(ctx: { skip(note: string): never }, why: string): never {
  if (process.env.NEONC_REQUIRE_TARGETS === "1") throw new Error(`${why} (and NEONC_REQUIRE_TARGETS=1)`);
  console.warn(`skipping: ${why}`);
  return ctx.skip(why);
}

const TYPES: Readonly<Record<string, string>> = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

/**
 * Serves `dir` on a free local port, opens index.html?report=/report in headless Chromium, and
 * returns the body the page POSTs to /report; fails with Chromium's stderr if the page does not
 * report within `ms`.
 */
async function pageReport(dir: string, ms: number): Promise<string> {
  let reported!: (body: string) => void;
  const report = new Promise<string>((ok) => (reported = ok));
  const server = createServer((req, res) => {
    if (req.method === "POST" && req.url === "/report") {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        res.writeHead(204);
        res.end();
        reported(body);
      });
      return;
    }
    try {
      const file = path.join(dir, path.normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)));
      const bytes = readFileSync(file);
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
      res.end(bytes);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html?report=/report`;
  const profile = path.join(dir, "profile");
  const browser = spawn(CHROMIUM, ["--headless=new", "--no-sandbox", "--disable-gpu", `--user-data-dir=${profile}`, url], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  browser.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`the page did not report within ${ms / 1000} s; chromium said:\n${stderr}`)), ms);
  });
  const exited = new Promise<never>((_, fail) => browser.on("exit", (code) => fail(new Error(`chromium exited (${code}) before the page reported:\n${stderr}`))));
  try {
    return await Promise.race([report, late, exited]);
  } finally {
    clearTimeout(timer);
    browser.kill("SIGKILL");
    server.close();
  }
}

describe("examples/web in headless Chromium", () => {
  it("shows the interpreter's transcript and VAD probabilities", async (ctx) => {
    if (!hasTool(CHROMIUM)) skipOrFail(ctx, "the browser page test cannot run here: missing chromium");
    const missing = rigMissing(rigFor(getTarget("wasm32"), "wasm"));
    if (missing) skipOrFail(ctx, `the browser page test cannot run here: wasm32 (wasm): ${missing}`);
    buildWebExample(path.join(tmp, "out"));
    for (const f of ["index.html", "app.js"]) copyFileSync(path.join(here, f), path.join(tmp, f));
    const json = await pageReport(tmp, 300_000);
    const shown = JSON.parse(json) as { transcript?: string; vad?: number[]; error?: string };
    expect(shown.error).toBeUndefined();

    const digits = path.join(root, "examples/digits");
    const g = importOnnxFile(path.join(digits, "model.onnx"));
    const logProbs = runGraph(g, { [g.inputs[0]!]: readTensorFile(path.join(digits, "dev", `${UTTERANCE}.input.pb`)).tensor })[g.outputs[0]!]!;
    const vocab = parseVocabulary(readFileSync(path.join(digits, "vocab.json"), "utf8"));
    expect(shown.transcript).toBe(greedyDecode(logProbs, vocab).trim());
    expect(shown.transcript).toBe("zero nine eight two seven");

    const vadDir = path.join(root, "test/fixtures/models/vad_lstm_state");
    const vad = importOnnxFile(path.join(vadDir, "model.onnx"));
    const zero: Tensor = { dtype: "f32", shape: [1, 1, 32], data: new Float32Array(32) };
    let state = { h0: zero, c0: zero };
    const want: number[] = [];
    for (const k of [0, 1]) {
      const out = runGraph(vad, { features: readTensorFile(path.join(vadDir, `test_data_set_${k}`, "input_0.pb")).tensor, ...state });
      want.push(...(out.speech_prob!.data as Float32Array));
      state = { h0: out.hn!, c0: out.cn! };
    }
    expect(shown.vad).toHaveLength(want.length);
    const worst = Math.max(...want.map((w, i) => Math.abs(w - shown.vad![i]!)));
    expect(worst).toBeLessThanOrEqual(1e-4);
  }, 600_000);
});

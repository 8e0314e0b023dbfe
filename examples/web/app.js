// The page's script: loads the two modules from ./out (model.js imports nothing; model.wasm is
// fetched beside it), runs the bundled utterance through the digits model and greedy CTC, runs the
// VAD over two chunks carrying its LSTM state, and shows the results. #result holds them as JSON;
// with `?report=PATH` the page also POSTs that JSON to PATH, which is how the test that drives
// this page in headless Chromium learns that the page has finished (no timing guess).
import * as digits from "./out/digits/model.js";
import * as vad from "./out/vad/model.js";

const floats = async (url) => new Float32Array(await (await fetch(url)).arrayBuffer());

function greedyCtc(logProbs, shape, vocab) {
  const [, classes, frames] = shape;
  let prev = -1, text = "";
  for (let t = 0; t < frames; t++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logProbs[c * frames + t] > logProbs[best * frames + t]) best = c;
    if (best !== prev && best !== vocab.blank_index) text += vocab.index_to_char[String(best)];
    prev = best;
  }
  return text.trim();
}

async function main() {
  const data = await (await fetch("./out/data.json")).json();
  const vocab = await (await fetch("./out/vocab.json")).json();
  const asr = await digits.load();
  const features = await floats("./out/utterance.bin");
  const out = asr.run({ features: { data: features, shape: data.features } });
  const transcript = greedyCtc(out.log_probs.data, out.log_probs.shape, vocab);
  document.getElementById("transcript").textContent = transcript;

  const v = await vad.load();
  let h = new Float32Array(32), c = new Float32Array(32);
  const probs = [];
  for (const k of [0, 1]) {
    const r = v.run({ features: { data: await floats(`./out/vad_chunk${k}.bin`), shape: data.vadChunks[k] }, h0: h, c0: c });
    probs.push(...r.speech_prob.data);
    h = r.hn.data;
    c = r.cn.data;
  }
  const bars = document.getElementById("vad");
  for (const p of probs) {
    const b = document.createElement("span");
    b.className = "bar";
    b.style.height = `${Math.round(p * 60)}px`;
    bars.appendChild(b);
  }
  const speech = probs.filter((p) => p > 0.5).length;
  document.getElementById("vad-summary").textContent = `${probs.length} frames, ${speech} above 0.5`;
  return { transcript, vad: probs };
}

function show(result) {
  const json = JSON.stringify(result);
  document.getElementById("result").textContent = json;
  const report = new URLSearchParams(location.search).get("report");
  if (report) fetch(report, { method: "POST", body: json });
}

main().then(show, (e) => show({ error: String(e && e.message ? e.message : e) }));

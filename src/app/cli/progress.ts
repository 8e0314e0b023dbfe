// How the CLI shows long work (calibration, synthesis, batch runs): a bar on stderr when it is a
// terminal; otherwise (CI logs, `| tee`) plain lines once the work has taken 2 s, one per tenth
// of it or per 15 s at most, and the closing summary, so a long wait never looks like a hang
// while quick commands stay quiet.
import cliProgress from "cli-progress";
import type { ProgressSink, ProgressTask } from "../../../passes/pass.js";

/** Plain progress lines at most this often (besides one per tenth of the work). */
const LINE_EVERY_MS = 15_000;
/** Work shorter than this prints no plain lines at all. */
const QUIET_MS = 2_000;

/** The CLI's progress sink: a bar on a terminal, lines elsewhere. */
export function terminalProgress(tty = process.stderr.isTTY === true, write = (t: string) => process.stderr.write(t)): ProgressSink {
  return (task, total) => (tty ? bar(task, total) : lines(task, total, write));
}

function bar(task: string, total: number): ProgressTask {
  if (total < 2) return { tick() {}, done: (summary) => void (summary && process.stderr.write(`${summary}\n`)) };
  const b = new cliProgress.SingleBar(
    { format: `${task} |{bar}| {value}/{total} {label}`, stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 20 },
    cliProgress.Presets.shades_classic,
  );
  b.start(total, 0, { label: "" });
  let done = 0;
  return {
    tick: (detail) => b.update(++done, { label: detail ?? "" }),
    done(summary) {
      b.stop();
      if (summary) process.stderr.write(`${summary}\n`);
    },
  };
}

function lines(task: string, total: number, write: (t: string) => void): ProgressTask {
  const started = Date.now();
  let done = 0, lastTenth = 0, lastAt = started;
  return {
    tick(detail) {
      done++;
      const tenth = Math.floor((done * 10) / Math.max(total, 1));
      const now = Date.now();
      if (now - started >= QUIET_MS && done < total && (tenth > lastTenth || now - lastAt >= LINE_EVERY_MS)) {
        write(`${task}: ${done}/${total}${detail ? ` (${detail})` : ""}, ${((now - started) / 1000).toFixed(0)} s\n`);
        lastTenth = tenth;
        lastAt = now;
      }
    },
    done(summary) {
      const s = (Date.now() - started) / 1000;
      if (s * 1000 >= QUIET_MS) write(`${summary ?? `${task}: done in ${s.toFixed(1)} s`}\n`);
    },
  };
}

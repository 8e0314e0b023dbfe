// Progress display for long batch work: a bar on stderr when it is a terminal, and nothing at
// all otherwise, so logs and pipes stay clean.
import cliProgress from "cli-progress";

export interface Progress {
  /** Marks one item done; `label` names the item just finished. */
  tick(label: string): void;
  /** Removes the bar; `summary` is printed in its place (only where the bar was shown). */
  stop(summary?: string): void;
}

const silent: Progress = { tick() {}, stop() {} };

export function startProgress(total: number, what: string, enabled = process.stderr.isTTY === true): Progress {
  if (!enabled || total < 2) return silent;
  const bar = new cliProgress.SingleBar(
    {
      format: `${what} |{bar}| {value}/{total} {label}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { label: "" });
  let done = 0;
  return {
    tick(label) {
      bar.update(++done, { label });
    },
    stop(summary) {
      bar.stop();
      if (summary) process.stderr.write(`${summary}\n`);
    },
  };
}

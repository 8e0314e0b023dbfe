// Dynamic instruction counts of one program run under qemu-user, from qemu's own logs: with
// `-d in_asm,exec,nochain` qemu prints each translation block (TB) once as it translates it
// (`IN:` and one line per guest instruction) and one `Trace` line each time it executes one
// (nochain stops TBs jumping straight into each other, which would skip the line). Executions
// of a TB times its instruction count is the dynamic count, exactly, for code that does not
// fault in the middle of a block (neonc's generated C does not).
//
// Counts are split into regions by marker addresses: when a TB starting at a marker executes,
// the marker's region becomes current, and later TBs count towards it until the next marker
// (bench/arm/markers.ts puts one empty function before every node of the generated model).
import { spawn } from "node:child_process";

/** Executions of each TB start address (pc) in one region, with each TB's instruction count. */
export interface RegionCounts {
  /** pc -> times executed. */
  readonly execs: Map<number, number>;
  /** Guest instructions executed in the region. */
  instructions: number;
}

export interface Trace {
  /** Region index -> counts; region -1 holds what ran before the first marker. */
  readonly regions: Map<number, RegionCounts>;
  /** pc -> instructions of the TB that starts there (the last translation of it). */
  readonly blockSize: Map<number, number>;
  /** Times each region's marker was reached. */
  readonly markerHits: Map<number, number>;
}

/**
 * Folds qemu's log, line by line, into a Trace. Pure (no processes), so it is tested on text;
 * `markers` maps a TB start address to the region it opens.
 */
export class TraceParser {
  readonly regions = new Map<number, RegionCounts>();
  readonly blockSize = new Map<number, number>();
  readonly markerHits = new Map<number, number>();
  private region = -1;
  private current: RegionCounts;
  /** Address of the TB being listed by in_asm, and its instruction count so far. */
  private listing: { pc: number; n: number } | undefined;

  constructor(private readonly markers: ReadonlyMap<number, number>) {
    this.current = this.regionCounts(-1);
  }

  private regionCounts(r: number): RegionCounts {
    let c = this.regions.get(r);
    if (!c) {
      c = { execs: new Map(), instructions: 0 };
      this.regions.set(r, c);
    }
    return c;
  }

  line(l: string): void {
    if (l.startsWith("Trace ")) {
      this.endListing();
      this.exec(l);
    } else if (l.startsWith("IN:")) {
      this.endListing();
      this.listing = { pc: -1, n: 0 };
    } else if (this.listing && l.startsWith("0x")) {
      // "0x00000000004007b0:  ca810c43  eor x3, x2, x1, asr #3": one guest instruction.
      if (this.listing.n === 0) this.listing.pc = parseInt(l.slice(2, l.indexOf(":")), 16);
      this.listing.n++;
    } else if (l.length === 0 || l.startsWith("---")) {
      this.endListing();
    }
  }

  private endListing(): void {
    if (this.listing && this.listing.n > 0) this.blockSize.set(this.listing.pc, this.listing.n);
    this.listing = undefined;
  }

  /** "Trace 0: 0x7f01c5a00100 [cs_base/pc/flags/cflags] symbol": one TB execution. */
  private exec(l: string): void {
    const open = l.indexOf("[");
    const a = l.indexOf("/", open) + 1;
    const pc = parseInt(l.slice(a, l.indexOf("/", a)), 16);
    const m = this.markers.get(pc);
    if (m !== undefined) {
      this.region = m;
      this.current = this.regionCounts(m);
      this.markerHits.set(m, (this.markerHits.get(m) ?? 0) + 1);
      return;
    }
    const size = this.blockSize.get(pc);
    if (size === undefined) throw new Error(`qemu executed a block at 0x${pc.toString(16)} it never listed (is in_asm logging on?)`);
    const c = this.current;
    c.execs.set(pc, (c.execs.get(pc) ?? 0) + 1);
    c.instructions += size;
  }

  finish(): Trace {
    this.endListing();
    return { regions: this.regions, blockSize: this.blockSize, markerHits: this.markerHits };
  }
}

export interface TraceRun {
  /** qemu-user binary (qemu-aarch64, qemu-arm). */
  readonly qemu: string;
  readonly args: readonly string[];
  readonly markers: ReadonlyMap<number, number>;
}

/** Runs the program under qemu with block logging on and folds the log as it streams (nothing goes to disk). */
export function traceRun(run: TraceRun): Promise<Trace> {
  return new Promise((resolve, reject) => {
    const parser = new TraceParser(run.markers);
    // qemu writes its log to stderr unless -D names a file; the program's stdout stays apart.
    const child = spawn(run.qemu, ["-d", "in_asm,exec,nochain", ...run.args], { stdio: ["ignore", "pipe", "pipe"] });
    let rest = "";
    let stdout = "";
    let failure: Error | undefined;
    const notLog: string[] = [];
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      if (failure) return;
      const lines = (rest + d).split("\n");
      rest = lines.pop()!;
      try {
        for (const l of lines) {
          parser.line(l);
          // Lines that are not qemu's (the program's own stderr) are kept for the error message.
          if (notLog.length < 20 && l.length > 0 && !/^(Trace |IN:|0x|---|OBJD|\s)/.test(l)) notLog.push(l);
        }
      } catch (e) {
        failure = e as Error;
        child.kill();
      }
    });
    child.on("error", (e) => reject(new Error(`cannot run ${run.qemu}: ${e.message}`)));
    child.on("close", (code) => {
      if (failure) return reject(failure);
      if (rest) parser.line(rest);
      if (code !== 0) return reject(new Error(`the traced program failed under ${run.qemu} (exit ${code}): ${[...notLog, stdout.trim()].join("\n").slice(0, 2000)}`));
      resolve(parser.finish());
    });
  });
}

// What calibration runs on: a set of input samples (any iterable of input records that knows its
// length, so a folder can be read lazily, one sample at a time), or ranges computed before.
import type { Tensor } from "../../../ir/types.js";
import type { CalibrationResult } from "./calibrate.js";

/** One calibration input: a tensor per graph input name. */
export type InputSample = Readonly<Record<string, Tensor>>;

export interface SampleSet extends Iterable<InputSample> {
  readonly length: number;
}

/** What a host hands the quantize pass for a calibration spec it can read (passes read no files). */
export type CalibrationData =
  | {
      readonly kind: "samples";
      readonly samples: SampleSet;
      /** Where they came from, for messages. */
      readonly source: string;
      /** Samples of the source left out because they do not fit the graph, in one sentence (in the calibration summary). */
      readonly skipped?: string;
    }
  | { readonly kind: "ranges"; readonly result: CalibrationResult; readonly source: string };

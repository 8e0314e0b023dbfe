// Built-in presets. -O1: normalize the form (canonicalize, conv2d-to-1d), fold BatchNorm into its
// neighbours, then fuse activations, repeated until nothing changes. Fusion comes last in a
// round because a fused activation between a Conv and its BatchNorm would block the folding.
import type { Preset } from "./registry.js";

export const O1: Preset = {
  name: "O1",
  doc: "the standard float clean-up, to a fixed point",
  pipeline: "canonicalize,conv2d-to-1d,fold-batchnorm,fuse-activation",
  maxRounds: 8,
};

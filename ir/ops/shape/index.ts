// Op family group "shape": the definitions listed here are registered by ir/ops/index.ts.
import type { OpDef } from "../../op.js";
import { Concat } from "./concat.js";
import { Constant } from "./constant.js";
import { ConstantOfShape } from "./constant-of-shape.js";
import { Dropout } from "./dropout.js";
import { Expand } from "./expand.js";
import { Flatten } from "./flatten.js";
import { Gather } from "./gather.js";
import { Identity } from "./identity.js";
import { Pad } from "./pad.js";
import { Range } from "./range.js";
import { Reshape } from "./reshape.js";
import { Shape } from "./shape.js";
import { Size } from "./size.js";
import { Slice } from "./slice.js";
import { Split } from "./split.js";
import { Squeeze } from "./squeeze.js";
import { Tile } from "./tile.js";
import { Transpose } from "./transpose.js";
import { Unsqueeze } from "./unsqueeze.js";

export const shapeOps: OpDef<any>[] = [
  Transpose, Reshape, Flatten, Squeeze, Unsqueeze, Concat, Split, Slice, Gather, Pad, Expand, Tile,
  Shape, Size, ConstantOfShape, Range, Identity, Dropout, Constant,
];

// Op family group "recurrent": the definitions listed here are registered by ir/ops/index.ts.
import type { OpDef } from "../../op.js";
import { GRU } from "./gru.js";
import { LSTM } from "./lstm.js";
import { RNN } from "./rnn.js";

export const recurrentOps: OpDef<any>[] = [LSTM, GRU, RNN];

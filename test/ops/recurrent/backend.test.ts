// ONNX backend tests of LSTM, GRU and RNN: imported, type-inferred and run end to end.
import { describe, expect, it } from "vitest";
import { backendNames, backendRoot, checkBackendCase } from "../../helpers/backend-cases.js";

describe.runIf(backendRoot)("ONNX backend tests: recurrent ops", () => {
  const names = backendNames(/^test_(lstm|gru|rnn)_/);
  it("finds them", () => expect(names.length).toBeGreaterThanOrEqual(6));
  for (const name of names) it(name, () => expect(checkBackendCase(name, { rtol: 1e-5, atol: 1e-6 })).toEqual([]));
});

// ONNX backend tests of the quantization ops: imported, type-inferred and run end to end; the
// outputs must match bit for bit (float outputs too: the arithmetic follows the reference's).
import { describe, expect, it } from "vitest";
import { backendNames, backendRoot, checkBackendCase } from "../../helpers/backend-cases.js";

describe.runIf(backendRoot)("ONNX backend tests: quantization ops", () => {
  const names = backendNames(/^test_(quantizelinear|dequantizelinear|qlinearconv|qlinearmatmul|convinteger|matmulinteger)/);
  it("finds them", () => expect(names.length).toBeGreaterThanOrEqual(11));
  for (const name of names) it(name, () => expect(checkBackendCase(name, { rtol: 0, atol: 0 })).toEqual([]));
});

// Every model of ../shared/models quantized to int8 (calibrated on test_data_set_0), compiled for
// wasm32 and run as a WebAssembly module under Node: on test_data_set_1 every integer tensor
// entering a Dequantize equals the interpreter's byte for byte (the check is in
// qint-shared-models.ts).
import { describeInt8SharedModels } from "./qint-shared-models.js";

describeInt8SharedModels("wasm32", "wasm");

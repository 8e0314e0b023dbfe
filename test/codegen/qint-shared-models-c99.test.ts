// Every model of ../shared/models quantized to int8 (calibrated on test_data_set_0) and
// compiled for portable C99 and run natively: on test_data_set_1 every integer
// tensor entering a Dequantize equals the interpreter's byte for byte (the check is in
// qint-shared-models.ts). One file per rig, so vitest runs the rigs in parallel.
import { describeInt8SharedModels } from "./qint-shared-models.js";

describeInt8SharedModels("c99", "native");

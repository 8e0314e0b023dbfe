// Every shared model cross-compiled for ARMv7 (NEON, hard-float) and run under qemu-arm.
import { describeSharedModels } from "./shared-models.js";

describeSharedModels("armv7", "qemu");

// Every shared model cross-compiled for aarch64 and run under qemu-aarch64.
import { describeSharedModels } from "./shared-models.js";

describeSharedModels("aarch64", "qemu");

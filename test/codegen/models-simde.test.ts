// Every shared model compiled for aarch64 NEON and run on this host through SIMDe.
import { describeSharedModels } from "./shared-models.js";

describeSharedModels("aarch64", "simde");

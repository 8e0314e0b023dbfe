// Test-run setup: every fast-check property in the suites draws from one seed, so a CI run is
// reproducible; NEONC_SEED picks another search (fast-check prints the seed of any failure).
import fc from "fast-check";

fc.configureGlobal({ seed: Number(process.env.NEONC_SEED ?? 20261123) });

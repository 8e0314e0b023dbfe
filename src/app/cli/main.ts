#!/usr/bin/env node
// Entry point of the `neonc` executable (package.json "bin" -> dist/src/app/cli/main.js).
// Setting exitCode instead of calling process.exit lets piped stdout finish writing.
import { runCli } from "./program.js";

process.exitCode = await runCli(process.argv.slice(2));

#!/usr/bin/env node
// Entry point of the poseidon-monitor command (package.json "bin"): runs the CLI and exits with its code.

import { runCli } from './program.js';

const code = await runCli(process.argv);
process.exitCode = code;
// Everything the commands open is closed or unref'd, so the process ends by itself; this unref'd
// timer only ends it should some library keep a handle open after a finished command.
setTimeout(() => process.exit(code), 2000).unref();

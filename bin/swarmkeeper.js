#!/usr/bin/env node
// Entry point: runs the compiled CLI (npm run build produces dist/).
// The V8 compile cache (Node >= 22.1) keeps the compiled code of the modules between runs, in
// $NODE_COMPILE_CACHE or the temp dir; it is switched on before the CLI's modules are loaded (hence
// the dynamic import), and a runtime or a directory without it just compiles as usual.
import module from 'node:module';

try {
  module.enableCompileCache?.();
} catch {
  // no cache: start-up is slower, nothing else changes
}
const { main } = await import('../dist/controllers/cli/main.js');

process.exitCode = await main(process.argv);

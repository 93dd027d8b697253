#!/usr/bin/env node
// Entry point: runs the built CLI (npm run build produces dist/): its bundle, dist/cli/swarmkeeper.cjs,
// with a V8 code cache per command (controllers/cli/launch.ts), or the module tree of dist/ when the
// build made no bundle.
// Node's compile cache (Node >= 22.1) serves the modules loaded from node_modules and dist/, for every
// command but `run` (launch.ts, nodeCompileCache, says why); it is switched on before they are loaded,
// and a runtime or a directory without it just compiles as usual. launch.js itself loads without it.
const { runReexec, nodeCompileCache, runCli } = await import('../dist/controllers/cli/launch.js');

// `run` only: the same command again, in this process, with MALLOC_ARENA_MAX=1 and a smaller V8
// young generation (launch.ts, runReexec, says why)
runReexec(process.argv.slice(2));
nodeCompileCache(process.argv.slice(2));

process.exitCode = await runCli(process.argv);

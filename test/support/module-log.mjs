// Preloaded with `node --import` (NODE_OPTIONS) by tests that check which modules a process loads:
// records the URL of every module loaded (ES modules and require()) and writes them, one a line,
// to $SK_MODULE_LOG when the process exits, then Node's builtins it loaded (process.moduleLoadList),
// each as `builtin:<name>` (a require of a builtin does not pass the load hook).
import { writeFileSync } from 'node:fs';
import module from 'node:module';

const loaded = new Set();
module.registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url);
    return nextLoad(url, context);
  },
});
process.on('exit', () => {
  const builtins = process.moduleLoadList
    .filter((m) => m.startsWith('NativeModule '))
    .map((m) => `builtin:${m.slice('NativeModule '.length)}`);
  if (process.env.SK_MODULE_LOG)
    writeFileSync(process.env.SK_MODULE_LOG, [...loaded, ...builtins].join('\n') + '\n');
});

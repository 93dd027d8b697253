/**
 * The one-shot commands (validate, plan, apply) parse a few documents once: zod's JIT, which
 * compiles an object schema's parser with `new Function` on its first parse, costs them more than it
 * saves (about 10 ms of a small validate, and that code is in no code cache). Each of those actions
 * imports this module first, before any schema is built: zod reads the setting when it builds an
 * object schema. The controller (`run`) parses the same schemas again and again and keeps the JIT.
 */
import { config } from 'zod';

config({ jitless: true });

// Entry point of a simulator worker thread. Plain JavaScript because it must run before TypeScript support exists in
// the thread: on Node 20, the tsx loader of the main thread does not reach worker threads, so register it here, then
// load the worker side of sim/workers.ts.
import { register } from 'tsx/esm/api'

register()
await import('./workers.ts')

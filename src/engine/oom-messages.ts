/**
 * The OOM errors of maxmemory (Redis 7.0's texts). Their own module, importing nothing, because both the eviction code
 * and the scripting host's redis.call refuse with them and the host must not import the engine's eviction machinery.
 */
export const OOM_MESSAGE = "OOM command not allowed when used memory > 'maxmemory'."
export const SCRIPT_OOM_MESSAGE =
  "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'"

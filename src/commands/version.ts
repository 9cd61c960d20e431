/** The Redis version redsim reproduces, as HELLO and INFO report it. */
export const REDIS_VERSION = '7.0.15'

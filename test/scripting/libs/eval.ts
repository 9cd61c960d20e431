/** Helpers for the Lua library tests: run a script with EVAL and read its RESP2 reply. */
import type { TestEngine } from '../../helpers.ts'

/**
 * The RESP2 text of `EVAL script 0`, with the " script: <sha>, on @user_script:<line>." suffix of an error removed
 * (it only repeats the script's SHA1; the error text before it is what the libraries produce).
 */
export async function evalReply(t: TestEngine, script: string): Promise<string> {
  const reply = await t.resp('EVAL', script, 0)
  return reply.replace(/ script: [0-9a-f]{40}, on @user_script:\d+\.\r\n$/, '\r\n')
}

/** A script and the reply redis-server 7.0.15 gives for it (suffix removed as above). */
export type Case = [script: string, reply: string]

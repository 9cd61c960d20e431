/**
 * used_memory as redsim reports it and enforces maxmemory against it: what Redis 7.0 would have allocated for the
 * same state. Three parts, each known in O(1) when a command asks:
 *
 * - the empty server (used_memory_startup of redis-server 7.0.15 on x86_64, a constant);
 * - the dataset, kept incrementally by the databases on every write (src/keyspace/memory-size.ts), plus the dicts'
 *   tables, computed from the key counts of the 16 databases;
 * - the clients (client-memory.ts): each client's figure is refreshed when it runs a command and every client's on
 *   each cron tick, as Redis's clientsCron samples them; the sum is kept, not recomputed.
 *
 * redsim's own heap (process.memoryUsage) is a different measure of different structures, so it is not used here; INFO
 * still shows it as used_memory_rss.
 */
import type { Client } from './client.ts'
import { clientMemory } from './client-memory.ts'
import type { Engine } from './engine.ts'

/** used_memory_startup of redis-server 7.0.15 (jemalloc 5.3.0, x86_64): an empty server's allocations. */
export const STARTUP_BYTES = 876112

export class UsedMemory {
  /** Highest used_memory seen when it was computed (INFO, MEMORY STATS, eviction checks). */
  peak = 0
  private readonly perClient = new Map<Client, number>()
  private clientsTotal = 0

  constructor(private readonly engine: Engine) {}

  /** used_memory. */
  used(): number {
    const used = STARTUP_BYTES + this.engine.keyspace.datasetBytes() + this.clientsTotal
    if (used > this.peak) this.peak = used
    return used
  }

  /** Client memory, as INFO's mem_clients_normal. */
  clients(): number {
    return this.clientsTotal
  }

  /** Re-reads one client's figure (it is running a command). O(1). */
  refreshClient(client: Client): void {
    const now = clientMemory(client)
    const before = this.perClient.get(client)
    if (before === now) return
    this.perClient.set(client, now)
    this.clientsTotal += now - (before ?? 0)
  }

  /** Re-reads every connected client's figure and forgets disconnected ones (cron, INFO). O(clients). */
  refreshClients(): void {
    for (const client of this.perClient.keys()) if (client.closed) this.forget(client)
    for (const client of this.engine.clients.values()) this.refreshClient(client)
  }

  forget(client: Client): void {
    const before = this.perClient.get(client)
    if (before === undefined) return
    this.perClient.delete(client)
    this.clientsTotal -= before
  }

  resetPeak(): void {
    this.peak = 0
  }
}

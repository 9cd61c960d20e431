/**
 * Where an engine's RDB snapshot is kept: the seam between the deterministic engine and real I/O. The server's
 * command line installs a file store (src/persistence/file-store.ts: `dir`/`dbfilename`, temporary file, fsync,
 * rename); an in-process engine keeps its snapshot in memory unless given a store, so SAVE, BGSAVE and a restart from
 * a snapshot work there too without touching the disk.
 */
export interface SnapshotStore {
  /** Where the snapshot lives, for log lines. */
  describe(): string
  /** The stored snapshot, or null when there is none. Throws when it exists but cannot be read. */
  read(): Buffer | null
  /**
   * Replaces the snapshot with the concatenation of `chunks`, all or nothing, before returning. `chunks` may be
   * produced lazily (a background save serializes as it writes).
   */
  writeSync(chunks: Iterable<Buffer>): void
  /**
   * The same without blocking: resolves once the snapshot is durable, rejects (leaving the old one) on failure.
   * When `abandoned()` turns true before the new file replaces the old one (a SHUTDOWN saved meanwhile), the
   * write is dropped and the promise rejects.
   */
  write(chunks: Iterable<Buffer>, abandoned: () => boolean): Promise<void>
}

/** A snapshot kept in memory: the default for in-process engines and the simulator. */
export class MemorySnapshotStore implements SnapshotStore {
  constructor(private bytes: Buffer | null = null) {}

  describe(): string {
    return 'memory'
  }

  read(): Buffer | null {
    return this.bytes
  }

  writeSync(chunks: Iterable<Buffer>): void {
    this.bytes = Buffer.concat([...chunks])
  }

  write(chunks: Iterable<Buffer>, abandoned: () => boolean): Promise<void> {
    // Settles on a later microtask, like a real write: whoever started it sees it in progress first.
    return Promise.resolve().then(() => {
      if (abandoned()) throw new Error('background save abandoned')
      this.writeSync(chunks)
    })
  }
}

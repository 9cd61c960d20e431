/**
 * The RDB file on disk, as redis-server keeps it: `<dir>/<dbfilename>`, both read from CONFIG at each use (CONFIG SET
 * dir/dbfilename take effect at the next save). A save writes `temp-<pid>.rdb` in the same directory, fsyncs it,
 * renames it over the target and fsyncs the directory, so a crash at any point leaves either the old file or the new
 * one, never a torn one. This module is the only place the persistence code does real I/O.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { open, rename, unlink } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { SnapshotStore } from './snapshot-store.ts'

export interface FileLocation {
  dir: string
  dbfilename: string
}

export class FileSnapshotStore implements SnapshotStore {
  constructor(private readonly location: () => FileLocation) {}

  /** The target and a temporary file beside it: `temp-<pid>.rdb` for SAVE, `temp-<pid>-bg.rdb` for BGSAVE. */
  private paths(background = false): { target: string; temp: string; dir: string } {
    const { dir, dbfilename } = this.location()
    const base = resolve(dir === '' ? '.' : dir)
    const temp = join(base, `temp-${process.pid}${background ? '-bg' : ''}.rdb`)
    return { target: join(base, dbfilename), temp, dir: base }
  }

  describe(): string {
    return this.paths().target
  }

  read(): Buffer | null {
    try {
      return readFileSync(this.paths().target)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw err
    }
  }

  writeSync(chunks: Iterable<Buffer>): void {
    const { target, temp, dir } = this.paths()
    const fd = openSync(temp, 'w')
    try {
      for (const chunk of chunks) {
        let written = 0
        while (written < chunk.length) written += writeSync(fd, chunk, written)
      }
      fsyncSync(fd)
    } catch (err) {
      closeSync(fd)
      removeQuietly(temp)
      throw err
    }
    closeSync(fd)
    try {
      renameSync(temp, target)
    } catch (err) {
      removeQuietly(temp)
      throw err
    }
    syncDirectory(dir)
  }

  async write(chunks: Iterable<Buffer>, abandoned: () => boolean): Promise<void> {
    const { target, temp, dir } = this.paths(true)
    const file = await open(temp, 'w')
    try {
      // Each chunk is serialized when asked for, and each write lets the event loop serve clients in between.
      for (const chunk of chunks) await file.write(chunk)
      await file.sync()
    } catch (err) {
      await file.close()
      await unlink(temp).catch(() => undefined)
      throw err
    }
    await file.close()
    try {
      if (abandoned()) throw new Error('background save abandoned')
      await rename(temp, target)
    } catch (err) {
      await unlink(temp).catch(() => undefined)
      throw err
    }
    syncDirectory(dir)
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path)
  } catch {
    // already gone
  }
}

/** fsync of the directory, so that the rename itself survives a power loss (Redis's fsyncFileDir). */
function syncDirectory(dir: string): void {
  let fd: number | null = null
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch {
    // Some file systems refuse fsync on a directory; the file itself is already durable.
  } finally {
    if (fd !== null) closeSync(fd)
  }
}

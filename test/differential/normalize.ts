/**
 * Reply normalizers for the few replies that legitimately differ between two correct servers: remaining TTLs (the
 * clock moved between the servers), client ids, and element order where Redis defines none.
 */
import { replyEnd } from './raw-client.ts'

/** `:N` with N > 0 (a remaining TTL) becomes `:<ttl>`; -1 and -2 stay exact. */
export function positiveIntegerAsTtl(reply: string): string {
  return /^:[1-9]\d*\r\n$/.test(reply) ? ':<ttl>\r\n' : reply
}

/** The raw elements of the array reply starting at `pos`, and where it ends. */
function elementsOf(buf: Buffer, pos: number): { header: string; elements: string[]; end: number } {
  const lineEnd = buf.indexOf('\r\n', pos)
  const header = buf.toString('latin1', pos, lineEnd + 2)
  const count = Number(header.slice(1, -2))
  const elements: string[] = []
  let p = lineEnd + 2
  for (let i = 0; i < count; i++) {
    const end = replyEnd(buf, p)
    elements.push(buf.toString('latin1', p, end))
    p = end
  }
  return { header, elements, end: p }
}

/** SCAN's `[cursor, [keys...]]` with the keys sorted (Redis returns them in hash-table order). */
export function scanKeysSorted(reply: string): string {
  if (!reply.startsWith('*2\r\n')) return reply
  const buf = Buffer.from(reply, 'latin1')
  const outer = elementsOf(buf, 0)
  const inner = elementsOf(Buffer.from(outer.elements[1], 'latin1'), 0)
  return `*2\r\n${outer.elements[0]}${inner.header}${inner.elements.sort().join('')}`
}

/** HELLO's map with the `id` value (a per-server client counter) replaced. */
export function helloWithoutId(reply: string): string {
  return reply.replace(/\$2\r\nid\r\n:\d+\r\n/, '$2\r\nid\r\n:<id>\r\n')
}

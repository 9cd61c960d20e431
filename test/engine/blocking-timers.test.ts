/** The engine's timer queue and its real-time driver, and the blocking timeout argument. */
import { describe, expect, it } from 'vitest'
import { parseBlockingTimeout } from '../../src/engine/blocking.ts'
import { TimerQueue } from '../../src/engine/timers.ts'
import { createServer } from '../../src/server/tcp-server.ts'
import net from 'node:net'

describe('TimerQueue', () => {
  it('runs due timers in due order, then scheduling order, and nothing early', () => {
    const q = new TimerQueue()
    const ran: string[] = []
    q.schedule(30, () => ran.push('c'))
    q.schedule(10, () => ran.push('a1'))
    q.schedule(20, () => ran.push('b'))
    q.schedule(10, () => ran.push('a2'))
    expect(q.nextDue()).toBe(10)
    expect(q.runDue(9)).toBe(0)
    expect(q.runDue(20)).toBe(3)
    expect(ran).toEqual(['a1', 'a2', 'b'])
    expect(q.size).toBe(1)
    expect(q.nextDue()).toBe(30)
  })

  it('cancelled timers never run and do not count', () => {
    const q = new TimerQueue()
    const ran: number[] = []
    const handles = Array.from({ length: 100 }, (_, i) => q.schedule(i, () => ran.push(i)))
    for (let i = 0; i < 100; i++) if (i % 10 !== 0) q.cancel(handles[i])
    q.cancel(handles[0])
    q.cancel(handles[0])
    expect(q.size).toBe(9)
    expect(q.nextDue()).toBe(10)
    q.runDue(1000)
    expect(ran).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90])
    expect(q.size).toBe(0)
    expect(q.nextDue()).toBe(undefined)
  })

  it('a timer scheduled while running due timers runs in the same pass when already due', () => {
    const q = new TimerQueue()
    const ran: string[] = []
    q.schedule(5, () => {
      ran.push('first')
      q.schedule(5, () => ran.push('second'))
      q.schedule(50, () => ran.push('later'))
    })
    q.runDue(10)
    expect(ran).toEqual(['first', 'second'])
    expect(q.size).toBe(1)
  })
})

describe('blocking timeout argument', () => {
  const now = 1_000_000
  const cases: Array<[string, number | string]> = [
    ['0', 0],
    ['-0', 0],
    ['-0.0001', 0],
    ['1', now + 1000],
    ['1.5', now + 1500],
    ['0.0009', now + 1],
    ['1e-400', now + 1],
    ['.5e-3', now + 1],
    ['+0.01', now + 10],
    ['0x10', now + 16000],
    ['1e15', now + 1e18],
    ['-1', 'ERR timeout is negative'],
    ['inf', 'ERR timeout is negative'],
    ['-inf', 'ERR timeout is negative'],
    ['1e400', 'ERR timeout is negative'],
    ['1e16', 'ERR timeout is negative'],
    ['9223372036854775807', 'ERR timeout is negative'],
    ['abc', 'ERR timeout is not a float or out of range'],
    ['nan', 'ERR timeout is not a float or out of range'],
    ['', 'ERR timeout is not a float or out of range'],
    [' 1', 'ERR timeout is not a float or out of range'],
    ['1 ', 'ERR timeout is not a float or out of range'],
    ['1e5000', 'ERR timeout is not a float or out of range'],
    ['1e-5000', 'ERR timeout is not a float or out of range'],
  ]
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} -> ${expected}`, () => {
      if (typeof expected === 'number') {
        expect(parseBlockingTimeout(Buffer.from(input), now)).toBe(expected)
      } else {
        expect(() => parseBlockingTimeout(Buffer.from(input), now)).toThrow(expected)
      }
    })
  }
})

describe('blocking over TCP', () => {
  it('times out on real time through the server timer driver', async () => {
    const server = await createServer({ port: 0 })
    try {
      const socket = net.connect(server.port, '127.0.0.1')
      const reply = await new Promise<string>((resolve, reject) => {
        let text = ''
        socket.on('data', (chunk) => {
          text += chunk.toString('latin1')
          if (text.endsWith('\r\n')) resolve(text)
        })
        socket.on('error', reject)
        socket.write('*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$4\r\n0.02\r\n')
      })
      expect(reply).toBe('*-1\r\n')
      expect(server.engine.blocking.blockedClients).toBe(0)
      socket.destroy()
    } finally {
      await server.close()
    }
  })
})

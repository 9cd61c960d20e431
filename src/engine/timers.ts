/**
 * The engine's timers: callbacks due at a time of the injected clock (blocking-command timeouts). The engine never
 * calls setTimeout: whoever drives time calls `runDue(now)` — the TCP server from a real timer armed for `nextDue()`
 * (src/server/timer-driver.ts), the simulator when its virtual clock reaches the next due time, tests after advancing
 * a ManualClock. Deterministic: timers run in order of due time, then of scheduling.
 *
 * A binary min-heap with lazy cancellation: cancel() only marks the entry, which is dropped when it reaches the top
 * (or in a rebuild once cancelled entries outnumber live ones), so schedule and cancel are O(log n) amortized.
 */

export interface TimerHandle {
  readonly due: number
  /** True once the timer ran or was cancelled. */
  readonly done: boolean
}

class Timer implements TimerHandle {
  done = false
  constructor(
    readonly due: number,
    readonly seq: number,
    readonly run: () => void,
  ) {}
}

export class TimerQueue {
  private heap: Timer[] = []
  private nextSeq = 0
  private live = 0
  /**
   * Called whenever the earliest due time may have changed (a timer was scheduled, cancelled or run), so that a
   * real-time driver can re-arm its one timer. Null when nobody drives time in real time.
   */
  onChange: (() => void) | null = null

  /** Live (scheduled, not yet run or cancelled) timers. */
  get size(): number {
    return this.live
  }

  /** Runs `run` once the clock reaches `due` (absolute ms). */
  schedule(due: number, run: () => void): TimerHandle {
    const timer = new Timer(due, this.nextSeq++, run)
    this.heap.push(timer)
    this.siftUp(this.heap.length - 1)
    this.live++
    this.onChange?.()
    return timer
  }

  cancel(handle: TimerHandle): void {
    const timer = handle as Timer
    if (timer.done) return
    timer.done = true
    this.live--
    if (this.heap.length > 32 && this.heap.length > 2 * this.live) this.rebuild()
    this.onChange?.()
  }

  /** The earliest due time of a live timer, or undefined when none is scheduled. */
  nextDue(): number | undefined {
    this.dropCancelled()
    return this.heap.length > 0 ? this.heap[0].due : undefined
  }

  /** Runs every timer due at or before `now`, earliest first; returns how many ran. */
  runDue(now: number): number {
    let ran = 0
    for (;;) {
      this.dropCancelled()
      const top = this.heap[0]
      if (!top || top.due > now) break
      this.pop()
      top.done = true
      this.live--
      ran++
      top.run()
    }
    if (ran > 0) this.onChange?.()
    return ran
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0].done) this.pop()
  }

  private pop(): void {
    const last = this.heap.pop() as Timer
    if (this.heap.length > 0) {
      this.heap[0] = last
      this.siftDown(0)
    }
  }

  private rebuild(): void {
    this.heap = this.heap.filter((t) => !t.done)
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i)
  }

  private before(a: Timer, b: Timer): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq)
  }

  private siftUp(i: number): void {
    const heap = this.heap
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.before(heap[i], heap[parent])) break
      const t = heap[i]
      heap[i] = heap[parent]
      heap[parent] = t
      i = parent
    }
  }

  private siftDown(i: number): void {
    const heap = this.heap
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let smallest = i
      if (left < heap.length && this.before(heap[left], heap[smallest])) smallest = left
      if (right < heap.length && this.before(heap[right], heap[smallest])) smallest = right
      if (smallest === i) break
      const t = heap[i]
      heap[i] = heap[smallest]
      heap[smallest] = t
      i = smallest
    }
  }
}

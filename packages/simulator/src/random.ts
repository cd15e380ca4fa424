/**
 * Seeded randomness for reproducible scenarios. mulberry32 is a tiny, well-known 32-bit
 * generator: statistically plenty for traffic shapes, and deterministic across platforms,
 * which is all a scenario needs (nothing here is security sensitive).
 */
import { createHash } from 'node:crypto'

export interface Random {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number
  chance(probability: number): boolean
  pick<T>(items: readonly T[]): T
  /** Index drawn proportionally to `weights` (all >= 0, at least one > 0). */
  weighted(weights: readonly number[]): number
  /** `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[]
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list')
      return items[int(0, items.length - 1)]!
    },
    weighted: (weights) => {
      const total = weights.reduce((sum, weight) => sum + weight, 0)
      if (!(total > 0)) throw new RangeError('weights must have a positive sum')
      let target = next() * total
      for (let index = 0; index < weights.length; index += 1) {
        target -= weights[index]!
        if (target < 0) return index
      }
      return weights.length - 1
    },
    sample: (items, count) => {
      const pool = [...items]
      for (let index = pool.length - 1; index > 0; index -= 1) {
        const other = int(0, index)
        ;[pool[index], pool[other]] = [pool[other]!, pool[index]!]
      }
      return pool.slice(0, Math.min(count, pool.length))
    },
  }
}

/**
 * A UUID-shaped id (version 5 layout) derived from a namespace and a sequence number:
 * the same scenario reproduces the same message ids, another id prefix gives new ones.
 */
export function deterministicUuid(namespace: string, sequence: number): string {
  const hex = createHash('sha1').update(`${namespace}:${sequence}`).digest('hex')
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`
}

/**
 * The heap sampler's settings (src/heap-profile.ts), apart from the sampler: importing that module
 * starts sampling, which the bench's own process must not do.
 */

/** The variables the sampler reads in the service's environment (the bench's own, inherited). */
export const HEAP_PROFILE_DIR_VARIABLE = 'BENCH_HEAP_PROFILE_DIR'
export const HEAP_PROFILE_KEEP_VARIABLE = 'BENCH_HEAP_PROFILE_KEEP'

/** Which sampled objects the profile keeps: all that were allocated, or those that outlived the scavenges. */
export const HEAP_PROFILE_KEEPS = ['all', 'promoted'] as const
export type HeapProfileKeep = (typeof HEAP_PROFILE_KEEPS)[number]

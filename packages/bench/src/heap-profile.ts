/**
 * A sampling heap profile of a whole service life, for the allocation work the CPU profile only
 * shows as garbage-collector time: with BENCH_HEAP_PROFILE_DIR set, every service the bench starts
 * loads this module first (`--import`, see env.ts), samples what it allocates from then on, and
 * writes `Heap.<ms>.<pid>.heapprofile` into that directory when it exits (open it in Chrome
 * DevTools, Memory tab).
 *
 * Node's own `--heap-prof` keeps only the samples of objects still alive at exit, which for a
 * service is its live set, not where its garbage comes from; this one keeps the objects either
 * collector freed too (V8's includeObjectsCollectedBy* flags), so sizes add up to what was
 * allocated (one sample per 32 KiB on average, V8's default). With BENCH_HEAP_PROFILE_KEEP=promoted
 * it keeps only the objects that outlived the scavenges (those the young-generation collector
 * freed are left out): what grows the old generation, and so a service's peak RSS, until a full
 * collection frees it. A process killed by SIGKILL writes nothing. The in-process inspector
 * session answers synchronously, which is what lets the profile be taken and written in the
 * `exit` handler.
 */
import { Session } from 'node:inspector'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { HEAP_PROFILE_DIR_VARIABLE, HEAP_PROFILE_KEEP_VARIABLE, type HeapProfileKeep } from './heap-profile-options.js'

/** Starts sampling now; writes the profile into `directory` when the process exits. */
function profileHeapUntilExit(directory: string, keep: HeapProfileKeep): void {
  const session = new Session()
  session.connect()
  session.post('HeapProfiler.startSampling', { includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: keep === 'all' })
  process.once('exit', () => {
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error !== null) {
        process.stderr.write(`heap profile not written: ${error.message}\n`)
        return
      }
      mkdirSync(directory, { recursive: true })
      writeFileSync(join(directory, `Heap.${Date.now()}.${process.pid}.heapprofile`), JSON.stringify(result.profile))
    })
  })
}

const directory = process.env[HEAP_PROFILE_DIR_VARIABLE]
// The bench's config has validated the value; a service started by hand with another gets `all`.
const keep: HeapProfileKeep = process.env[HEAP_PROFILE_KEEP_VARIABLE] === 'promoted' ? 'promoted' : 'all'
if (directory !== undefined && directory !== '') profileHeapUntilExit(directory, keep)

/**
 * The Redis text of an event-scoped projection: its owner (for the access check), the
 * response body already serialised through the route's schema, and that body's ETag, so a
 * cache hit neither parses, re-serialises nor hashes the body.
 *
 * The text stays the JSON object `{"owner":…,"etag":…,"body":…}`: an entry written before
 * this layout (`{owner, body}`) or read by an older instance during a rolling deploy still
 * parses as plain JSON. Only the fixed prefix is parsed here; the body is sliced out as is.
 */

export interface OwnedEntry {
  owner: string | null
  /** Strong ETag of `body`, quotes included. */
  etag: string
  /** The serialised response body (JSON text). */
  body: string
}

const OWNER = '{"owner":'
const ETAG = ',"etag":'
const BODY = ',"body":'
const BACKSLASH = 92
const QUOTE = 34

export function encodeOwnedEntry(entry: OwnedEntry): string {
  return `${OWNER}${JSON.stringify(entry.owner)}${ETAG}${JSON.stringify(entry.etag)}${BODY}${entry.body}}`
}

/** Index just past the JSON string literal starting at `start` (a quote), or -1. */
function endOfJsonString(text: string, start: number): number {
  if (text.charCodeAt(start) !== QUOTE) return -1
  for (let i = start + 1; i < text.length; i += 1) {
    const code = text.charCodeAt(i)
    if (code === BACKSLASH) i += 1
    else if (code === QUOTE) return i + 1
  }
  return -1
}

function stringAt(text: string, start: number): { value: string; end: number } | undefined {
  const end = endOfJsonString(text, start)
  if (end < 0) return undefined
  return { value: JSON.parse(text.slice(start, end)) as string, end }
}

/** The entry when `text` has exactly the layout `encodeOwnedEntry` writes; otherwise undefined. */
export function decodeOwnedEntry(text: string): OwnedEntry | undefined {
  if (!text.startsWith(OWNER) || !text.endsWith('}')) return undefined
  let at = OWNER.length
  let owner: string | null = null
  if (text.startsWith('null', at)) {
    at += 4
  } else {
    const parsed = stringAt(text, at)
    if (parsed === undefined) return undefined
    owner = parsed.value
    at = parsed.end
  }
  if (!text.startsWith(ETAG, at)) return undefined
  const etag = stringAt(text, at + ETAG.length)
  if (etag === undefined || !text.startsWith(BODY, etag.end)) return undefined
  const bodyStart = etag.end + BODY.length
  if (bodyStart >= text.length - 1) return undefined
  return { owner, etag: etag.value, body: text.slice(bodyStart, -1) }
}

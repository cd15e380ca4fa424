/**
 * Where a webhook may be sent (SSRF guard), decided the same way when an owner registers a URL
 * (query-api) and again before every delivery (webhook-dispatcher), since DNS can change in
 * between. classifyAddress is pure; resolveWebhookTarget resolves the name (through an
 * injectable lookup) and returns the one checked address the caller must connect to, so a
 * second resolution cannot swap it (DNS rebinding).
 */
import { lookup as dnsLookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'

/** Why an address is refused: the range it belongs to. */
export type RefusedRange = 'loopback' | 'private' | 'shared (CGNAT)' | 'link-local' | 'unspecified' | 'multicast' | 'reserved'

const V4_RANGES: ReadonlyArray<readonly [string, number, RefusedRange]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['127.0.0.0', 8, 'loopback'],
  ['10.0.0.0', 8, 'private'],
  ['172.16.0.0', 12, 'private'],
  ['192.168.0.0', 16, 'private'],
  ['100.64.0.0', 10, 'shared (CGNAT)'],
  ['169.254.0.0', 16, 'link-local'],
  ['192.0.0.0', 24, 'reserved'],
  ['198.18.0.0', 15, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
]

const V6_RANGES: ReadonlyArray<readonly [string, number, RefusedRange]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fc00::', 7, 'private'],
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
  // NAT64 and 6to4 embed an IPv4 address the gateway would reach on the caller's behalf.
  ['64:ff9b::', 96, 'reserved'],
  ['2002::', 16, 'reserved'],
]

function rangeLists(ranges: ReadonlyArray<readonly [string, number, RefusedRange]>, family: 'ipv4' | 'ipv6') {
  return ranges.map(([network, prefix, range]) => {
    const list = new BlockList()
    list.addSubnet(network, prefix, family)
    return { list, range }
  })
}

const V4_LISTS = rangeLists(V4_RANGES, 'ipv4')
const V6_LISTS = rangeLists(V6_RANGES, 'ipv6')

/** The 8 groups of an IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
function ipv6Groups(address: string): number[] {
  let text = address
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted?.[1] !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number)
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)))
  const front = parse(head)
  const back = tail === undefined ? [] : parse(tail)
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back]
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible (::a.b.c.d) IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const groups = ipv6Groups(address)
  if (groups.slice(0, 5).some((group) => group !== 0)) return undefined
  const sixth = groups[5]
  const high = groups[6] ?? 0
  const low = groups[7] ?? 0
  // ::ffff:x mapped; ::x compatible (deprecated, but a stack may still route it), except :: and ::1.
  if (sixth !== 0xffff && !(sixth === 0 && high !== 0)) return undefined
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')
}

/**
 * The refused range `address` (an IP literal) belongs to, or undefined when it is a public
 * unicast address. Something that is not an IP address at all is refused as 'reserved'.
 */
export function classifyAddress(address: string): RefusedRange | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  const family = isIP(bare)
  if (family === 4) return V4_LISTS.find(({ list }) => list.check(bare, 'ipv4'))?.range
  if (family !== 6) return 'reserved'
  const v4 = embeddedIpv4(bare)
  if (v4 !== undefined) return classifyAddress(v4)
  return V6_LISTS.find(({ list }) => list.check(bare, 'ipv6'))?.range
}

export interface ResolvedAddress {
  readonly address: string
  readonly family: 4 | 6
}

/** Resolves a host name to every address it has (dns.lookup with all: true by default). */
export type HostLookup = (hostname: string) => Promise<readonly ResolvedAddress[]>

export const systemLookup: HostLookup = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true })
  return answers.map((answer) => ({ address: answer.address, family: answer.family === 6 ? 6 : 4 }))
}

export interface WebhookTargetPolicy {
  /** Plain http:// accepted (local tests only); otherwise https only. */
  readonly allowHttp: boolean
  /** Loopback, private, link-local ... accepted (tests and development only). */
  readonly allowPrivateAddresses: boolean
  readonly lookup?: HostLookup
  /** Longest wait for the name to resolve (default 5000 ms); a slower name is refused. */
  readonly lookupTimeoutMs?: number
}

export type WebhookTarget = { ok: true; url: URL; address: ResolvedAddress } | { ok: false; reason: string }

/** A URL's scheme and form, before any name is resolved; undefined when acceptable. */
export function webhookUrlProblem(text: string, allowHttp: boolean): string | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return 'is not an absolute URL'
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) return allowHttp ? 'must be https or http' : 'must be https'
  if (url.username !== '' || url.password !== '') return 'must not carry credentials'
  if (url.hash !== '') return 'must not have a fragment'
  return undefined
}

/**
 * Checks `text` and resolves its host: every address the name has must be allowed (a name
 * with one private address among public ones is refused), and the first is the one to connect to.
 */
export async function resolveWebhookTarget(text: string, policy: WebhookTargetPolicy): Promise<WebhookTarget> {
  const problem = webhookUrlProblem(text, policy.allowHttp)
  if (problem !== undefined) return { ok: false, reason: `the URL ${problem}` }
  const url = new URL(text)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  let addresses: readonly ResolvedAddress[]
  if (isIP(host) !== 0) addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }]
  else {
    const timeoutMs = policy.lookupTimeoutMs ?? 5000
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      addresses = await Promise.race([(policy.lookup ?? systemLookup)(host), timeout])
    } catch (error) {
      return { ok: false, reason: `the host ${host} does not resolve (${error instanceof Error ? error.message : String(error)})` }
    } finally {
      clearTimeout(timer)
    }
  }
  const first = addresses[0]
  if (first === undefined) return { ok: false, reason: `the host ${host} has no address` }
  if (!policy.allowPrivateAddresses) {
    for (const { address } of addresses) {
      const range = classifyAddress(address)
      if (range === undefined) continue
      const where = address === host ? `the address ${host}` : `${host} resolves to ${address}, which`
      return { ok: false, reason: `${where} is ${range}: webhooks may not reach it` }
    }
  }
  return { ok: true, url, address: first }
}

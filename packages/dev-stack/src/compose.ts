/**
 * The `environment:` of every service in docker-compose.yml, read without a YAML library (this
 * package runs before anything is built and ships none). The reader is strict: it accepts the
 * subset the compose file is written in (block maps, `&anchor` maps of plain scalars, `*alias`
 * and `<<: *alias` merges, plain and quoted scalars) and throws on anything else inside a
 * service's environment, so a construct it does not understand is an error, never a silently
 * missed variable. test/compose.test.ts checks it against a full YAML parser.
 */

export type ComposeEnvironment = Readonly<Record<string, string>>

export class ComposeReadError extends Error {
  override name = 'ComposeReadError'
}

interface Line {
  readonly number: number
  readonly indent: number
  readonly text: string
}

/** Meaningful lines: comments and blank lines dropped, trailing comments cut (outside quotes). */
function linesOf(source: string): Line[] {
  const lines: Line[] = []
  source.split('\n').forEach((raw, index) => {
    const text = stripComment(raw).trimEnd()
    if (text.trim() === '') return
    if (raw.includes('\t')) throw new ComposeReadError(`line ${index + 1}: tabs are not YAML indentation`)
    lines.push({ number: index + 1, indent: text.length - text.trimStart().length, text: text.trim() })
  })
  return lines
}

function stripComment(line: string): string {
  let quote: string | undefined
  for (let at = 0; at < line.length; at++) {
    const char = line[at]!
    if (quote !== undefined) {
      if (char === quote) quote = undefined
    } else if (char === '"' || char === "'") {
      quote = char
    } else if (char === '#' && (at === 0 || line[at - 1] === ' ')) {
      return line.slice(0, at)
    }
  }
  return line
}

/** `key: rest` of a map entry, or undefined when the line is not one (a list item, a block scalar). */
function entryOf(line: Line): { key: string; rest: string } | undefined {
  const match = /^([A-Za-z0-9_.<>-]+|"[^"]*"|'[^']*'):(?:\s+(.*))?$/.exec(line.text)
  if (match === null) return undefined
  return { key: unquote(match[1]!), rest: match[2] ?? '' }
}

function unquote(text: string): string {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return JSON.parse(text) as string
  if (text.length >= 2 && text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1).replaceAll("''", "'")
  return text
}

/** A scalar of an environment map: plain or quoted; flow collections, block scalars and tags are refused. */
function scalarOf(line: Line, rest: string): string {
  if (rest === '') throw new ComposeReadError(`line ${line.number}: an environment variable needs a value on its line`)
  if (/^[[{|>!&*]/.test(rest))
    throw new ComposeReadError(`line ${line.number}: unsupported value "${rest}" (write a plain or quoted scalar)`)
  if (/^["']/.test(rest) && !/^(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')$/.test(rest)) {
    throw new ComposeReadError(`line ${line.number}: unterminated quoted value`)
  }
  return unquote(rest)
}

/** The block of lines indented deeper than `lines[start]`, from start + 1. */
function blockAfter(lines: readonly Line[], start: number): Line[] {
  const parent = lines[start]!.indent
  const block: Line[] = []
  for (let at = start + 1; at < lines.length && lines[at]!.indent > parent; at++) block.push(lines[at]!)
  return block
}

function readEnvironmentMap(block: readonly Line[], anchors: ReadonlyMap<string, ComposeEnvironment>): Record<string, string> {
  const environment: Record<string, string> = {}
  // YAML merge keys (`<<: *alias`) lose to the keys written in the map itself, wherever they stand.
  const explicit = new Set<string>()
  const indent = block[0]?.indent
  for (const line of block) {
    if (line.indent !== indent) throw new ComposeReadError(`line ${line.number}: an environment entry must not be nested`)
    const entry = entryOf(line)
    if (entry === undefined) throw new ComposeReadError(`line ${line.number}: write the environment as a map (KEY: value), not a list`)
    if (entry.key === '<<') {
      for (const [key, value] of Object.entries(resolveAlias(line, entry.rest, anchors))) {
        if (!explicit.has(key)) environment[key] = value
      }
      continue
    }
    if (!/^[A-Z_][A-Z0-9_]*$/.test(entry.key))
      throw new ComposeReadError(`line ${line.number}: "${entry.key}" is not an environment variable name`)
    if (explicit.has(entry.key)) throw new ComposeReadError(`line ${line.number}: ${entry.key} is set twice`)
    explicit.add(entry.key)
    environment[entry.key] = scalarOf(line, entry.rest)
  }
  return environment
}

function resolveAlias(line: Line, rest: string, anchors: ReadonlyMap<string, ComposeEnvironment>): ComposeEnvironment {
  const match = /^\*([A-Za-z0-9_-]+)$/.exec(rest)
  if (match === null) throw new ComposeReadError(`line ${line.number}: expected *alias, got "${rest}"`)
  const anchored = anchors.get(match[1]!)
  if (anchored === undefined) throw new ComposeReadError(`line ${line.number}: unknown alias *${match[1]}`)
  return anchored
}

/** Every service's environment (an empty map for a service without one), by service name. */
export function readComposeEnvironments(source: string): Record<string, ComposeEnvironment> {
  const lines = linesOf(source)
  const anchors = new Map<string, ComposeEnvironment>()
  const services: Record<string, ComposeEnvironment> = {}
  let sawServices = false
  lines.forEach((line, index) => {
    if (line.indent !== 0) return
    const entry = entryOf(line)
    if (entry === undefined) throw new ComposeReadError(`line ${line.number}: expected a top-level key`)
    const anchor = /^&([A-Za-z0-9_-]+)$/.exec(entry.rest)
    if (anchor !== null) anchors.set(anchor[1]!, readEnvironmentMap(blockAfter(lines, index), anchors))
    if (entry.key !== 'services') return
    sawServices = true
    const body = blockAfter(lines, index)
    const serviceIndent = body[0]?.indent
    body.forEach((serviceLine) => {
      if (serviceLine.indent !== serviceIndent) return
      const service = entryOf(serviceLine)
      if (service === undefined || service.rest !== '') throw new ComposeReadError(`line ${serviceLine.number}: expected a service name`)
      const at = lines.indexOf(serviceLine)
      const serviceBody = blockAfter(lines, at)
      const keyIndent = serviceBody[0]?.indent
      let environment: ComposeEnvironment = {}
      for (const keyLine of serviceBody) {
        if (keyLine.indent !== keyIndent || entryOf(keyLine)?.key !== 'environment') continue
        const rest = entryOf(keyLine)!.rest
        environment =
          rest === '' ? readEnvironmentMap(blockAfter(lines, lines.indexOf(keyLine)), anchors) : { ...resolveAlias(keyLine, rest, anchors) }
      }
      services[service.key] = environment
    })
  })
  if (!sawServices) throw new ComposeReadError('no top-level services: key')
  return services
}

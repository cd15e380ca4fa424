/**
 * The configuration reference (docs/configuration.md) rendered from the services' shapes, so
 * the document cannot say what the code does not do: names, defaults and descriptions all
 * come from the schemas (`doc`).
 */
import type { z } from 'zod'
import { variableDocs, type EnvShape, type VariableAudience } from './config.js'

/** A service's variables, as it validates them. */
export interface ServiceConfigSchema {
  readonly service: string
  readonly shape: EnvShape
}

export interface VariableReference {
  readonly name: string
  readonly service: string
  /** As an operator would write it in the environment. */
  readonly defaultValue: string
  readonly description: string
  readonly audience: VariableAudience
}

/** Every variable of `schema`, in shape order; a variable without `doc` is an error. */
export function describeVariables(schema: ServiceConfigSchema): VariableReference[] {
  return Object.entries(schema.shape).map(([name, parser]) => {
    const info = variableDocs.get(parser)
    if (info === undefined) throw new Error(`${schema.service}: ${name} has no description (wrap its parser in doc())`)
    return {
      name,
      service: schema.service,
      defaultValue: info.defaultText ?? defaultOf(parser),
      description: info.description,
      audience: info.audience,
    }
  })
}

/** What the parser makes of an unset variable, written back as an environment string. */
function defaultOf(parser: z.ZodType): string {
  const result = parser.safeParse(undefined)
  if (!result.success) return 'required'
  const value: unknown = result.data
  if (value === undefined) return 'unset'
  if (Array.isArray(value)) return value.join(',')
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ')
const code = (text: string): string => (text === '' ? '(empty)' : `\`${text}\``)
const isWords = (reference: VariableReference): boolean =>
  reference.defaultValue === 'unset' || reference.defaultValue === 'required' || / /.test(reference.defaultValue)

function defaultCell(reference: VariableReference): string {
  return isWords(reference) ? cell(reference.defaultValue) : code(cell(reference.defaultValue))
}

/** The whole reference document: one table per service. */
export function renderConfigReference(schemas: readonly ServiceConfigSchema[], command: string): string {
  const lines = [
    '# Configuration reference',
    '',
    `<!-- Generated from the services' configuration schemas by \`${command}\`; do not edit by hand. -->`,
    '',
    'Every service reads environment variables only and validates them once, before it starts:',
    'every bad value and every conflict between variables is reported together in one error.',
    'Defaults point at the local stack (`pnpm stack up`). **operator**: a deployment sets or',
    'reviews it; **internal**: tuning and tests, leave it unless you measured why.',
  ]
  for (const schema of schemas) {
    const references = describeVariables(schema)
    lines.push('', `## ${schema.service}`, '', `${references.length} variables.`, '')
    lines.push('| variable | default | audience | what it does |', '|---|---|---|---|')
    for (const reference of references) {
      lines.push(`| \`${reference.name}\` | ${defaultCell(reference)} | ${reference.audience} | ${cell(reference.description)} |`)
    }
  }
  return `${lines.join('\n')}\n`
}

/**
 * A short table of `names` (one row each: the services that read it, the default, what it
 * does), for the README; a name no schema has is an error.
 */
export function renderVariableSummary(schemas: readonly ServiceConfigSchema[], names: readonly string[]): string {
  const all = schemas.flatMap((schema) => describeVariables(schema))
  const lines = ['| variable | read by | default | what it does |', '|---|---|---|---|']
  for (const name of names) {
    const references = all.filter((reference) => reference.name === name)
    const first = references[0]
    if (first === undefined) throw new Error(`${name} is in no service's configuration`)
    const services = references.map((reference) => reference.service).join(', ')
    const defaults = new Set(references.map((reference) => reference.defaultValue))
    const stated =
      defaults.size === 1
        ? defaultCell(first)
        : references.map((reference) => `${defaultCell(reference)} (${reference.service})`).join(', ')
    const descriptions = new Set(references.map((reference) => reference.description))
    const meaning =
      descriptions.size === 1
        ? first.description
        : references.map((reference) => `${reference.service}: ${reference.description}`).join(' ')
    lines.push(`| \`${name}\` | ${services} | ${stated} | ${cell(meaning)} |`)
  }
  return lines.join('\n')
}

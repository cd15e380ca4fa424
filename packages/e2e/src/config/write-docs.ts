/** `pnpm config:docs`: writes docs/configuration.md and the README's table from the schemas. */
import { writeFileSync } from 'node:fs'
import { CONFIG_REFERENCE_FILE, README_FILE, configReference, currentReadme, readmeWithSummary } from './reference.js'

writeFileSync(CONFIG_REFERENCE_FILE, configReference())
writeFileSync(README_FILE, readmeWithSummary(currentReadme()))
process.stdout.write(`wrote ${CONFIG_REFERENCE_FILE} and the configuration table of ${README_FILE}\n`)

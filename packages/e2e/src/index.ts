/** What the pipeline must show for a scenario, shared by the end-to-end test and the chaos suite. */
export * from './expected.js'
export { readTables, tablesFingerprint } from './tables.js'

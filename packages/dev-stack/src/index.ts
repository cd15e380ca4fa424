export { stackEndpoints, stackSettings, type StackEndpoints, type StackSettings } from './config.js'
export { StackError, describeFailure, type Progress } from './errors.js'
export type { ComponentStatus, State } from './managed.js'
export {
  MANAGED_COMPONENTS,
  ensureStackUp,
  stackDown,
  stackStatus,
  stackUp,
  type StackDownOptions,
  type StackOptions,
  type StackUpOptions,
} from './stack.js'
export { describeOwnership, type Ownership } from './owner.js'
export type { ForeignPolicy } from './managed.js'
export { stackJwtSecret, stackSecretPath, type StackSecret } from './secret.js'
export { CHROMIUM_ARGS, CHROMIUM_PATH, ensureChromium } from './browser.js'
export { readComposeEnvironments, ComposeReadError, type ComposeEnvironment } from './compose.js'
export {
  KRAFT_LOG4J,
  kraftBrokerArgs,
  kraftFormatArgs,
  kraftServerProperties,
  newClusterId,
  type KraftFiles,
  type KraftNode,
} from './kraft.js'
export { ensureKafkaDistribution } from './artifacts.js'
export { findJava } from './java.js'

export { stackEndpoints, stackSettings, type StackEndpoints, type StackSettings } from './config.js'
export { StackError, describeFailure, type Progress } from './errors.js'
export type { ComponentStatus, State } from './managed.js'
export { ensureStackUp, stackDown, stackStatus, stackUp, type StackOptions } from './stack.js'

/**
 * No service outlives the `npm start` that started it. Ctrl-C and SIGTERM stop the children in
 * reverse order; a launcher killed outright (SIGKILL, the out-of-memory killer) cannot, and its
 * children, each in a process group of its own, would run on: holding their ports, so the next
 * `npm start` would meet them answering in place of its own services. Linux sends a process a
 * chosen signal when its parent dies (PR_SET_PDEATHSIG); util-linux's `setpriv --pdeathsig` sets
 * it and then execs the command, so each child gets the SIGTERM a Ctrl-C would have sent it and
 * shuts down gracefully. The setting survives exec, and every service script is a plain command
 * whose bin shims exec node, so it reaches the process that holds the ports.
 */
import { spawnSync } from 'node:child_process'

export interface Command {
  readonly file: string
  readonly args: readonly string[]
}

let supported: boolean | undefined

/** Whether `setpriv --pdeathsig` works on this machine (Linux with util-linux); asked once. */
export function parentDeathSignalSupported(): boolean {
  supported ??= spawnSync('setpriv', ['--pdeathsig', 'TERM', '--', 'true'], { stdio: 'ignore' }).status === 0
  return supported
}

/** `command`, run so that it receives SIGTERM when this process dies; unchanged where that is not supported. */
export function stoppedWithThisProcess(command: Command): Command {
  if (!parentDeathSignalSupported()) return command
  return { file: 'setpriv', args: ['--pdeathsig', 'TERM', '--', command.file, ...command.args] }
}

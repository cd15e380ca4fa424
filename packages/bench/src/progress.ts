/** Progress display on stderr: one updating line on a TTY, throttled plain lines otherwise. */

export interface Progress {
  phase(name: string): void
  update(text: string): void
  done(text: string): void
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true
  let current = ''
  let lastPlain = 0
  const started = Date.now()
  const stamp = (): string => `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`
  const clear = (): void => {
    if (tty) stream.write('\r\x1b[2K')
  }
  return {
    phase(name) {
      clear()
      current = name
      stream.write(`${stamp()} == ${name}\n`)
    },
    update(text) {
      if (tty) {
        stream.write(`\r\x1b[2K${stamp()}    ${current}: ${text}`)
      } else if (Date.now() - lastPlain >= 2000) {
        // Logs (CI) get a line every 2 s instead of a flood of carriage returns.
        lastPlain = Date.now()
        stream.write(`${stamp()}    ${current}: ${text}\n`)
      }
    },
    done(text) {
      clear()
      stream.write(`${stamp()}    ${current}: ${text}\n`)
    },
  }
}

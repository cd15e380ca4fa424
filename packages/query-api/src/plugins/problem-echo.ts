/**
 * What "echo" means for the error contract, shared by the API's tests and the chaos fuzz:
 * a response body that repeats a sizeable piece of the request (its path, its query string,
 * a header value) raw, decoded or JSON-escaped. Short fragments are ignored: "TV" or "1" in
 * a detail is not a reflection of the request.
 */
export interface SentRequest {
  /** The path as sent, without the query string. */
  readonly path: string
  /** The query string as sent, without the '?'. */
  readonly query: string
  readonly headers: Readonly<Record<string, string>>
}

const MIN_ECHO_LENGTH = 12

function decoded(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The first fragment of `sent` that `body` repeats, or undefined when it repeats none. */
export function echoedInput(body: string, sent: SentRequest): string | undefined {
  const pieces = [sent.path, sent.query, ...Object.values(sent.headers)].flatMap((piece) => [piece, decoded(piece)])
  const forms = pieces.flatMap((piece) => [piece, JSON.stringify(piece).slice(1, -1)])
  return forms.find((form) => form.length >= MIN_ECHO_LENGTH && body.includes(form))
}

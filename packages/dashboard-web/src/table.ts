/** A captioned, scrollable table; columns from `numericFrom` on are right-aligned numbers. */
import { h } from './dom.js'

export function table(
  caption: string,
  headers: readonly string[],
  rows: readonly (readonly (string | Node)[])[],
  numericFrom = 1,
): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption },
    h(
      'table',
      {},
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h('tr', {}, ...headers.map((text, index) => h('th', { scope: 'col', class: index >= numericFrom ? 'num' : undefined }, text))),
      ),
      h(
        'tbody',
        {},
        ...rows.map((cells) =>
          h('tr', {}, ...cells.map((cell, index) => h('td', { class: index >= numericFrom ? 'num' : undefined }, cell))),
        ),
      ),
    ),
  )
}

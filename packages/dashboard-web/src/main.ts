/**
 * The page: a hash router over three views. Signed in by the HttpOnly session cookie (the
 * link `npm start` prints, or an API token pasted once); every call is same-origin.
 *   #/                 -> the signed-in owner's overview (or the sign-in form)
 *   #/owner/<userId>   -> owner overview: totals, per channel type, paginated events
 *   #/event/<eventId>  -> live event view
 *   #/settings/<userId> -> the owner's alert thresholds
 */
import './style.css'
import { renderAlertSettings } from './alert-settings.js'
import { ApiError, api } from './api.js'
import { h, replace } from './dom.js'
import { renderEvent } from './event-view.js'
import { renderOverview } from './overview.js'

const main = document.getElementById('main')!
const nav = document.getElementById('nav')!
/** What the current view must stop (its stream, its timers) before the next one renders. */
let stopView: () => void = () => undefined

function signInForm(message?: string): HTMLElement {
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'token-help' })
  const error = h('p', { class: 'error', role: 'alert' }, message ?? '')
  const form = h(
    'form',
    {
      class: 'card signin',
      onsubmit: (event: Event) => {
        event.preventDefault()
        api
          .signInWithToken(input.value.trim())
          .then(() => route())
          .catch((failure: unknown) => {
            error.textContent = failure instanceof ApiError ? failure.problem.detail : 'sign-in failed'
          })
      },
    },
    h('h1', {}, 'Sign in'),
    h(
      'p',
      { id: 'token-help' },
      'Open the sign-in link that `npm start` printed, or paste an API token once: the page keeps an HttpOnly session cookie, never the token.',
    ),
    h('label', { for: 'token' }, 'API token'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    error,
  )
  return form
}

async function renderNav(): Promise<string | null> {
  try {
    const me = await api.me()
    replace(
      nav,
      h('span', { class: 'who' }, me.sub),
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: () =>
            void api.signOut().then(() => {
              location.hash = '#/'
              void route()
            }),
        },
        'Sign out',
      ),
    )
    return me.sub
  } catch {
    replace(nav)
    return null
  }
}

async function route(): Promise<void> {
  stopView()
  stopView = () => undefined
  const me = await renderNav()
  const [, view = '', id = ''] = location.hash.split('/').map((part) => decodeURIComponent(part))
  if (me === null) {
    replace(main, signInForm())
    return
  }
  try {
    if (view === 'event' && id !== '') stopView = await renderEvent(main, id)
    else if (view === 'owner' && id !== '') await renderOverview(main, id)
    else if (view === 'settings' && id !== '') await renderAlertSettings(main, id)
    else location.replace(`#/owner/${encodeURIComponent(me)}`)
  } catch (failure) {
    const detail = failure instanceof ApiError ? failure.problem.detail : String(failure)
    replace(
      main,
      h('section', { class: 'card' }, h('h1', {}, 'Not available'), h('p', {}, detail), h('a', { href: '#/' }, 'Back to the overview')),
    )
  }
  main.focus({ preventScroll: true })
}

window.addEventListener('hashchange', () => void route())
void route()

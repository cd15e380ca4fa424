/** The phone the browser tests look at the pages on, shared so every page is checked at one size. */
import type { Browser, BrowserContext } from 'playwright-core'

/** A mid-size phone's viewport in CSS pixels. */
export const PHONE_VIEWPORT = { width: 390, height: 844 }

/**
 * A new phone-sized context signed in as `signedIn` is (its cookies and storage), in the locale
 * and time zone of the tests' desktop contexts. The caller closes it.
 */
export async function openPhoneContext(browser: Browser, signedIn: BrowserContext): Promise<BrowserContext> {
  return browser.newContext({
    locale: 'ko-KR',
    timezoneId: 'Asia/Seoul',
    viewport: PHONE_VIEWPORT,
    storageState: await signedIn.storageState(),
  })
}

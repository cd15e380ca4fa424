import t from 'tap'
import {
  divideHalfUp,
  formatDecimal,
  parseDecimal,
  precisionOf,
  unscaledFromTwosComplement,
  unscaledToTwosComplement,
} from '../src/decimal.js'

t.test('parse and format are exact inverses at a scale', async (t) => {
  for (const text of ['0.00', '1500000.00', '-12.50', '9999999999999.99', '0.01', '-0.01']) {
    t.equal(formatDecimal(parseDecimal(text, 2), 2), text)
  }
  t.equal(parseDecimal('12', 2), 1200n)
  t.equal(parseDecimal('12.3', 2), 1230n)
  t.equal(formatDecimal(5n, 2), '0.05')
  t.equal(formatDecimal(-5n, 2), '-0.05')
})

t.test('parse refuses what it cannot keep exactly', async (t) => {
  t.throws(() => parseDecimal('1.005', 2), /more than 2 fraction digits/)
  t.throws(() => parseDecimal('1e5', 2), /not a decimal/)
  t.throws(() => parseDecimal('', 2), /not a decimal/)
  t.throws(() => parseDecimal('NaN', 2), /not a decimal/)
})

t.test("two's complement round trips at byte boundaries", async (t) => {
  const values = [0n, 1n, -1n, 127n, 128n, -128n, -129n, 255n, 256n, 32767n, -32768n, 999999999999999n, -999999999999999n]
  for (const value of values) {
    t.equal(unscaledFromTwosComplement(unscaledToTwosComplement(value)), value, `${value}`)
  }
  t.same([...unscaledToTwosComplement(128n)], [0x00, 0x80])
  t.same([...unscaledToTwosComplement(-128n)], [0x80])
  t.equal(unscaledFromTwosComplement(Buffer.from([0xff, 0xff])), -1n)
})

t.test('precision counts significant digits', async (t) => {
  t.equal(precisionOf(999999999999999n), 15)
  t.equal(precisionOf(-1000000000000000n), 16)
  t.equal(precisionOf(0n), 1)
})

t.test('half-up division rounds half away from zero', async (t) => {
  t.equal(divideHalfUp(5n, 2n), 3n)
  t.equal(divideHalfUp(-5n, 2n), -3n)
  t.equal(divideHalfUp(4n, 3n), 1n)
  t.equal(divideHalfUp(-7n, 3n), -2n)
  t.equal(divideHalfUp(7n, -2n), -4n)
  t.throws(() => divideHalfUp(1n, 0n), RangeError)
})

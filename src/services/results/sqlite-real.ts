/**
 * The text SQLite (3.53, the one better-sqlite3 bundles) gives a REAL: `CAST(x AS TEXT)` = printf "%!.17g".
 * PostgreSQL answers the same rows, and its answers must be the same bytes, so this follows SQLite's own
 * sqlite3FpDecode and printf: 18 digits of x, rounded half up to 17 (so not always the shortest text:
 * 1729439550.57167 is "1729439550.5716701"), fewer when a shorter one ending in 9s or 0s reads back to x,
 * trailing zeros dropped, a whole value keeps ".0", exponent form below 1e-4 and from 1e17.
 * Exact where SQLite's powers of ten are exact, 2^-29 ≤ |x| < 2^60: every time this service stores. Outside it
 * (never a unix time) SQLite's approximate powers now and then give another last digit; subnormals are printed
 * with JS's shortest digits.
 */
export function sqliteRealText(x: number): string {
  if (x === 0) return '0.0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Inf' : '-Inf';
  const d = decode(Math.abs(x)) ?? shortest(Math.abs(x));
  return (x < 0 ? '-' : '') + layout(d.digits, d.iDP);
}

interface Decoded {
  /** Significant digits, no trailing zeros. */
  digits: string;
  /** Position of the decimal point: value = 0.digits × 10^iDP. */
  iDP: number;
}

const pwr2to10 = (p: number) => (p * 78913) >> 18;
const view = new DataView(new ArrayBuffer(8));

/** sqlite3FpDecode(r, 17, 20) for r > 0; undefined for a subnormal r. */
function decode(r: number): Decoded | undefined {
  view.setFloat64(0, r);
  const biased = (view.getUint16(0) >> 4) & 0x7ff;
  if (biased === 0) return undefined; // subnormal
  // sqlite3Fp2Convert10(…, 18): D = r × 10^p rounded half up, 18 or 19 digits (exactly so for p in 0..26);
  // toExponential rounds half up too, so its digits are D's
  const p = 17 - pwr2to10(biased - 1023);
  let [mant, e] = r.toExponential(17).split('e') as [string, string];
  if (Number(e) + 1 + p === 19) [mant, e] = r.toExponential(18).split('e') as [string, string];
  const z = mant.replace('.', '');
  const n = z.length;
  let iDP = Number(e) + 1;

  // 17 digits, or fewer when text ending in 9s rounded up, or in 0s cut off, reads back to r
  let iRound = 17;
  if (z[15] === '9' && z[14] === '9') {
    let jj = 14;
    while (jj > 0 && z[jj - 1] === '9') jj--;
    if (r === Number(`${jj === 0 ? 1 : Number(z.slice(0, jj)) + 1}e${iDP - jj}`)) iRound = jj + 1;
  } else if (iDP >= n || (z[15] === '0' && z[14] === '0' && z[13] === '0')) {
    let jj = 13;
    while (z[jj - 1] === '0') jj--;
    if (r === Number(`${z.slice(0, jj)}e${iDP - jj}`)) iRound = jj + 1;
  }
  // round half up on the next digit alone, as SQLite does (so 18 digits rounded twice)
  let out = z.slice(0, iRound);
  if (z[iRound]! >= '5') {
    let k = iRound - 1;
    while (k >= 0 && out[k] === '9') k--;
    if (k < 0) {
      out = `1${'0'.repeat(iRound)}`;
      iDP++;
    } else out = out.slice(0, k) + String(Number(out[k]) + 1) + '0'.repeat(iRound - k - 1);
  }
  return { digits: out.replace(/0+$/, ''), iDP };
}

function shortest(r: number): Decoded {
  const [mant, e] = r.toExponential().split('e') as [string, string];
  return { digits: mant.replace('.', ''), iDP: Number(e) + 1 };
}

/** printf "%!.17g" of decoded digits: fixed from 1e-4 to below 1e17, else d.ddde±NN; a ".0" at least. */
function layout(digits: string, iDP: number): string {
  const exp = iDP - 1;
  if (exp < -4 || exp > 16) {
    const frac = digits.slice(1) || '0';
    return `${digits[0]}.${frac}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (iDP <= 0) return `0.${'0'.repeat(-iDP)}${digits}`;
  const whole = digits.slice(0, iDP).padEnd(iDP, '0');
  return `${whole}.${digits.slice(iDP) || '0'}`;
}

/**
 * Option words compared the way Redis's C code compares them. Redis reads most option arguments as C strings
 * (`strcasecmp(opt, "nx")`, `opt[2] == '\0'`), so an argument stops at its first NUL byte: "nx\0junk" is NX.
 * args.ts's isOption compares the whole argument; these helpers are for the commands whose Redis code does not.
 */

/** The argument as C sees it: its bytes up to the first NUL, as a latin1 string. */
export function cText(buf: Buffer): string {
  const nul = buf.indexOf(0)
  return buf.toString('latin1', 0, nul === -1 ? buf.length : nul)
}

/** strcasecmp(arg, option) == 0, with `upper` the option in upper case (ASCII). */
export function isCOption(buf: Buffer, upper: string): boolean {
  const n = upper.length
  if (buf.length < n || (buf.length > n && buf[n] !== 0)) return false
  for (let i = 0; i < n; i++) {
    let c = buf[i]
    if (c >= 0x61 && c <= 0x7a) c -= 0x20
    if (c !== upper.charCodeAt(i)) return false
  }
  return true
}

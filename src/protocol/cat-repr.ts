/** Redis's sdscatrepr: a quoted string with \\ \" \n \r \t \a \b escaped and other unprintable bytes as \xHH. */
export function catRepr(bytes: Uint8Array): string {
  let out = '"'
  for (const c of bytes) {
    if (c === 0x5c) out += '\\\\'
    else if (c === 0x22) out += '\\"'
    else if (c === 0x0a) out += '\\n'
    else if (c === 0x0d) out += '\\r'
    else if (c === 0x09) out += '\\t'
    else if (c === 0x07) out += '\\a'
    else if (c === 0x08) out += '\\b'
    else if (c >= 0x20 && c <= 0x7e) out += String.fromCharCode(c)
    else out += `\\x${c.toString(16).padStart(2, '0')}`
  }
  return `${out}"`
}

/**
 * DUMP's serialized value (createDumpPayload / verifyDumpPayload): one value in the RDB format, then the RDB version
 * as two little-endian bytes, then the CRC-64 of everything before it, little-endian. RESTORE accepts a payload of
 * any RDB version up to 10, so payloads from older Redis servers restore too.
 */
import type { RedisValue } from '../keyspace/values.ts'
import { crc64Bytes, crc64Init, crc64Update } from './crc64.ts'
import { RdbDecoder } from './rdb-decoder.ts'
import { RdbEncoder } from './rdb-encoder.ts'
import { RDB_VERSION, RdbError } from './rdb-format.ts'
import { type EncodingLimits, isValueType, readValue, writeValue } from './rdb-values.ts'

const FOOTER = 10

export function createDumpPayload(value: RedisValue, compress: boolean): Buffer {
  const out = new RdbEncoder(compress, 256)
  writeValue(out, value)
  out.u8(RDB_VERSION & 0xff)
  out.u8(RDB_VERSION >> 8)
  const body = out.take()
  return Buffer.concat([body, crc64Bytes(crc64Update(crc64Init(), body))])
}

/** Whether the footer names a version this server reads and (unless `skipChecksum`) the CRC matches. */
export function verifyDumpPayload(payload: Buffer, skipChecksum = false): boolean {
  if (payload.length < FOOTER) return false
  const version = payload[payload.length - FOOTER] | (payload[payload.length - FOOTER + 1] << 8)
  if (version > RDB_VERSION) return false
  if (skipChecksum) return true
  const body = payload.subarray(0, payload.length - 8)
  return crc64Bytes(crc64Update(crc64Init(), body)).equals(payload.subarray(payload.length - 8))
}

/**
 * The value in a verified payload. Throws RdbError when it does not parse (Redis's "Bad data format"), holds an empty
 * aggregate, or has bytes left over before the footer.
 */
export function readDumpPayload(payload: Buffer, limits: EncodingLimits): RedisValue {
  const input = new RdbDecoder(payload, 0, payload.length - FOOTER)
  const type = input.u8()
  if (!isValueType(type)) throw new RdbError(`Unknown RDB encoding type ${type}`)
  const value = readValue(input, type, limits)
  if (value === null) throw new RdbError('Empty keys are not allowed')
  if (input.remaining !== 0) throw new RdbError('Trailing data after the value')
  return value
}

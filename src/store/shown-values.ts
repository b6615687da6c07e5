import {
  type DuckDBDecimalType,
  DuckDBTypeId,
  type DuckDBValueConverter,
  JSDuckDBValueConverter,
  JsonDuckDBValueConverter,
} from "@duckdb/node-api";

/**
 * Types whose JS value misstates them once printed: a DATE became midnight UTC as a timestamp, a
 * TIME a count of microseconds, a BLOB an object of byte indexes, a nanosecond timestamp lost its
 * last digits. Each is shown as DuckDB writes it ("2026-01-02", "10:11:12", "\x01\xFF").
 */
const AS_TEXT = new Set<DuckDBTypeId>([
  DuckDBTypeId.DATE,
  DuckDBTypeId.TIME,
  DuckDBTypeId.TIME_TZ,
  DuckDBTypeId.TIME_NS,
  DuckDBTypeId.TIMESTAMP_NS,
  DuckDBTypeId.BLOB,
  DuckDBTypeId.BIT,
  DuckDBTypeId.BIGNUM,
]);

/**
 * Values for a user's own SQL (`soceval query`), at every depth of lists and structs. A DECIMAL
 * stays a number up to 15 significant digits (a double gives back any such number exactly) and
 * is its exact text past that, as integers past 2^53 are.
 */
export const shownValue: DuckDBValueConverter<unknown> = (value, type, converter) => {
  if (AS_TEXT.has(type.typeId)) return JsonDuckDBValueConverter(value, type, converter as never);
  if (type.typeId === DuckDBTypeId.DECIMAL) {
    const text = JsonDuckDBValueConverter(value, type, converter as never);
    return text !== null && (type as DuckDBDecimalType).width <= 15 ? Number(text) : text;
  }
  return JSDuckDBValueConverter(value, type, converter as never);
};

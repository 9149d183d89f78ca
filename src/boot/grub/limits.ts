/** Hard limits that make every input end (with a diagnostic) in bounded time and memory. */
export class LimitError extends Error {}

/** Longest value a variable or an expanded word may have. */
export const MAX_VALUE = 1 << 20;
/** Variables per context. */
export const MAX_VARS = 10_000;
/** Entries per menu level. */
export const MAX_ENTRIES = 10_000;
/** Ceiling for the caller's depth limits (deeper would risk the JS stack). */
export const MAX_DEPTH_CEILING = 1_000;

/** The message of an error that ends an evaluation phase early (never escapes evaluateGrub), or null. */
export function stopMessage(e: unknown): string | null {
  if (e instanceof LimitError) return e.message;
  if (e instanceof RangeError) return `too deeply nested (${e.message})`;
  return null;
}

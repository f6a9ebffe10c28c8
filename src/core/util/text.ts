/**
 * A prefix of `s` that does not keep `s` alive. V8 represents `s.slice(…)` of a long string
 * as a view into it, so a 2,000-character preview of a 1 MB payload held the whole megabyte
 * for as long as the preview lived. The copy goes through a Buffer, which builds a new flat
 * string; `suffix` (an ellipsis, a note) is appended to the copy.
 */
export function detachedPrefix(s: string, max: number, suffix = ''): string {
  const head = s.length > max ? s.slice(0, max) : s;
  const text = s.length > max ? head + suffix : head;
  return Buffer.from(text, 'utf16le').toString('utf16le');
}

/**
 * `s` without the characters of `chars` at its end. A loop, not `/[…]+$/`: that pattern is
 * tried at every character of a long run of them and is quadratic.
 */
export function trimEndOf(s: string, chars: string): string {
  let end = s.length;
  while (end > 0 && chars.includes(s[end - 1])) end--;
  return s.slice(0, end);
}

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

/**
 * `s` with every control character made visible and inert for a terminal: C0 controls (ESC,
 * BEL, backspace, a bare CR…) become their Unicode control pictures (`␛`, `␇`, `␈`, `␍`), DEL
 * becomes `␡`, C1 controls (U+0080–U+009F, such as the one-byte CSI) become U+FFFD. Tabs stay.
 * A server's stderr shown in a terminal can then neither move the cursor nor fake, recolour or
 * erase lines.
 */
export function inertControls(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9) || (c >= 127 && c <= 159)) {
      out += s.slice(from, i) + (c < 32 ? String.fromCharCode(0x2400 + c) : c === 127 ? '\u2421' : '\ufffd');
      from = i + 1;
    }
  }
  return from === 0 ? s : out + s.slice(from);
}

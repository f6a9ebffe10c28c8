/**
 * Short forms of long messages for narrow places (a tree row in a 300 px sidebar, a lens):
 * the first sentence, cut at a word boundary. The whole message stays in the tooltip.
 */

/** The first sentence of `text` (up to the first ". " outside code), at most `max` characters. */
export function firstSentence(text: string, max = 80): string {
  const line = text.split('\n')[0].trim();
  let inCode = false;
  let end = line.length;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '`') inCode = !inCode;
    else if (!inCode && (c === '.' || c === ';') && (i + 1 === line.length || line[i + 1] === ' ')) {
      end = i;
      break;
    }
  }
  const sentence = line.slice(0, end);
  if (sentence.length <= max) return sentence;
  const cut = sentence.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

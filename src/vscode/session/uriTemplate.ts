/** RFC 6570 URI templates as MCP resource templates use them (pure, no vscode import). */

/** Minimal RFC 6570 expansion covering the operators MCP servers use. */
export function expandUriTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{([+#./;?&]?)([^{}]+)\}/g, (_m, op: string, list: string) => {
    const names = list.split(',').map((n) => n.replace(/\*$/, '').trim());
    const enc = (v: string) => (op === '+' || op === '#' ? encodeURI(v) : encodeURIComponent(v));
    const present = names.filter((n) => values[n] !== undefined && values[n] !== '');
    switch (op) {
      case '?':
      case '&':
        return present.length ? op + present.map((n) => `${n}=${enc(values[n])}`).join('&') : '';
      case '/':
      case '.':
        return present.map((n) => op + enc(values[n])).join('');
      case '#':
        return present.length ? '#' + present.map((n) => enc(values[n])).join(',') : '';
      case ';':
        return present.map((n) => `;${n}=${enc(values[n])}`).join('');
      default:
        return present.map((n) => enc(values[n])).join(',');
    }
  });
}

/** Variable names of a template, in order, without duplicates. */
export function templateVariables(template: string): string[] {
  const names = [...template.matchAll(/\{([+#./;?&]?)([^{}]+)\}/g)].flatMap((m) =>
    m[2].split(',').map((n) => n.replace(/\*$/, '').trim()),
  );
  return [...new Set(names)];
}

/**
 * Decorators that supply a tool's leading arguments themselves: `def with_client(func)` whose
 * `@wraps(func)` wrapper calls `func(client, *args, **kwargs)`. `functools.wraps` keeps the
 * original signature (`__wrapped__`), so the SDKs publish the supplied parameter as a required
 * argument the model must invent; a call without it fails validation (checked on mcp 2.3 and
 * fastmcp 4).
 */
import { field, named, type PyNode, walk } from './ast';
import type { PyFile } from './context';
import type { FunctionFact } from './functions';
import { importedProjectName } from './crossCalls';

/** What a decorator supplies: its first `leading` positional arguments, and keyword arguments by name. */
export interface Injection {
  leading: number;
  names: string[];
}

const cache = new WeakMap<PyFile, Record<string, Injection>>();

/** The module's functions that decorate a function and supply some of its arguments (module facts). */
export function injectingDecorators(py: PyFile): Record<string, Injection> {
  let out = cache.get(py);
  if (out) return out;
  out = {};
  for (const [name, fn] of py.moduleFunctions) {
    const params = fn.params.filter((p) => p.kind === 'plain');
    if (params.length !== 1) continue;
    const wrapped = params[0].name;
    let found: Injection | undefined;
    walk(fn.body, (n) => {
      if (found || n.type !== 'decorated_definition') return !found;
      const wraps = named(n).some((d) => {
        const call = named(d)[0];
        return (
          call?.type === 'call' &&
          /^(functools\.)?wraps$/.test(py.callee(call) ?? '') &&
          py.text(py.positional(call)[0] ?? call) === wrapped
        );
      });
      const inner = field(n, 'definition');
      if (!wraps || !inner) return false;
      for (const call of py.calls) {
        if (call.start < inner.start || call.end > inner.end) continue;
        const target = field(call, 'function');
        if (target?.type !== 'identifier' || py.text(target) !== wrapped) continue;
        const args = named(py.args(call));
        const splat = args.findIndex((a) => a.type === 'list_splat');
        const leading = splat > 0 ? args.slice(0, splat).filter((a) => a.type !== 'keyword_argument').length : 0;
        const names = args.filter((a) => a.type === 'keyword_argument').map((a) => py.text(field(a, 'name')!));
        // Only a wrapper that passes the caller's arguments on (`*args` / `**kwargs`) and adds its own.
        const passesOn = args.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat');
        if (passesOn && (leading > 0 || names.length)) found = { leading, names };
      }
      return false;
    });
    if (found) out[name] = found;
  }
  cache.set(py, out);
  return out;
}

/** Decorators of a function given as bare names (`@with_client`), innermost last. */
function plainDecorators(py: PyFile, decorated: PyNode | undefined): string[] {
  if (!decorated) return [];
  return named(decorated)
    .filter((d) => d.type === 'decorator')
    .map((d) => named(d)[0])
    .filter((e): e is PyNode => e?.type === 'identifier')
    .map((e) => py.text(e));
}

/**
 * The parameters of a tool function that a decorator of this module supplies (name → decorator),
 * and the decorators imported from another module of the project whose facts decide it.
 */
export function suppliedParams(
  py: PyFile,
  fn: FunctionFact,
): { local: Map<string, string>; importedDecorators: string[] } {
  const local = new Map<string, string>();
  const importedDecorators: string[] = [];
  const own = injectingDecorators(py);
  const params = fn.params.filter((p) => p.kind === 'plain' && p.name !== 'self' && p.name !== 'cls');
  for (const name of plainDecorators(py, fn.decorated)) {
    const inj = own[name];
    if (inj) {
      for (const p of params.slice(0, inj.leading)) local.set(p.name, name);
      for (const n of inj.names) if (params.some((p) => p.name === n)) local.set(n, name);
    } else {
      const exp = importedProjectName(py, name);
      if (exp) importedDecorators.push(exp);
    }
  }
  return { local, importedDecorators };
}

/**
 * Whether a Python file authenticates the requests of the HTTP server it runs (MCP503): an auth
 * provider or token verifier on the MCP server, or a web framework's own authentication wired to
 * its routes — a FastAPI security scheme or auth function taken as a dependency (`Depends(...)`,
 * `Security(...)` on a route or in `dependencies=[...]`), or HTTP middleware that rejects with 401.
 */
import { field, named, type PyNode, walk } from '../ast';
import type { PyFile } from '../context';
import type { FunctionFact } from '../functions';

const AUTH_MARKERS =
  /AuthProvider|TokenVerifier|BearerAuth|JWTVerifier|OAuthProxy|require_auth|auth_server_provider|token_verifier|AuthMiddleware|AuthenticationMiddleware/;

/** FastAPI / Starlette security schemes: a dependency on one reads and demands credentials. */
const SCHEME =
  /^(fastapi|starlette)\.(security\.)?(\w+\.)*(HTTPBearer|HTTPBasic|HTTPDigest|OAuth2|OAuth2PasswordBearer|OAuth2AuthorizationCodeBearer|OpenIdConnect|APIKeyHeader|APIKeyQuery|APIKeyCookie)$/;
/** FastAPI's dependency markers. */
const DEPENDS = /^fastapi\.(params\.)?(Depends|Security)$/;
/** A 401 reply: `HTTPException(status_code=401)`, `status.HTTP_401_UNAUTHORIZED`, `Response(..., status_code=401)`. */
const REJECTS_401 = /status_code\s*=\s*401\b|HTTP_401_UNAUTHORIZED|HTTPException\(\s*401\b/;

/** Names of imported dependencies that authenticate (`get_current_user`, `verify_api_key`, `require_auth`). */
const IMPORTED_AUTH =
  /^(get_)?current_(active_)?(user|principal|account)$|auth|^(verify|validate|check|require)_(api_?key|key|token|jwt|bearer|credentials|user|login)$/i;

const cache = new WeakMap<PyFile, boolean>();

/** Whether the file shows authentication of its HTTP requests (see the module comment). */
export function isAuthenticated(py: PyFile): boolean {
  let v = cache.get(py);
  if (v === undefined) cache.set(py, (v = computeAuthenticated(py)));
  return v;
}

function computeAuthenticated(py: PyFile): boolean {
  if (AUTH_MARKERS.test(py.src.text)) return true;
  if (py.servers.some((s) => s.ctor && (py.kwargs(s.ctor).has('auth') || py.kwargs(s.ctor).has('token_verifier'))))
    return true;
  return dependencyAuth(py) || middlewareAuth(py);
}

/** The callable a `Depends(x)` / `Security(x)` call names, or undefined when it is not one. */
function dependencyTarget(py: PyFile, call: PyNode): PyNode | undefined {
  if (!DEPENDS.test(py.callee(call) ?? '')) return undefined;
  return py.kwargs(call).get('dependency') ?? py.positional(call)[0];
}

/**
 * A security scheme instance that demands credentials: `HTTPBearer()`; not `HTTPBearer(auto_error=False)`,
 * which lets requests without credentials through (the dependency must then reject them itself).
 */
function isScheme(py: PyFile, call: PyNode): boolean {
  return SCHEME.test(py.callee(call) ?? '') && py.text(py.kwargs(call).get('auto_error') ?? call) !== 'False';
}

/** Module-level names bound to a security scheme instance (`security = HTTPBearer()`). */
function schemeNames(py: PyFile): Set<string> {
  const out = new Set<string>();
  for (const [name, right] of py.moduleAssignments) if (right.type === 'call' && isScheme(py, right)) out.add(name);
  return out;
}

/**
 * FastAPI dependency authentication: a `Depends(...)`/`Security(...)` anywhere in the file (a route
 * parameter, `FastAPI(dependencies=[...])`, `APIRouter(dependencies=[...])`, `include_router(...,
 * dependencies=[...])`) on a scheme, or on a function that is an auth dependency: it takes a scheme
 * or credentials, rejects with 401, or depends on another auth function (one imported from
 * another module is judged by its name). Not when the file mounts an app: mounts bypass them.
 */
function dependencyAuth(py: PyFile): boolean {
  const depends = py.calls.filter((c) => DEPENDS.test(py.callee(c) ?? ''));
  if (!depends.length) return false;
  // Dependencies run for routes only: an app mounted with `app.mount(...)` (the MCP app from
  // `http_app()`) is reached without them, so they do not authenticate it.
  if (
    py.calls.some((c) => field(c, 'function')?.type === 'attribute' && /\.mount$/.test(py.text(field(c, 'function')!)))
  )
    return false;
  const schemes = schemeNames(py);
  const authFns = new Set<string>();
  const isAuthTarget = (t: PyNode | undefined): boolean => {
    if (!t) return false;
    if (t.type === 'call') return isScheme(py, t);
    const name = t.type === 'identifier' ? py.text(t) : undefined;
    if (name && (schemes.has(name) || authFns.has(name))) return true;
    // A dependency imported from another module (`from .auth import get_current_user`), judged by
    // its name since its body is not in this file.
    const q = py.qualify(t);
    return !!q && q !== name && !py.moduleFunctions.has(name ?? '') && IMPORTED_AUTH.test(q.split('.').pop()!);
  };
  const fns = [...py.moduleFunctions.values()];
  // Two passes: an auth function may depend on one defined below it.
  for (let pass = 0; pass < 2; pass++) {
    for (const fn of fns) {
      if (authFns.has(fn.name)) continue;
      if (isAuthFunction(py, fn, isAuthTarget)) authFns.add(fn.name);
    }
  }
  return depends.some((c) => isAuthTarget(dependencyTarget(py, c)) && wires(c));
}

/**
 * A function that authenticates as a dependency: one of its parameters depends on a scheme or on
 * another auth function (`= Depends(x)`, `Annotated[..., Depends(x)]`), or it rejects with 401.
 */
function isAuthFunction(py: PyFile, fn: FunctionFact, isAuthTarget: (t: PyNode | undefined) => boolean): boolean {
  for (const p of fn.params) {
    for (const part of [p.default, p.annotation]) {
      if (!part) continue;
      let hit = false;
      walk(part, (n) => {
        if (!hit && n.type === 'call' && isAuthTarget(dependencyTarget(py, n))) hit = true;
        return !hit;
      });
      if (hit) return true;
    }
  }
  return REJECTS_401.test(py.text(fn.body));
}

/**
 * Whether a `Depends(...)` applies to requests: in the signature of a decorated function (a route),
 * or outside any function (`dependencies=[...]` of an app, a router, `include_router`, a route
 * decorator). One in an undecorated function's signature only chains dependencies.
 */
function wires(call: PyNode): boolean {
  for (let n = call.parent; n; n = n.parent) {
    if (n.type === 'function_definition') return n.parent?.type === 'decorated_definition';
    if (n.type === 'lambda') return false;
  }
  return true;
}

/**
 * HTTP middleware that rejects with 401: a function decorated `@app.middleware("http")`, or a
 * class given to `add_middleware(...)` whose `dispatch`/`__call__` does.
 */
function middlewareAuth(py: PyFile): boolean {
  for (const fn of py.functions) {
    if (!fn.decorated || !REJECTS_401.test(py.text(fn.body))) continue;
    const decorators = named(fn.decorated).filter((d) => d.type === 'decorator');
    if (decorators.some((d) => /\.middleware\(\s*["']http["']\s*\)$/.test(py.text(d)))) return true;
  }
  const added = new Set<string>();
  for (const c of py.calls) {
    const f = field(c, 'function');
    if (f?.type === 'attribute' && py.text(field(f, 'attribute')!) === 'add_middleware') {
      const first = py.positional(c)[0];
      if (first?.type === 'identifier') added.add(py.text(first));
    }
  }
  if (!added.size) return false;
  let found = false;
  walk(py.root, (n) => {
    if (found) return false;
    if (n.type !== 'class_definition') return true;
    if (!added.has(py.text(field(n, 'name')!))) return false;
    found = REJECTS_401.test(py.text(n));
    return false;
  });
  return found;
}

/** Serialization rules: schemas from signatures, JSON-native types, structured output (encodings: encoding.ts). */
import { field, named, type PyNode, walk } from '../ast';
import type { PyFile } from '../context';
import type { FunctionFact, ParamFact } from '../functions';
import { ensureFromImport, fix, fixes, replaceNode } from '../fixes';
import { isInjectedDefault } from '../imports';
import { returnsOf, walkBody } from './util';
import { typeRefs, judgeType, isModelClass, hasAnnotatedFields } from './annotationTypes';
import { suppliedParams } from '../decorators';
import { suppliedParamMessage } from '../messages';

// ---- MCP201 ----------------------------------------------------------------------------------

/** MCP201: tool parameters the framework cannot turn into a JSON schema. */
export function mcp201(py: PyFile): void {
  for (const d of py.tools) {
    const fn = d.fn;
    const ctxImport = d.server.framework === 'fastmcp' ? 'fastmcp' : 'mcp.server.fastmcp';
    const supplied = suppliedParams(py, fn);
    const plain = fn.params.filter((q) => q.kind === 'plain' && q.name !== 'self' && q.name !== 'cls');
    for (const p of fn.params) {
      if (fn.params[0] === p && (p.name === 'self' || p.name === 'cls')) continue;
      if (isInjectedDefault(py, p.default)) continue;
      const by = supplied.local.get(p.name);
      if (by) {
        py.hit('MCP201', p.node, suppliedParamMessage(p.name, d.def.name, by), { severity: 'error' });
        continue;
      }
      if (p.kind !== 'plain') {
        const star = p.kind === 'args' ? '*' : '**';
        // Checked on fastmcp 4.0 (and reported since 2.x) and on mcp 2.3.
        if (d.server.framework === 'fastmcp')
          py.hit(
            'MCP201',
            p.node,
            `Tool '${d.def.name}' takes ${star}${p.name}: fastmcp refuses it when the tool is registered ("ValueError: Functions with ${star}${p.kind === 'args' ? 'args' : 'kwargs'} are not supported as tools"), so the server fails at startup. Declare each argument as a named, annotated parameter, or take one dict parameter.`,
            {},
          );
        else
          py.hit(
            'MCP201',
            p.node,
            `Tool '${d.def.name}' takes ${star}${p.name}: the SDK publishes it as one required string argument named '${p.name}' instead of the free-form arguments it stands for, so clients must send '${p.name}' and cannot send anything else. Declare each argument as a named, annotated parameter, or take one dict parameter.`,
            { downgrade: true },
          );
        continue;
      }
      const isCtxName = p.name === 'ctx' || p.name === 'context';
      if (!p.annotation) {
        if (isCtxName) {
          py.hit(
            'MCP201',
            p.node,
            `Parameter '${p.name}' of tool '${d.def.name}' has no annotation, so it is not recognised as the injected Context: it becomes a required user argument ("${p.name} Field required") and shows up in the schema. Annotate it: ${p.name}: Context.`,
            {
              fixes: fixes(
                fix(
                  `Annotate ${p.name}: Context`,
                  annotateEdit(py, p, 'Context'),
                  [ensureFromImport(py, ctxImport, 'Context')],
                  true,
                ),
              ),
            },
          );
        } else if (d.server.framework === 'mcp-python-sdk') {
          // mcp 1.x and 2.x publish an unannotated parameter as `{"type": "string"}` (checked on 2.3).
          // A decorator imported from another module may supply it: the project model decides.
          const maybe = supplied.importedDecorators.length
            ? {
                maybeSupplied: {
                  decorators: supplied.importedDecorators,
                  index: plain.indexOf(p),
                  name: p.name,
                  tool: d.def.name,
                },
              }
            : undefined;
          py.hit(
            'MCP201',
            p.node,
            `Parameter '${p.name}' of tool '${d.def.name}' has no type annotation: the SDK publishes it as a ${p.default ? '' : 'required '}string argument ("type": "string"), so the model ${p.default ? 'may send' : 'must send'} text for it whatever the function expects. Annotate it with the type it takes; if a decorator supplies it (a client, a session), keep it out of the signature the SDK reads.`,
            {
              severity: 'info',
              fixes: fixes(fix(`Annotate ${p.name}: str (check the type)`, annotateEdit(py, p, 'str'))),
              ...(maybe ? { data: maybe } : {}),
            },
          );
        } else {
          py.hit(
            'MCP201',
            p.node,
            `Parameter '${p.name}' of tool '${d.def.name}' has no type annotation, so its schema property has no type: some clients skip the tool (Gemini CLI: "missing types in its parameter schema") and others send arbitrary values. Add an annotation such as ${p.name}: str.`,
            {
              fixes: fixes(fix(`Annotate ${p.name}: str (check the type)`, annotateEdit(py, p, 'str'))),
            },
          );
        }
        continue;
      }
      const annText = py.text(p.annotation);
      if (
        isCtxName &&
        !py.isContextAnnotation(p.annotation) &&
        /(^|\W)(Context|None)(\W|$)/.test(annText) &&
        !/\bRequestContext\b/.test(annText)
      ) {
        py.hit(
          'MCP201',
          p.annotation,
          `Parameter '${p.name}' of tool '${d.def.name}' is annotated ${annText}, which is not the framework's Context (import it from ${ctxImport}): the parameter becomes a user argument or breaks registration (KeyError: '${p.name}').`,
          {},
        );
        continue;
      }
      const alias = typeRefs(py, p.annotation).find((r) => r.bare && py.typeAliases.has(r.name));
      if (alias) {
        py.hit(
          'MCP201',
          p.annotation,
          `Parameter '${p.name}' of tool '${d.def.name}' uses the PEP 695 alias ${alias.name}; older pydantic versions do not expand \`type\` aliases and schema generation fails. Use a plain assignment alias (${alias.name} = ...) or the underlying type.`,
          { downgrade: true },
        );
      }
    }
  }
}

function annotateEdit(py: PyFile, p: ParamFact, type: string) {
  const nameNode = p.node.type === 'identifier' ? p.node : field(p.node, 'name');
  if (!nameNode) return undefined;
  const isDefault = p.node.type === 'default_parameter';
  const def = p.default ? py.text(p.default) : '';
  return isDefault
    ? replaceNode(py, p.node, `${p.name}: ${type}${def === 'None' && type !== 'Context' ? ' | None' : ''} = ${def}`)
    : replaceNode(py, nameNode, `${p.name}: ${type}`);
}

// ---- MCP202 ----------------------------------------------------------------------------------

/** MCP202: parameter or return types that are not JSON-native. */
export function mcp202(py: PyFile): void {
  for (const d of py.tools) {
    const fn = d.fn;
    const check = (ann: PyNode | undefined, what: string) => {
      const seen = new Set<string>();
      for (const ref of typeRefs(py, ann)) {
        const v = judgeType(py, ref, d.server.framework, what === 'return');
        if (!v || seen.has(ref.name)) continue;
        seen.add(ref.name);
        let severity = v.severity;
        if (severity === 'info' && what === 'return' && bodyCalls(py, fn, 'json.dumps')) severity = 'warning';
        py.hit(
          'MCP202',
          ref.node,
          `${what === 'return' ? 'Return type' : `Parameter '${what}'`} of tool '${d.def.name}' uses ${ref.name}: ${v.why}. Arguments and results travel as JSON; ${v.suggest}.`,
          severity === 'warning' ? {} : { severity },
        );
      }
    };
    for (const p of fn.params) if (p.annotation && !py.isInjected(p)) check(p.annotation, p.name);
    if (fn.returnType) {
      check(fn.returnType, 'return');
      continue;
    }
    for (const r of returnsOf(fn)) {
      const v = r.value;
      if (!v) continue;
      if (v.type === 'set' || v.type === 'set_comprehension') {
        py.hit(
          'MCP202',
          r.stmt,
          `Tool '${d.def.name}' returns a set on line ${py.line(r.stmt)}; sets are not JSON: depending on the version the result fails to serialise or arrives as an unordered array or a repr string. Return a list (sorted(...)).`,
          {
            fixes: fixes(fix('Return a sorted list', replaceNode(py, v, `sorted(${py.text(v)})`))),
          },
        );
      } else if (v.type === 'call') {
        const q = py.callee(v);
        if (q === 'open' || q === 'io.open') {
          py.hit(
            'MCP202',
            r.stmt,
            `Tool '${d.def.name}' returns a file object on line ${py.line(r.stmt)}; file handles cannot be serialised ("Object of type TextIOWrapper is not JSON serializable"). Return the file's content (bounded) instead.`,
            { severity: 'error' },
          );
        } else if (
          q &&
          py.classes.has(q) &&
          !isModelClass(py, q) &&
          !(hasAnnotatedFields(py, q) && d.server.framework === 'mcp-python-sdk')
        ) {
          py.hit(
            'MCP202',
            r.stmt,
            `Tool '${d.def.name}' returns an instance of ${q} on line ${py.line(r.stmt)}, which is not a pydantic model, dataclass or TypedDict: the client receives its repr string ("<${q} object at 0x...>") and no structured content (checked on fastmcp 4 and mcp 2.3). Make ${q} a BaseModel/@dataclass or return a dict.`,
            {},
          );
        }
      }
    }
  }
}

function bodyCalls(py: PyFile, fn: FunctionFact, name: string): boolean {
  let found = false;
  walkBody(fn, (n) => {
    if (found) return false;
    if (n.type === 'call' && py.callee(n) === name) found = true;
    return true;
  });
  return found;
}

// ---- MCP203 ----------------------------------------------------------------------------------

const STRUCTURED = /^(dict|list|Dict|List|Mapping|Sequence|tuple|Tuple)$/;

/** Whether an expression obviously evaluates to a string. */
export function isStringish(py: PyFile, v: PyNode | undefined): boolean {
  if (!v) return false;
  switch (v.type) {
    case 'string':
    case 'concatenated_string':
      return true;
    case 'binary_operator': {
      const l = field(v, 'left');
      return isStringish(py, l) || isStringish(py, field(v, 'right'));
    }
    case 'call': {
      const q = py.callee(v);
      if (q === 'str' || q === 'repr' || q === 'json.dumps' || q === 'format') return true;
      const fnNode = field(v, 'function');
      if (fnNode?.type === 'attribute') {
        const obj = field(fnNode, 'object');
        const attr = py.text(field(fnNode, 'attribute')!);
        if (
          obj &&
          (obj.type === 'string' || obj.type === 'concatenated_string') &&
          (attr === 'join' || attr === 'format')
        )
          return true;
      }
      return false;
    }
    case 'parenthesized_expression':
      return isStringish(py, named(v)[0]);
    default:
      return false;
  }
}

/** MCP203: the return annotation promises structured output the body does not return. */
export function mcp203(py: PyFile): void {
  for (const d of py.tools) {
    const fn = d.fn;
    const outputSchema = d.kwargs.get('output_schema');
    const declaresSchema = outputSchema && outputSchema.type !== 'none';
    if (!fn.returnType && !declaresSchema) continue;
    const refs = typeRefs(py, fn.returnType);
    const top = refs[0];
    const optional = !!fn.returnType && /\bNone\b|Optional/.test(py.text(fn.returnType));
    const structured =
      !!declaresSchema ||
      (!!top && (STRUCTURED.test(top.short) || (py.classes.has(top.name) && isModelClass(py, top.name))));
    const returns = returnsOf(fn);
    if (structured) {
      const bad = returns.filter(
        (r) => isStringish(py, r.value) || (!optional && !declaresSchema && (!r.value || r.value.type === 'none')),
      );
      const allStrings = returns.length > 0 && returns.every((r) => isStringish(py, r.value));
      for (const r of bad) {
        const what = r.value && isStringish(py, r.value) ? 'a string' : 'None';
        const promised = declaresSchema ? 'declares output_schema' : `is annotated -> ${py.text(fn.returnType!)}`;
        py.hit(
          'MCP203',
          r.stmt,
          `Tool '${d.def.name}' ${promised}, so it advertises an output schema, but line ${py.line(r.stmt)} returns ${what}: clients reject the result ("has an output schema but did not return structured content"). Return data matching the schema, or annotate -> str.`,
          {
            fixes:
              allStrings && fn.returnType && !declaresSchema
                ? fixes(fix('Annotate the tool -> str', replaceNode(py, fn.returnType, 'str')))
                : undefined,
          },
        );
      }
    } else if (top && top.name === 'str' && !optional) {
      for (const r of returns) {
        if (r.value?.type !== 'dictionary') continue;
        py.hit(
          'MCP203',
          r.stmt,
          `Tool '${d.def.name}' is annotated -> str but line ${py.line(r.stmt)} returns a dict: the declared schema (a string) does not match the result. Annotate -> dict (or a model) or return json.dumps(...).`,
          {
            fixes: returns.every((x) => x.value?.type === 'dictionary')
              ? fixes(fix('Annotate the tool -> dict', replaceNode(py, fn.returnType!, 'dict')))
              : undefined,
          },
        );
      }
    }
  }
}

// ---- MCP204 ----------------------------------------------------------------------------------

const MEDIA = /^(fastmcp(\.utilities\.types)?|mcp\.server\.fastmcp(\.utilities\.types)?)\.(Image|Audio|File)$/;

/** MCP204: media helpers nested in dicts, from the wrong package, or fed raw pixels. */
export function mcp204(py: PyFile): void {
  if (py.framework) {
    const wrong = py.framework === 'fastmcp' ? /^mcp\.server\.fastmcp/ : /^fastmcp/;
    for (const imp of py.importNodes) {
      for (const [local, q] of py.imports) {
        if (!MEDIA.test(q) || !wrong.test(q) || !py.text(imp).includes(local)) continue;
        const pkg = py.framework === 'fastmcp' ? 'fastmcp' : 'mcp.server.fastmcp';
        py.hit(
          'MCP204',
          imp,
          `${q.split('.').pop()} is imported from ${q.replace(/\.\w+$/, '')} but the server is ${pkg}'s FastMCP: its serializer does not know the other package's helper ("Unable to serialize unknown type"). Import it from ${pkg}.`,
          {},
        );
      }
    }
  }
  for (const d of py.tools) {
    for (const r of returnsOf(d.fn)) {
      if (!r.value || (r.value.type !== 'dictionary' && r.value.type !== 'list')) continue;
      walk(r.value, (n) => {
        if (n.type === 'call' && MEDIA.test(py.callee(n) ?? '') && n.parent && hasDictAncestor(n, r.value!)) {
          py.hit(
            'MCP204',
            n,
            `Tool '${d.def.name}' nests ${py.text(field(n, 'function')!)}(...) inside a dict on line ${py.line(n)}: helpers are only converted to content blocks at the top level, nested ones arrive as their repr ("<Image object at 0x...>"). Return the helper itself (or a list of helpers).`,
            {},
          );
          return false;
        }
        return n.type !== 'lambda';
      });
    }
  }
  for (const call of py.calls) {
    if (!MEDIA.test(py.callee(call) ?? '')) continue;
    const data = py.kwargs(call).get('data') ?? py.positional(call)[0];
    if (data && /\.tobytes\(\s*\)$/.test(py.text(data))) {
      py.hit(
        'MCP204',
        data,
        `${py.text(data)} on line ${py.line(data)} passes raw pixel bytes, not an encoded image file: clients cannot decode it. Save the image to PNG/JPEG bytes (BytesIO + img.save(buf, format="PNG")) and pass those.`,
        {},
      );
    }
  }
}

function hasDictAncestor(n: PyNode, stop: PyNode): boolean {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'dictionary' || p.type === 'pair') return true;
    if (p === stop) return false;
  }
  return false;
}

// ---- MCP207 ----------------------------------------------------------------------------------

/** MCP207 (Python half): bare list/dict parameters publish uninformative schemas. */
export function mcp207(py: PyFile): void {
  for (const d of py.tools) {
    for (const p of d.fn.params) {
      if (!p.annotation || py.isInjected(p)) continue;
      for (const ref of typeRefs(py, p.annotation)) {
        // A bare dict is a valid `{"type": "object"}`; only a bare list loses information.
        if (!ref.bare || !/^(list|List|typing\.List)$/.test(ref.name)) continue;
        const suggestion = 'list[str]';
        py.hit(
          'MCP207',
          ref.node,
          `Parameter '${p.name}' of tool '${d.def.name}' is a bare ${ref.name}: its schema is an array with untyped items (\`"items": {}\`), so models guess what to put in it. Use a parameterised type such as ${suggestion}.`,
          {
            severity: 'info',
            fixes: fixes(fix(`Use ${suggestion}`, replaceNode(py, ref.node, suggestion))),
          },
        );
      }
    }
  }
}

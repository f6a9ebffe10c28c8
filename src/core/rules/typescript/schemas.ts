/**
 * Input schemas as written in TypeScript: zod call chains (`z.string().optional()`), `z.object({...})`
 * shapes, raw shapes and JSON schema literals, and the parameters they declare.
 */
import type * as ts from 'typescript';
import type { Definition } from '../types';
import { getPropValue, propName, stringValue, unwrap } from './astUtil';
import type { Facts } from './facts';
import { initializerOf } from './resolve';
import { loadTypeScript } from './tsLoader';

/** Parameter names from a zod raw shape, `z.object({...})`, or a JSON schema literal. */
export function schemaParams(facts: Facts, schema: ts.Expression): Definition['params'] {
  const ts = loadTypeScript();
  let s = unwrap(schema);
  if (ts.isIdentifier(s)) {
    const init = initializerOf(facts, s);
    if (init) s = unwrap(init);
  }
  const obj = zodObjectShape(s) ?? (ts.isObjectLiteralExpression(s) ? s : undefined);
  if (!obj) return [];
  // JSON schema: { type: 'object', properties: {...}, required: [...] }
  const props = getPropValue(obj, 'properties');
  if (getPropValue(obj, 'type') && props && ts.isObjectLiteralExpression(unwrap(props))) {
    const req = getPropValue(obj, 'required');
    const required = new Set<string>();
    if (req && ts.isArrayLiteralExpression(unwrap(req)))
      for (const r of (unwrap(req) as ts.ArrayLiteralExpression).elements) {
        const v = stringValue(r);
        if (v) required.add(v);
      }
    return (unwrap(props) as ts.ObjectLiteralExpression).properties.flatMap((p) => {
      const n = propName(p.name);
      if (!n) return [];
      const val = ts.isPropertyAssignment(p) ? unwrap(p.initializer) : undefined;
      const type = val && ts.isObjectLiteralExpression(val) ? stringValue(getPropValue(val, 'type')) : undefined;
      return [{ name: n, type, optional: !required.has(n) }];
    });
  }
  return obj.properties.flatMap((p) => {
    const n = propName(p.name);
    if (!n) return [];
    const val = ts.isPropertyAssignment(p) ? p.initializer : undefined;
    const chain = val ? zodChain(val) : undefined;
    return [
      {
        name: n,
        type: chain?.root,
        optional: chain
          ? chain.methods.some((m) => m === 'optional' || m === 'default' || m === 'nullish') ||
            chain.root === 'optional'
          : undefined,
      },
    ];
  });
}

/** A zod call chain: `z.string().min(1).optional()` → root `string`, methods `[min, optional]`. */
export interface ZodChain {
  root: string;
  rootCall: ts.CallExpression;
  methods: string[];
}

export function zodChain(expr: ts.Expression): ZodChain | undefined {
  const ts = loadTypeScript();
  const methods: string[] = [];
  let e = unwrap(expr);
  while (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) {
    const inner = unwrap(e.expression.expression);
    if (ts.isIdentifier(inner) && (inner.text === 'z' || inner.text === 'zod')) {
      return { root: e.expression.name.text, rootCall: e, methods: methods.reverse() };
    }
    methods.push(e.expression.name.text);
    e = inner;
  }
  return undefined;
}

/** The shape object of `z.object({...})` (possibly with chained methods), else undefined. */
export function zodObjectShape(expr: ts.Expression): ts.ObjectLiteralExpression | undefined {
  const ts = loadTypeScript();
  const c = zodChain(expr);
  if (!c || (c.root !== 'object' && c.root !== 'strictObject' && c.root !== 'looseObject')) return undefined;
  const a = c.rootCall.arguments[0] && unwrap(c.rootCall.arguments[0]);
  return a && ts.isObjectLiteralExpression(a) ? a : undefined;
}

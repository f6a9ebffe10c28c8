/** Messages that both a rule and the project model's cross-file checks write (MCP301, MCP201). */

/** A call an async tool makes to a function or method that reaches a blocking call. */
export interface BlockingVia {
  tool: string;
  /** The tool body is a low-level `tools/call` dispatcher (`tool` is its function's name). */
  dispatcher?: boolean;
  /** The callee as written (`api.search`). */
  display: string;
  line: number;
  /** `await api.search()`: an async function that blocks inside. */
  awaited: boolean;
  /** A sync tool that the framework runs on the event loop: the runner (`mcp.server.fastmcp 1.x`). */
  sync?: string;
}

/** A tool body in a sentence: `async tool 'x'`, `tool 'x'`, `the tools/call dispatcher 'handle'`. */
export function toolPlace(name: string, isAsync: boolean, dispatcher: boolean): string {
  return dispatcher ? `the tools/call dispatcher '${name}'` : `${isAsync ? 'async ' : ''}tool '${name}'`;
}

/** `where`: the blocking call's place (`line 31`, `client.py line 31`). */
export function blockingViaMessage(v: BlockingVia, fact: { call: string; line: number }, where: string): string {
  const http = /^(requests|httpx|urllib)\.|\.(get|post|put|patch|delete|head|options|request|send)$/.test(fact.call);
  const advice = v.awaited
    ? `Make ${v.display}() use an async ${http ? 'client (httpx.AsyncClient)' : 'API'}, or run the blocking call inside it with await asyncio.to_thread(...)`
    : `Run it in a thread (await asyncio.to_thread(${v.display}, ...))${http ? ' or give it an async client (httpx.AsyncClient)' : ''}`;
  if (v.sync)
    return `${v.display}() on line ${v.line} blocks the event loop inside ${toolPlace(v.tool, false, !!v.dispatcher)}: it reaches ${fact.call}() (${where}), and ${v.sync} runs sync tools on the event loop, so every other request, ping and new handshake waits until it returns. Make the tool async and run the call with await asyncio.to_thread(${v.display}, ...)${http ? ', or use an async client (httpx.AsyncClient)' : ''}.`;
  return `${v.display}() on line ${v.line} blocks the event loop inside ${toolPlace(v.tool, true, !!v.dispatcher)}: it reaches ${fact.call}() (${where}), so every other request, ping and new handshake waits until it returns. ${advice}.`;
}

/** MCP201 on a tool parameter that a decorator supplies. */
export function suppliedParamMessage(param: string, tool: string, decorator: string): string {
  return `Parameter '${param}' of tool '${tool}' is supplied by @${decorator}, but functools.wraps keeps the original signature, so the SDK publishes '${param}' as a required argument: the model must invent a value, a call without it fails validation ("${param}: Field required"), and the decorator throws away what the model sent. Give the wrapper a signature without '${param}' (wrapper.__signature__ = inspect.signature(func).replace(parameters=[...])), or hand the value over another way (the lifespan context, a module-level client).`;
}

/**
 * MCP301 on a blocking call in a tool body (or a sync helper it calls directly): `on` says what
 * makes it block (`, a call on a synchronous boto3 client (...)`); `sync` names the runner that
 * runs sync tools on the event loop.
 */
export function blockingCallMessage(m: {
  call: string;
  line: number;
  on?: string;
  where: string;
  sync?: string;
  advice: string;
}): string {
  return m.sync
    ? `${m.call}() on line ${m.line}${m.on ?? ''} blocks ${m.where}: ${m.sync} runs sync tools on the event loop, so every other request, ping and handshake waits until it returns. Make the tool async and run the call with await asyncio.to_thread(...).`
    : `${m.call}() on line ${m.line}${m.on ?? ''} blocks the event loop ${m.where}: every other request, ping and new handshake waits until it returns. ${m.advice}.`;
}

/** The advice for a call on a synchronous client: its SDK's async client, or a thread. */
export function clientAdvice(asyncClient: string | undefined): string {
  return asyncClient
    ? `Use ${asyncClient} (awaited) or await asyncio.to_thread(...)`
    : 'Run it with await asyncio.to_thread(...)';
}

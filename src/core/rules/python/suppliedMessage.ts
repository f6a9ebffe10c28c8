/** MCP201's message for a tool parameter that a decorator supplies (shared by the rule and the project model's check). */
export function suppliedParamMessage(param: string, tool: string, decorator: string): string {
  return `Parameter '${param}' of tool '${tool}' is supplied by @${decorator}, but functools.wraps keeps the original signature, so the SDK publishes '${param}' as a required argument: the model must invent a value, a call without it fails validation ("${param}: Field required"), and the decorator throws away what the model sent. Give the wrapper a signature without '${param}' (wrapper.__signature__ = inspect.signature(func).replace(parameters=[...])), or hand the value over another way (the lifespan context, a module-level client).`;
}

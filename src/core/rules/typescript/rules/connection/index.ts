import type { RuleContext } from '../../context';
import { mcp106, mcp108, mcp109, mcp110, mcp111 } from './http';
import { mcp104, mcp112 } from './startup';
import { mcp102, mcp103 } from './stdio';

/** Connection rules: MCP102 103 104 106 108 109 110 111 112. */
export function connectionRules(ctx: RuleContext): void {
  mcp102(ctx);
  mcp103(ctx);
  mcp104(ctx);
  mcp106(ctx);
  mcp108(ctx);
  mcp109(ctx);
  mcp110(ctx);
  mcp111(ctx);
  mcp112(ctx);
}

"""Inventory MCP server for the demo workspace: stdlib only, stdio transport.

Speaks newline-delimited JSON-RPC 2.0 on stdin/stdout as MCP requires; every log line goes
to stderr so stdout stays a clean protocol channel. Run: python3 server.py
"""
import json
import sys

PROTOCOL_VERSION = "2025-06-18"
STOCK = {"apples": 12, "pears": 0, "plums": 31}

TOOLS = [
    {
        "name": "count_items",
        "description": "Return how many units of a product are in stock.",
        "inputSchema": {
            "type": "object",
            "properties": {"product": {"type": "string", "description": "Product name, e.g. apples"}},
            "required": ["product"],
        },
    },
    {
        "name": "list_products",
        "description": "List every product with its stock level.",
        "inputSchema": {"type": "object", "properties": {}},
    },
]


def log(message):
    print(f"[inventory] {message}", file=sys.stderr, flush=True)


def text_result(text, is_error=False):
    return {"content": [{"type": "text", "text": text}], "isError": is_error}


def call_tool(name, arguments):
    if name == "count_items":
        product = str(arguments.get("product", "")).lower()
        if product not in STOCK:
            return text_result(f"Unknown product {product!r}; known: {', '.join(sorted(STOCK))}", True)
        return text_result(f"{STOCK[product]} {product} in stock")
    if name == "list_products":
        return text_result("\n".join(f"{k}: {v}" for k, v in sorted(STOCK.items())))
    raise KeyError(name)


def handle(request):
    method = request.get("method")
    params = request.get("params") or {}
    if method == "initialize":
        version = params.get("protocolVersion") or PROTOCOL_VERSION
        return {
            "protocolVersion": version,
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {"name": "demo-inventory", "version": "1.0.0"},
        }
    if method == "ping":
        return {}
    if method == "tools/list":
        return {"tools": TOOLS}
    if method == "tools/call":
        try:
            return call_tool(params.get("name"), params.get("arguments") or {})
        except KeyError:
            raise LookupError(f"Unknown tool: {params.get('name')}")
    raise NotImplementedError(method)


def main():
    log("started")
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            message = json.loads(line)
        except json.JSONDecodeError as exc:
            reply = {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": f"Parse error: {exc}"}}
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()
            continue
        if "id" not in message:
            log(f"notification {message.get('method')}")
            continue
        try:
            reply = {"jsonrpc": "2.0", "id": message["id"], "result": handle(message)}
        except NotImplementedError as exc:
            reply = {"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32601, "message": f"Method not found: {exc}"}}
        except LookupError as exc:
            reply = {"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32602, "message": str(exc)}}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    log("stdin closed, exiting")


if __name__ == "__main__":
    main()

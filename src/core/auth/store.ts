/**
 * Where sign-in state is kept between starts: VS Code's SecretStorage in the extension, memory
 * in the CLI. Everything one server needs is one JSON record under one key.
 */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export class MemorySecretStore implements SecretStore {
  private readonly map = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.map.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.map.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.map.delete(key);
  }
}

/** The key of a server's sign-in record: one per MCP server URL (without query or fragment). */
export function grantKey(serverUrl: string): string {
  let base = serverUrl;
  try {
    const u = new URL(serverUrl);
    base = `${u.origin}${u.pathname}`;
  } catch {
    // keep as written
  }
  return `mcp-doctor.oauth:${base}`;
}

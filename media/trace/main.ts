// Placeholder until the trace webview lands.
export {};

/** Minimal event emitter with the same shape as `vscode.Event`, so adapters pass events through. */

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (e: T) => void) => Disposable;

export class Emitter<T> implements Disposable {
  private listeners = new Set<(e: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (err) {
        // A failing listener must not stop the others or the emitter's owner.
        console.error('[mcp-doctor] listener failed:', err);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}

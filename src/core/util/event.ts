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

export class DisposableStore implements Disposable {
  private items: Disposable[] = [];
  private disposed = false;

  add<T extends Disposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  dispose(): void {
    this.disposed = true;
    const items = this.items.splice(0).reverse();
    for (const item of items) {
      try {
        item.dispose();
      } catch (err) {
        console.error('[mcp-doctor] dispose failed:', err);
      }
    }
  }
}

export function toDisposable(fn: () => void): Disposable {
  return { dispose: fn };
}

import * as vscode from 'vscode';
import type { SessionRegistry } from './services';

/** When a code lens provider's lenses are to be asked for again. */
export interface LensTriggers {
  /** The live sessions the lenses show something of. */
  sessions: SessionRegistry;
  /** What of the sessions the lenses show (states, call counts), as text. */
  shown: () => string;
  /** Settings sections whose change redraws the lenses. */
  settings: readonly string[];
  /** Other events after which the lenses differ (a new lint result, a config change). */
  also: readonly vscode.Event<unknown>[];
}

/**
 * The change event of a code lens provider. Sessions change many times a second while a server
 * talks (output, health samples, stats), and any lens change event makes VS Code ask every
 * provider of every editor again: fired on each, the requests never settle and the lenses
 * vanish. So a session change fires it only when what the lenses show of the sessions changed.
 */
export class LensRefresh implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly event = this.changed.event;
  private readonly subs: vscode.Disposable[];
  /** What the lenses show of the sessions, as of the last event. */
  private shown = '';

  constructor({ sessions, shown, settings, also }: LensTriggers) {
    this.subs = [
      this.changed,
      ...also.map((e) => e(() => this.changed.fire())),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (settings.some((s) => e.affectsConfiguration(s))) this.changed.fire();
      }),
      sessions.onDidChange(() => {
        const now = shown();
        if (now !== this.shown) {
          this.shown = now;
          this.changed.fire();
        }
      }),
    ];
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}

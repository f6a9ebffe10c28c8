import * as vscode from 'vscode';
import { inertControls } from '../../core/util/text';

/** ANSI styles used in the managed terminal. */
export type LineStyle = 'plain' | 'header' | 'lifecycle' | 'stderr' | 'noise' | 'hint' | 'error' | 'ok';

const STYLES: Record<LineStyle, [string, string]> = {
  plain: ['', ''],
  header: ['\x1b[1m', '\x1b[0m'],
  lifecycle: ['\x1b[36m', '\x1b[0m'],
  stderr: ['\x1b[2m', '\x1b[0m'],
  noise: ['\x1b[31m', '\x1b[0m'],
  hint: ['\x1b[33m', '\x1b[0m'],
  error: ['\x1b[1;31m', '\x1b[0m'],
  ok: ['\x1b[32m', '\x1b[0m'],
};

const MAX_HISTORY = 5000;

/**
 * The managed terminal of one server (`MCP: <name>`): a read-only Pseudoterminal that shows
 * the command line, lifecycle and output. It keeps its history, so closing the terminal and
 * showing it again replays everything; closing it never stops the server. Ctrl+C does.
 */
export class ServerTerminal implements vscode.Disposable {
  private readonly history: string[] = [];
  private terminal: vscode.Terminal | undefined;
  private writer: vscode.EventEmitter<string> | undefined;
  private opened = false;
  private readonly closeListener: vscode.Disposable;

  constructor(
    readonly name: string,
    private readonly onInterrupt: () => void,
  ) {
    this.closeListener = vscode.window.onDidCloseTerminal((t) => {
      if (t === this.terminal) this.detach();
    });
  }

  /** Opens the terminal (creating it again if the user closed it) without taking focus by default. */
  show(preserveFocus = true): vscode.Terminal {
    if (!this.terminal) this.create();
    this.terminal!.show(preserveFocus);
    return this.terminal!;
  }

  /** The VS Code terminal, when one is open. */
  get vscodeTerminal(): vscode.Terminal | undefined {
    return this.terminal;
  }

  /**
   * Appends one line (may contain `\n`), styled. Control characters in the text (escape
   * sequences from a server's stderr, a bare `\r`) are shown as symbols, never interpreted.
   */
  writeLine(text: string, style: LineStyle = 'plain'): void {
    const [on, off] = STYLES[style];
    const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
    for (const line of lines) {
      const chunk = `${on}${inertControls(line)}${off}\r\n`;
      this.history.push(chunk);
      if (this.opened) this.writer?.fire(chunk);
    }
    if (this.history.length > MAX_HISTORY) this.history.splice(0, this.history.length - MAX_HISTORY);
  }

  /** Plain text of everything written so far (ANSI removed), for tests and reports. */
  text(): string {
    return (
      this.history
        .join('')
        // eslint-disable-next-line no-control-regex -- ESC starts the colour sequences being removed
        .replace(/\x1b\[[0-9;]*m/g, '')
        .replace(/\r\n/g, '\n')
    );
  }

  dispose(): void {
    this.closeListener.dispose();
    const terminal = this.terminal;
    this.detach();
    terminal?.dispose();
  }

  private create(): void {
    const writer = new vscode.EventEmitter<string>();
    const closer = new vscode.EventEmitter<number | void>();
    this.writer = writer;
    this.opened = false;
    const pty: vscode.Pseudoterminal = {
      onDidWrite: writer.event,
      onDidClose: closer.event,
      open: () => {
        this.opened = true;
        // Replay the history: the terminal may be opened after the server printed a lot.
        if (this.history.length) writer.fire(this.history.join(''));
      },
      close: () => this.detach(),
      handleInput: (data) => {
        // Read-only: everything is ignored except Ctrl+C, which stops the server.
        if (data.includes('\x03')) {
          this.writeLine('^C: stopping the server', 'hint');
          this.onInterrupt();
        }
      },
    };
    this.terminal = vscode.window.createTerminal({
      name: `MCP: ${this.name}`,
      pty,
      iconPath: new vscode.ThemeIcon('server-process'),
      isTransient: true,
    });
  }

  private detach(): void {
    this.writer?.dispose();
    this.writer = undefined;
    this.terminal = undefined;
    this.opened = false;
  }
}

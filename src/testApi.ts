import type * as vscode from 'vscode';
import type { ServerConfig } from './core/config/types';
import type { IpcMessage } from './shared/protocol';
import type { ConfigController } from './vscode/config/configController';
import type { LaunchPrompts } from './vscode/session/prompts';
import type { SessionManager } from './vscode/session/sessionManager';
import type { SignIns } from './vscode/session/signIns';
import type { IpcTap } from './vscode/trace/tracePanel';
import type { TraceServiceImpl } from './vscode/trace/traceService';
import type { ServersTreeProvider } from './vscode/tree/serversTree';
import type { TreeNode } from './vscode/treeNodes';

/**
 * What `activate()` returns when the extension runs in `ExtensionMode.Test` (integration
 * tests), and only then: in any other mode `activate()` returns undefined and none of the
 * seams below is created, so nothing is recorded for users.
 */
export interface DoctorTestApi {
  /** Wall time of `activate()` itself, in ms (reported by the activation benchmark). */
  readonly activationMs: number;
  readonly context: vscode.ExtensionContext;
  readonly config: ConfigController;
  readonly sessions: SessionManager;
  readonly signIns: SignIns;
  readonly trace: TraceServiceImpl;
  readonly tree: ServersTreeProvider;
  readonly treeView: vscode.TreeView<TreeNode>;
  /** The messages the trace panel posted and received since activation. */
  readonly webview: IpcLog;
  /** While on, every launch question is answered yes (consent, disabled server, start for a tool). */
  setAutoApprove(on: boolean): void;
  /** Sign-in pages the extension asked to open (Test mode opens none: the test drives a browser tab). */
  readonly openedUrls: readonly string[];
}

/** Most messages kept per direction (tests rebuild the webview's rows from them). */
const IPC_LOG_LIMIT = 50_000;

/** Every message the trace panel posted and received, newest last. */
class IpcLog implements IpcTap {
  readonly posted: IpcMessage[] = [];
  readonly received: IpcMessage[] = [];

  onPosted(msg: IpcMessage): void {
    keep(this.posted, msg);
  }

  onReceived(msg: IpcMessage): void {
    keep(this.received, msg);
  }
}

function keep(list: IpcMessage[], msg: IpcMessage): void {
  list.push(msg);
  if (list.length > IPC_LOG_LIMIT) list.splice(0, list.length - IPC_LOG_LIMIT);
}

/** The launch questions, answered yes while `approveAll` is on, asked as usual otherwise. */
class ApprovingPrompts implements LaunchPrompts {
  approveAll = false;

  constructor(private readonly ui: LaunchPrompts) {}

  allowLaunch(server: ServerConfig, listed?: ServerConfig): Promise<boolean> {
    return this.approveAll ? Promise.resolve(true) : this.ui.allowLaunch(server, listed);
  }

  startDisabled(server: ServerConfig): Promise<boolean> {
    return this.approveAll ? Promise.resolve(true) : this.ui.startDisabled(server);
  }

  startForTool(server: ServerConfig, toolName: string): Promise<boolean> {
    return this.approveAll ? Promise.resolve(true) : this.ui.startForTool(server, toolName);
  }

  resetApprovals(): Promise<number> {
    return this.ui.resetApprovals();
  }
}

/**
 * The seams the composition root wires into the areas before building them, in Test mode
 * only: a log of the trace panel's messages and launch questions that tests can pre-approve.
 */
export class TestSeams {
  readonly ipc = new IpcLog();
  private prompts: ApprovingPrompts | undefined;
  private readonly urls: string[] = [];
  /** Records the sign-in pages to open instead of handing them to the OS browser. */
  readonly opener = async (url: string): Promise<void> => {
    this.urls.push(url);
  };

  readonly wrapPrompts = (ui: LaunchPrompts): LaunchPrompts => (this.prompts = new ApprovingPrompts(ui));

  api(parts: Omit<DoctorTestApi, 'webview' | 'setAutoApprove' | 'openedUrls'>): DoctorTestApi {
    return {
      ...parts,
      openedUrls: this.urls,
      webview: this.ipc,
      setAutoApprove: (on) => {
        if (!this.prompts) throw new Error('the session area did not take the launch prompts');
        this.prompts.approveAll = on;
      },
    };
  }
}

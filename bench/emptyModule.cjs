// Stands in for `vscode` when bench/activate.mjs times loading the bundle outside VS Code:
// every member is another stand-in, so top-level code such as enum lookups can run.
'use strict';
const NAMES = [
  'DiagnosticSeverity',
  'TreeItemCollapsibleState',
  'StatusBarAlignment',
  'ViewColumn',
  'ThemeIcon',
  'ThemeColor',
  'EventEmitter',
  'Uri',
  'Range',
  'Position',
  'Disposable',
  'CodeActionKind',
  'window',
  'workspace',
  'commands',
  'languages',
  'env',
  'extensions',
  'ProgressLocation',
  'ConfigurationTarget',
  'TreeItem',
  'MarkdownString',
  'CodeLens',
  'CodeAction',
  'Diagnostic',
  'RelativePattern',
  'Location',
  'DiagnosticRelatedInformation',
  'WorkspaceEdit',
  'TextEdit',
  'Selection',
  'l10n',
  'UIKind',
  'ExtensionMode',
  'FileType',
  'TerminalLocation',
  'QuickPickItemKind',
  'ViewColumn',
];
const stub = () =>
  new Proxy(function () {}, {
    get: (_t, key) => (key === Symbol.toPrimitive ? () => 0 : stub()),
    construct: () => stub(),
  });
module.exports = Object.fromEntries(NAMES.map((n) => [n, stub()]));

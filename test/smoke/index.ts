/** Entry point VS Code calls inside the extension host for the package smoke suite (same runner). */
export { run } from '../integration/index';

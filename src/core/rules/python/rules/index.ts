/** Every Python rule, in catalogue order. A rule reads the file's facts and records hits on it. */
import type { PyFile } from '../context';

export type PyRule = (py: PyFile) => void;

export const PYTHON_RULES: PyRule[] = [];

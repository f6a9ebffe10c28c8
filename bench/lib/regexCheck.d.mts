export declare const N: number;
export declare const ADVERSARIAL_INPUTS: readonly string[];
export interface RegexLiteral {
  /** Path relative to the root, with `/`. */
  file: string;
  line: number;
  /** The name of the variable the literal initialises, if any. */
  name?: string;
  re: RegExp;
}
export declare function regexLiterals(root: string): RegexLiteral[];

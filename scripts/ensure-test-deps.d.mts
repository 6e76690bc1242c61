/** Types for scripts/ensure-test-deps.mjs, so the tests can import its decision logic. */
export interface Requirement {
  name: string;
  what: string;
  apt: string[];
  ok: boolean;
  variable?: string;
  value?: string;
  env?: Record<string, string>;
}

export type Decision =
  | { action: "ok"; env: Record<string, string> }
  | { action: "install"; packages: string[]; line: string }
  | { action: "fail"; line: string };

export function isExecutable(file: string): boolean;
export function which(name: string, pathVariable: string | undefined): string | null;
export function probe(env?: NodeJS.ProcessEnv): Requirement[];
export function decide(
  requirements: Requirement[],
  options: { root: boolean; aptGet: boolean; noApt?: boolean },
): Decision;

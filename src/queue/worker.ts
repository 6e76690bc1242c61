import type { KernelChoice } from "../kernels/index.js";
export async function workerCommand(
  _url: string,
  _o: { concurrency?: number; quiet: boolean; lockMs: number; kernels: KernelChoice },
): Promise<number> {
  throw new Error("todo");
}

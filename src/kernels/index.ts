/**
 * Choosing the matrix-product backend in Node (the core defaults to the portable kernels and
 * never imports this). "auto" takes ONNX Runtime when it loads and passes its self-check, and
 * otherwise the portable kernels; "onnx" insists; "portable" forces the pure-TypeScript path.
 */
import { matrixKernels, portableKernels, useMatrixKernels } from "../core/linalg/gemm.js";
import { loadOnnxKernels } from "./onnxRuntime.js";

export const KERNEL_CHOICES = ["auto", "portable", "onnx"] as const;
export type KernelChoice = (typeof KERNEL_CHOICES)[number];

export interface KernelSelection {
  /** What to install. */
  choice: KernelChoice;
  /** ORT threads (default: all cores). */
  threads?: number;
}

/** The default: $OVERPARAM_KERNELS when set, else "auto". */
export function defaultKernelChoice(): KernelChoice {
  return parseKernelChoice(process.env.OVERPARAM_KERNELS ?? "auto", "OVERPARAM_KERNELS");
}

export function parseKernelChoice(value: string, where = "--kernels"): KernelChoice {
  if ((KERNEL_CHOICES as readonly string[]).includes(value)) return value as KernelChoice;
  throw new RangeError(
    `${where}: "${value}" is not a kernel backend; use one of ${KERNEL_CHOICES.join(", ")}`,
  );
}

/**
 * Installs the chosen backend for this thread and returns its name (with the reason when
 * "auto" fell back to the portable kernels). Throws when "onnx" is not available.
 */
export function installKernels(selection: KernelSelection): string {
  if (selection.choice === "portable") {
    useMatrixKernels(portableKernels);
    return portableKernels.name;
  }
  const { kernels, reason } = loadOnnxKernels({ threads: selection.threads });
  if (kernels) {
    useMatrixKernels(kernels);
    return kernels.name;
  }
  if (selection.choice === "onnx") throw new Error(`--kernels onnx: ${reason}`);
  useMatrixKernels(portableKernels);
  return `${matrixKernels().name} (${reason})`;
}

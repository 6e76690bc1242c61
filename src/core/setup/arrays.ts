/** A float64 array read from a file (1-D or 2-D), as the I/O layer hands it to the core. */
export interface LoadedArray {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Arrays named in a spec, by the path string written in the spec. */
export type ArrayStore = Readonly<Record<string, LoadedArray>>;

export function getArray(store: ArrayStore, path: string): LoadedArray {
  const a = store[path];
  if (!a) throw new Error(`array "${path}" was not loaded`);
  return a;
}

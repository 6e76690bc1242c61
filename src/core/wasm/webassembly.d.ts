/**
 * The part of the WebAssembly JS API that src/core/wasm uses. TypeScript declares it only in
 * lib.dom, which the core must not pull in (it would hide uses of browser-only globals), and
 * @types/node 20 does not declare it; both Node and browsers provide it at run time.
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: object);
    readonly exports: Record<string, unknown>;
  }
  function compile(bytes: Uint8Array): Promise<Module>;
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(deltaPages: number): number;
  }
}

/**
 * The lab's only door to the engine: the library's browser-safe entry `overparam/engine`
 * (src/engine.ts, which imports nothing from Node). scripts/build-lab.mjs bundles it from
 * source; the type check reads its published declarations (dist/engine.d.ts), so the page is
 * checked against the library's public types, not the core's internals.
 */
export * from "overparam/engine";

/**
 * A helper thread of the threaded WebAssembly GEMM, started by a run worker (worker.ts) where
 * the page is cross-origin isolated: it serves blocks of matrix products until terminated.
 */
import { serveGemmThread } from "./engine.js";

interface HelperScope {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
}
const scope = self as unknown as HelperScope;
serveGemmThread({
  postMessage: (message) => scope.postMessage(message),
  onMessage: (listener) => {
    scope.onmessage = (event) => listener(event.data);
  },
});

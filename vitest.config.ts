import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // setup and teardown that install or remove whole npm projects take long on a loaded machine
    hookTimeout: 180_000,
    pool: "forks",
  },
});

// Starts a replay worker from the TypeScript sources (tests, an edited checkout); dist/ has its own.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");

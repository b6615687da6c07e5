export declare const RUN_NODE_FLAGS: string[];
export declare const RUN_FLAG_COMMANDS: string[];
export declare const RUN_MALLOC_ARENAS: string;
export declare const RUN_ALLOCATOR: string;
export declare function setRunEnv(argv: readonly string[], env: Record<string, string | undefined>): void;

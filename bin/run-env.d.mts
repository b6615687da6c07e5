export declare const RUN_ALLOCATOR: string;
export declare function setRunEnv(argv: readonly string[], env: Record<string, string | undefined>): void;

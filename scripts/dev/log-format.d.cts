export declare function formatLogLine(line: string, options?: { color?: boolean }): string;
export declare function prettyLogs(where: { isTTY?: boolean; env: Record<string, string | undefined> }): boolean;

declare module 'dynalite' {
  import type { Server } from 'node:http';

  export interface DynaliteOptions {
    readonly path?: string;
    readonly createTableMs?: number;
    readonly deleteTableMs?: number;
    readonly updateTableMs?: number;
    readonly maxItemSizeKb?: number;
  }

  /** Returns an HTTP server speaking the DynamoDB API (in memory unless `path` is given). */
  export default function dynalite(options?: DynaliteOptions): Server;
}

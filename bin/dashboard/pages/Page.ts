/** What every page gets: where to render, and the edge URL for the commands it shows. */
export interface PageContext {
  readonly main: HTMLElement;
  readonly edgeUrl: string;
  /** Called when the page leaves, to stop its timers. */
  onLeave(stop: () => void): void;
}

export type Page = (context: PageContext) => Promise<void>;

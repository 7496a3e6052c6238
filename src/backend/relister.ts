/**
 * Re-lists one connection's catalog when its backend says the catalog
 * changed: one listing at a time, and a change announced during a listing
 * earns exactly one more. A change announced before the connection is ready
 * (during the handshake, even in the same read as the first list's answer)
 * is kept and listed once it is.
 *
 * One per connection (child process): a listing in flight for an old child
 * can neither hold up nor swallow the new child's announcements.
 */
export class Relister {
  private readonly list: () => Promise<void>;
  private readonly fail: (error: unknown) => void;
  private ready = false;
  private listing = false;
  private owed = false;

  /** `list` fetches and installs the catalog; `fail` hears why a listing failed. */
  constructor(list: () => Promise<void>, fail: (error: unknown) => void) {
    this.list = list;
    this.fail = fail;
  }

  /** The backend announced a change. */
  changed(): void {
    if (!this.ready || this.listing) {
      this.owed = true;
      return;
    }
    this.run();
  }

  /** The connection is ready (its first listing is installed): list again if a change was announced meanwhile. */
  markReady(): void {
    this.ready = true;
    if (this.owed && !this.listing) this.run();
  }

  private run(): void {
    this.owed = false;
    this.listing = true;
    void this.list()
      .catch(this.fail)
      .finally(() => {
        this.listing = false;
        if (this.owed) this.run();
      });
  }
}

/**
 * One change to the flows at a time. The guard judges a student's deploy against the flows
 * deployed at that moment, so nothing may land between its judgement and Node-RED applying the
 * deploy: otherwise a second deploy, judged while the first was still being saved, reaches
 * Node-RED after the first landed and carries a revision that now matches (a student predicts
 * it: Node-RED's revision is a hash of the flows they sent). Every admin route that changes
 * flows holds the lock from its check until Node-RED has answered.
 */
export class DeployLock {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves with `release` once every earlier holder released; call it exactly once (extra calls do nothing). */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      let done = false;
      release = () => {
        if (done) return;
        done = true;
        resolve();
      };
    });
    const before = this.tail;
    this.tail = before.then(() => held);
    return before.then(() => release);
  }
}

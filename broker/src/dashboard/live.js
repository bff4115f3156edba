// The central's live stream (GET /api/v1/live, server-sent events), read with fetch so that the
// session token goes in the Authorization header (EventSource cannot send one, and a token in the
// URL would end up in logs). One stream per view: it stops when the view is left, and reconnects
// after a drop. Changes arriving together are coalesced into one call of onChange.
import { session } from './api.js';

const RETRY_MS = 3000;
const COALESCE_MS = 300;

/** subscribeLive(ctx, { onChange(units), onState(connected) }): until ctx.current() turns false. */
export function subscribeLive(ctx, { onChange, onState = () => {} }) {
  let pending = null;
  let timer = null;
  const flush = () => {
    timer = null;
    const units = pending;
    pending = null;
    if (ctx.current()) void Promise.resolve(onChange(units)).catch(() => {});
  };
  const changed = (units) => {
    pending = [...(pending ?? []), ...units];
    timer ??= setTimeout(flush, COALESCE_MS);
  };

  const run = async () => {
    while (ctx.current()) {
      const s = session();
      if (!s) return;
      const abort = new AbortController();
      const watch = setInterval(() => ctx.current() || abort.abort(), 1000);
      try {
        const res = await fetch('/api/v1/live', { headers: { authorization: `Bearer ${s.token}`, accept: 'text/event-stream' }, signal: abort.signal });
        if (!res.ok || !res.body) throw new Error(`live: ${res.status}`);
        onState(true);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event === 'change' && data) changed(JSON.parse(data).units);
          }
        }
      } catch {
        // Dropped, refused or left: retried below while the view lasts.
      } finally {
        clearInterval(watch);
      }
      if (!ctx.current()) return;
      onState(false);
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  };
  void run();
}

/**
 * The robot club in the room console, wired to a gateway: club sessions (sessions.ts) tagged on
 * the usage tracker and fed by its records (the outbox), the editor's check verdicts and the
 * kits' faults (the agent's bus); the technician's kit care (kit-care.ts); the API (routes.ts).
 */
import { join } from 'node:path';
import type { UsageEvent } from '@stemlab/protocol';
import type { Agent } from '../agent.ts';
import type { HttpApi } from '../api/http.ts';
import type { ConsoleClub } from '../console/console.ts';
import type { NodeRedExtension } from '../nodered/nodered-extension.ts';
import { ownersOf } from '../nodered/owners.ts';
import type { UsageTracker } from '../usage/tracker.ts';
import { KitCare } from './kit-care.ts';
import { clubRoutes } from './routes.ts';
import { ClubSessions } from './sessions.ts';
import { ClubStore } from './store.ts';
import { sessionView, visibleKits } from './view.ts';

export { ClubSessions, tabKits, type CheckedEvent, type ClubDeps } from './sessions.ts';
export { ClubStore, type ClubSession, type Team, type Verdict, type KitUseRecord } from './store.ts';
export { KitCare } from './kit-care.ts';
export { sessionSummary, summaryCsv, summaryXlsx, kitUseMs, type SessionSummary } from './summary.ts';
export { ClubError, clubErrorCodes } from './errors.ts';

export interface ClubParts {
  agent: Agent;
  api: HttpApi;
  usage: UsageTracker;
  nodered: NodeRedExtension | undefined;
  /** Where the usage records are stored (the outbox): each one stored is handed over. */
  onUsage(listener: (event: UsageEvent) => void): void;
}

/** Set the club up on a gateway; returns the sessions, the kit care (an extension to `agent.use`) and the console's part. */
export function robotClub(parts: ClubParts): { club: ClubSessions; care: KitCare; console: ConsoleClub } {
  const { agent, api, usage, nodered } = parts;
  const { dataDir } = agent.config;
  const club = new ClubSessions(new ClubStore(join(dataDir, 'club', 'sessions')), {
    config: agent.config,
    tag: (purpose, kits) => usage.tag(purpose, kits),
    deploy: nodered ? (flows, by) => nodered.deployLesson(flows, { mode: 'replace-tab', by }) : undefined,
    deployedTab: (id) => {
      const tab = nodered?.deployedTab(id);
      return tab ? { owners: ownersOf(tab) } : undefined;
    },
  });
  // The editor's check sidebar asks before it runs a check: a student submits only their team's tab.
  nodered?.judgeChecks({ mayCheck: (by, tab) => void club.checkTeam(by, tab) });
  parts.onUsage((event) => club.recordUsage(event));
  agent.bus.on('kit:state', ({ kit, state, reason, at }) => (state === 'fault' || state === 'disconnected') && club.recordKitLost(kit, state, reason, at));
  agent.bus.on('lesson:checked', (event) => club.recordVerdict(event));
  const care = new KitCare(agent, join(dataDir, 'kit-care.json'));
  clubRoutes(api, agent, club, care);
  return {
    club,
    care,
    console: {
      visibleKits: (caller, all) => visibleKits(club, caller, all),
      view: (caller) => {
        const current = club.current();
        return current ? sessionView(club, current, caller) : null;
      },
      onChange: (listener) => club.onChange(listener),
    },
  };
}

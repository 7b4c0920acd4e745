/**
 * The timeline models of a session, kept per event source and brought up to date when read (like the guide's
 * session facts): reading again reads only the events added since. A few connections are followed at once; the
 * least recently shown goes first and is rebuilt from the kept events if it is shown again.
 */
import type { ConnectionId } from '../../../../shared/contract';
import { TimelineModel, type LengthOf, type TimelineSource } from './timelineModel';

const FOLLOWED = 4;

const models = new WeakMap<TimelineSource, Map<ConnectionId, TimelineModel>>();

/** The model of connection `id`, read up to the newest event of `events`. */
export function timelineFor(
  events: TimelineSource,
  id: ConnectionId,
  startedAt: number | null,
  lengthOf: LengthOf,
): TimelineModel {
  let byId = models.get(events);
  if (!byId) {
    byId = new Map();
    models.set(events, byId);
  }
  let model = byId.get(id);
  // A source that shrank is not the one this model read (a test's array, reused): start again.
  if (model && model.scanned > events.length) model = undefined;
  if (model) byId.delete(id);
  model ??= new TimelineModel(id, startedAt);
  byId.set(id, model);
  if (byId.size > FOLLOWED) byId.delete(byId.keys().next().value as ConnectionId);
  model.update(events, lengthOf);
  return model;
}

/** What the timeline draws at one redraw: the model, and the counts read from it then (a new object each redraw). */
export interface TimelineShown {
  model: TimelineModel;
  steps: number;
  letGo: number;
  /** The other side as the learner typed it: `data.pr4e.org:80`. */
  peer: string;
  /** Who answered (a lab server), or the address connected to; null before the connect. */
  answeredBy: string | null;
  arrivals: number;
  sends: number;
}

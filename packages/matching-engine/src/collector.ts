import type { EngineEvent, EventSink } from './types.ts';

/**
 * The EventSink the service uses (apps/backend `Exchange.runBatch`): keeps every event in
 * order; `take()` hands them over and starts afresh.
 *
 * It declares `retainsEvents`, so the engine it is set on writes every event into a new
 * object and the collector keeps those objects as they are, with no copy (before, the
 * engine reused its event objects and the collector cloned each one). Set it on the engine
 * directly (`new MatchingEngine(config, collector)` or `engine.setSink(collector)`); a sink
 * that forwards events to it must declare `retainsEvents: true` itself, or pass copies
 * (`cloneEvent`).
 */
export class EventCollector implements EventSink {
  readonly retainsEvents = true;
  events: EngineEvent[] = [];

  emit(event: EngineEvent): void {
    this.events.push(event);
  }

  /** The events collected since the last take, oldest first. */
  take(): EngineEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }
}

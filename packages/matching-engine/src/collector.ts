import { cloneEvent, type EngineEvent, type EventSink } from './types.ts';

/** An EventSink that keeps (a copy of) every event in order; `take()` hands them over and starts afresh. */
export class EventCollector implements EventSink {
  events: EngineEvent[] = [];

  emit(event: EngineEvent): void {
    this.events.push(cloneEvent(event));
  }

  /** The events collected since the last take, oldest first. */
  take(): EngineEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }
}

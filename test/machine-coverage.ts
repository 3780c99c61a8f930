/**
 * Which states and transitions of an xstate machine the model-based tests took, recorded through `inspect`:
 * the coverage checks of the entry statechart's and the connection machine's model tests.
 */
import type { AnyMachineSnapshot, AnyTransitionDefinition, InspectionEvent } from 'xstate';

/** A transition by its source, event and place among that event's candidates (stable across runs). */
export const transitionKey = (t: AnyTransitionDefinition): string =>
  `${t.source.id} on ${t.eventType} #${t.source.transitions.get(t.eventType)?.indexOf(t) ?? -1}`;

export class MachineCoverage {
  readonly taken = new Set<string>();
  readonly visited = new Set<string>();

  /** Pass as createActor's `inspect`. */
  readonly record = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.microstep') return;
    for (const t of event._transitions) {
      this.taken.add(transitionKey(t));
      this.visited.add(t.source.id); // the initial state is entered without a microstep
    }
    for (const node of (event.snapshot as AnyMachineSnapshot)._nodes) this.visited.add(node.id);
  };
}
